"""Golden token streams: the analyzers emit exactly the tokens recorded in golden_tokens.json.

Recorded from the Whoosh-based analyzers before they were ported to
search/pipeline.py, so the port (and any later refactor) is proven to change
no token, position or character offset. Inputs: every demo article
(content/<locale>/, index mode, stemmed and unstemmed analyzers — digests of
the streams), every query of relevance_queries.yml and a set of hostile strings
(query and index mode, the streams in full).

An intended analyzer change (which bumps ANALYZER_VERSION) re-records the file:
``python -m tests.search.test_golden_tokens``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import yaml

from search.analysis import analyzer_for
from tests.conftest import CONTENT_DIR

GOLDEN_FILE = Path(__file__).with_name("golden_tokens.json")
QUERIES_FILE = Path(__file__).with_name("relevance_queries.yml")
LOCALES = ("en", "ja", "ar", "fr")

HOSTILE = [
    "",
    " ",
    "\u200b\u200e\u200f\u202e",
    'NEAR( "" * : & | ! <-> \' ’ . .. ...',
    "outlook.com AADSTS650056 v2.3.1 app.planwise.example 2FA",
    "log in, log-in, logging in, set up and signed up; turn off",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ﾊﾟｽﾜｰﾄﾞ ｶﾀｶﾅ",
    "ぱすわーど ろぐいん くらしっく パスワド せってい すべてのめーるをけす",
    "والفواتير بالملفات للملفات باشتراك وباشتراك المرور حسابي بطاقتي يستخدم استخدام",
    "ٱلْعَرَبِيَّة مـــرحبا ﻻ",
    "Z̮̞̠͙͔ͅḀ̗̞͈̻̗Ḷ͙͎̯̹̞͓G̻O̭̗̮ 👩‍👩‍👧 🇯🇵 𝕋𝕙𝕖",
    "x" * 120 + " short " + "長" * 30,
    "It's dying, lying and tying — can't, won't; I'm ok?",
    "パスワードをリセットできない。請求書はどこ？スマホアプリで2段階認証を設定",
    "a\x1fb",
    "<script>alert('x')</script> &amp; %s {0} ${x} ' OR 1=1 --",
]


def stream(analyzer, text: str, mode: str) -> list[list]:
    """[text, position, start, end] of every token, in order."""
    return [[t.text, t.pos, t.start, t.end] for t in analyzer(text, mode=mode)]


def _digest(tokens: list[list]) -> str:
    return hashlib.sha256(json.dumps(tokens, ensure_ascii=False).encode()).hexdigest()[:16]


def _analyzers(locale: str) -> dict:
    analyzer = analyzer_for(locale)
    return {"stemmed": analyzer, "plain": analyzer.without_stemming()}


def _queries() -> list[tuple[str, str]]:
    entries = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
    return [(str(e["locale"]), str(e["q"])) for e in entries]


@functools.cache
def record() -> dict:
    """The token streams of every sample, as the current analyzers produce them."""
    out: dict = {"documents": {}, "texts": {}}
    for locale in LOCALES[:3]:
        analyzers = _analyzers(locale)
        for path in sorted((CONTENT_DIR / locale).rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            key = str(path.relative_to(CONTENT_DIR))
            for variant, analyzer in analyzers.items():
                tokens = stream(analyzer, text, "index")
                out["documents"][f"{variant} {key}"] = [len(tokens), _digest(tokens)]
    samples = [(loc, text) for loc in LOCALES for text in HOSTILE] + _queries()
    for locale, text in samples:
        for variant, analyzer in _analyzers(locale).items():
            for mode in ("query", "index"):
                key = f"{locale} {variant} {mode} {text!r}"
                out["texts"][key] = stream(analyzer, text, mode)
    return out


def test_documents_analyze_to_the_recorded_tokens():
    golden = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    current = record()
    assert current["documents"] == golden["documents"]


def test_queries_and_hostile_text_analyze_to_the_recorded_tokens():
    golden = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    current = record()
    changed = {k: v for k, v in current["texts"].items() if golden["texts"].get(k) != v}
    assert set(current["texts"]) == set(golden["texts"])
    assert changed == {}


def write(recorded: dict) -> None:
    """The golden file, one sample per line (readable diffs)."""
    lines = []
    for section, entries in sorted(recorded.items()):
        body = ",\n".join(
            f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in sorted(entries.items())
        )
        lines.append(f"{json.dumps(section)}: {{\n{body}\n}}")
    GOLDEN_FILE.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


if __name__ == "__main__":
    write(record())
