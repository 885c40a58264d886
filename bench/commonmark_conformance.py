"""Benchmark: how much of the CommonMark spec each Markdown engine renders equivalently.

Reads the 655 examples of ../shared/corpora/commonmark/spec.txt (or under $TOUCHPOINT_CORPORA),
renders each with the engine alone (before sanitizing, which drops raw HTML by design) and
compares the normalized HTML with the spec's. Counts the raw-HTML sections ("HTML blocks",
"Raw HTML") apart from the rest. The baseline is Python-Markdown with the extensions the site
used before issue 15; "app" is what app.markdown renders today (forum posts), "app_article" adds
the article rules (h1 demoted to h2). Ids are ignored when comparing. Prints JSON.

    .venv/bin/python bench/commonmark_conformance.py [--spec PATH] [--failures SECTION]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from html import escape
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import markdown  # noqa: E402
from markdown.extensions.toc import slugify_unicode  # noqa: E402

from app.markdown import markdown_to_html  # noqa: E402

RAW_HTML_SECTIONS = {"HTML blocks", "Raw HTML"}
FENCE = "`" * 32 + " example"
BEFORE_EXTENSIONS = ["tables", "fenced_code", "footnotes", "abbr", "sane_lists", "admonition",
                     "toc", "pymdownx.tasklist"]  # fmt: skip
BEFORE_CONFIGS = {
    "toc": {"slugify": slugify_unicode, "toc_depth": "2-3", "permalink": False},
    "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
}
BLOCK_TAGS = {"p", "ul", "ol", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
              "hr", "table", "thead", "tbody", "tr", "th", "td", "div"}  # fmt: skip


def spec_path() -> Path:
    corpora = os.environ.get("TOUCHPOINT_CORPORA") or ROOT / ".." / "shared" / "corpora"
    return Path(corpora) / "commonmark" / "spec.txt"


def read_examples(path: Path) -> list[dict]:
    """Each example: number, section, markdown, expected html (tabs restored)."""
    examples, section, lines = [], "", path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(FENCE):
            block, i = [], i + 1
            while lines[i] != "`" * 32:
                block.append(lines[i])
                i += 1
            cut = block.index(".")
            source = "\n".join(block[:cut]).replace("→", "\t")
            expected = "\n".join(block[cut + 1 :]).replace("→", "\t")
            examples.append(
                {
                    "number": len(examples) + 1,
                    "section": section,
                    "markdown": source + "\n" if block[:cut] else "",
                    "html": expected,
                }
            )
        elif line.startswith("#") and not line.startswith("#" * 4):
            heading = re.match(r"#{1,3} (.+)", line)
            if heading:
                section = heading.group(1).strip()
        i += 1
    return examples


class _Normalizer(HTMLParser):
    """The spec runner's idea of equivalence: attributes sorted, entities resolved, whitespace
    around block tags dropped and runs of whitespace outside <pre> collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.in_pre = 0

    def _tag(self, tag, attrs, close=""):
        rendered = "".join(
            f' {k}="{escape(v or "", quote=True)}"' for k, v in sorted(attrs) if k != "id"
        )
        self.out.append(f"<{tag}{rendered}{close}>")

    def handle_starttag(self, tag, attrs):
        self.in_pre += tag == "pre"
        if tag in BLOCK_TAGS:
            self._strip_tail()
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._strip_tail()
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._strip_tail()
        self.in_pre -= tag == "pre"
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if self.out and self.out[-1].startswith("<") and self._after_block():
                data = data.lstrip()
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def _after_block(self) -> bool:
        match = re.match(r"</?([a-z0-9]+)", self.out[-1])
        return bool(match) and match.group(1) in BLOCK_TAGS

    def _strip_tail(self):
        if self.out and not self.out[-1].startswith("<") and not self.in_pre:
            self.out[-1] = self.out[-1].rstrip()
            if not self.out[-1]:
                self.out.pop()


def normalize(html: str) -> str:
    parser = _Normalizer()
    parser.feed(html.replace("<br />", "<br>").replace("<hr />", "<hr>"))
    parser.close()
    return "".join(parser.out).strip()


def python_markdown_before(source: str) -> str:
    converter = markdown.Markdown(extensions=BEFORE_EXTENSIONS, extension_configs=BEFORE_CONFIGS)
    return converter.convert(source)


def app_article(source: str) -> str:
    """The article rules on top: a body's h1 becomes h2 (the page's h1 is the title)."""
    return markdown_to_html(source, {"article": True})


ENGINES = {
    "python_markdown_before": python_markdown_before,
    "app": markdown_to_html,
    "app_article": app_article,
}


def measure(examples: list[dict], engine) -> dict:
    passed, failed_sections, total = Counter(), Counter(), Counter()
    failures = []
    for example in examples:
        group = "raw_html" if example["section"] in RAW_HTML_SECTIONS else "other"
        total[group] += 1
        try:
            got = normalize(engine(example["markdown"]))
        except Exception as error:  # an engine crash counts as a miss
            got = f"!{type(error).__name__}"
        if got == normalize(example["html"]):
            passed[group] += 1
        else:
            failed_sections[example["section"]] += 1
            failures.append(example["number"])
    return {
        group: {
            "examples": total[group],
            "equivalent": passed[group],
            "share": round(passed[group] / total[group], 4),
        }
        for group in ("other", "raw_html")
    } | {"misses_by_section": dict(failed_sections.most_common()), "_failures": failures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=spec_path())
    parser.add_argument("--failures", help="print the failing examples of one section")
    args = parser.parse_args()
    if not args.spec.exists():
        sys.exit(f"CommonMark spec not found at {args.spec} (set TOUCHPOINT_CORPORA)")
    examples = read_examples(args.spec)
    results = {name: measure(examples, engine) for name, engine in ENGINES.items()}
    if args.failures:
        for number in results["app"]["_failures"]:
            example = examples[number - 1]
            if example["section"] == args.failures:
                print(json.dumps(example, ensure_ascii=False))
                print("GOT", markdown_to_html(example["markdown"]))
        return
    for result in results.values():
        del result["_failures"]
    base = results["python_markdown_before"]["other"]["share"]
    print(
        json.dumps(
            {
                "spec": str(args.spec),
                "examples": len(examples),
                "engines": results,
                "app_vs_before_other_ratio": round(results["app"]["other"]["share"] / base, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
