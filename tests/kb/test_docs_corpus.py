"""A real documentation set (../shared/corpora/docs-msearch, en + ja, CC BY 4.0) imported with
`flask content import-docs`: nothing fails, every word shows, links resolve, search finds pages.

The corpus lives beside the clone (CI puts shared/ there); TOUCHPOINT_CORPORA points elsewhere.
"""

import html
import os
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select
from sudachipy import dictionary, tokenizer

from app.editor.translations import translation_dashboard
from app.extensions import db
from app.kb.content_docs import SOURCE
from app.kb.content_docs_layout import docs_slug, find_docs_root, page_files
from app.kb.models import Article, ArticleRevision
from app.markdown import HTML_ELEMENTS
from app.site_search.services import SearchRequest, run_search
from tests.conftest import make_app

CORPORA = Path(
    os.environ.get(
        "TOUCHPOINT_CORPORA", Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora"
    )
)
CORPUS = CORPORA / "docs-msearch"
LOCALES = ("en", "ja")
# Measured on this corpus (see the report in the test output); a drop below means a regression.
KNOWN_ITEM_MIN_RATE = {"en": 0.80, "ja": 0.80}
DOCFX_IMAGE = re.compile(r":::image\s.*?:::")
ALT_TEXT = re.compile(r'alt-text="([^"]*)"')
REWRITTEN_URL = re.compile(r'(?:href|src)="(/(?:en|ja)/articles/[^"]+|/media/[^"]+)"')
EN_STOP = {"a", "an", "and", "the", "of", "for", "in", "to", "with", "on", "your", "use", "how"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}"),
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The corpus imported once (en then ja) into a SQLite file, with the CLI's output."""
    folder = tmp_path_factory.mktemp("docs-corpus")
    app = make_app(folder, f"sqlite:///{folder / 'docs.sqlite3'}")
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["content", "import-docs", str(CORPUS)])
    return app, result


@pytest.fixture
def corpus_app(imported):
    app, _result = imported
    with app.app_context():
        yield app
        db.session.remove()


def docs_articles() -> list[Article]:
    imported_ids = select(ArticleRevision.article_id).where(ArticleRevision.source == SOURCE)
    return list(db.session.scalars(select(Article).where(Article.id.in_(imported_ids))))


def source_pages(locale: str) -> dict[str, Path]:
    root = find_docs_root(CORPUS / locale)
    """slug -> source file, for one locale's set."""
    return {docs_slug(p.relative_to(root).as_posix()): p for p in page_files(root)}


def test_the_corpus_imports_with_no_failure_and_reports_every_loss(imported):
    _app, result = imported
    assert result.exit_code == 0, result.output
    counts = re.findall(
        r"\[(en|ja)\] added (\d+), updated 0, unchanged 0, kept 0, failed 0", result.output
    )
    assert dict(counts) == {"en": str(len(source_pages("en"))), "ja": str(len(source_pages("ja")))}
    # What could not be carried over is listed by file and line, never dropped silently.
    problems = re.findall(r"NOT RENDERED (en|ja):([^:]+\.md):(\d+): (.+)", result.output)
    assert problems, "the corpus has images that are not included: each must be reported"
    assert all(int(line) > 0 for _l, _p, line, _w in problems)
    missing_images = [p for p in problems if p[3].startswith("image not found")]
    print(f"\nimport report: {len(problems)} constructs not carried over, "
          f"{len(missing_images)} of them images missing from the corpus")  # fmt: skip


def prose_words(source: str) -> list[str]:
    """The words a reader should see: front matter, comments and markup removed."""
    text = re.sub(r"\A---\n.*?\n---\n", "", source.replace("\r\n", "\n"), flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\[!INCLUDE[^\n]*", " ", text)  # the included file's words are checked there
    text = re.sub(r"\[!div[^\]]*\]", " ", text)
    text = re.sub(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION|VIDEO)\b", " ", text, flags=re.I)
    text = DOCFX_IMAGE.sub(lambda m: " ".join(ALT_TEXT.findall(m.group(0))), text)
    text = re.sub(r"^[\s>]*(?:\d+[.)]|[-*+])\s", " ", text, flags=re.M)  # list markers
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r" \1 ", text)  # images: their alt text
    text = re.sub(r"^\s*(`{3,}|~{3,})\S*", " ", text, flags=re.M)  # fences and their language
    text = re.sub(r"\]\(\s*(?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)", "] ", text)  # link targets
    text = re.sub(r"%[0-9A-Fa-f]{2}", " ", text)  # percent-escapes: links show them decoded
    text = re.sub(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", " ", text, flags=re.M)  # reference definitions
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)  # backslash escapes
    text = re.sub(
        r"</?([A-Za-z][A-Za-z0-9-]*)(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>",
        lambda m: " " if m.group(1).lower() in HTML_ELEMENTS else m.group(0),
        text,
    )
    text = html.unescape(text)
    return re.findall(r"[^\W_]+", text)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def visible_text(page_html: str) -> str:
    main = re.search(r"<main\b.*?</main>", page_html, flags=re.S)
    body = main.group(0) if main else page_html
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_every_word_of_every_page_is_shown(corpus_app):
    client = corpus_app.test_client()
    pages = words = 0
    lost: dict[str, list[str]] = {}
    for locale in LOCALES:
        for slug, path in source_pages(locale).items():
            response = client.get(f"/{locale}/articles/{slug}")
            assert response.status_code == 200, f"{locale}/{slug}"
            shown = compact(visible_text(response.get_data(as_text=True)))
            expected = prose_words(path.read_text(encoding="utf-8-sig"))
            pages, words = pages + 1, words + len(expected)
            missing = [w for w in expected if w.casefold() not in shown]
            if missing:
                lost[f"{locale}/{path.name}"] = missing[:10]
    print(f"\nevery-word check: {pages} pages, {words} words of prose")
    assert lost == {}


def test_rewritten_links_and_images_resolve(corpus_app):
    client = corpus_app.test_client()
    targets = defaultdict(set)
    for article in docs_articles():
        for url in REWRITTEN_URL.findall(article.body_html):
            path, _hash, anchor = url.partition("#")
            targets[path].add(anchor)
    assert len(targets) > 50
    for path, anchors in targets.items():
        with client.get(path) as response:
            assert response.status_code == 200, path
            page = response.get_data(as_text=True)
        for anchor in anchors - {""}:
            if f'id="{anchor}"' not in page:
                # Reported as "anchor not found" by the import; the link still lands on the page.
                assert anchor == "next-steps-customize-the-search-results-page", (path, anchor)


def test_a_second_import_changes_nothing(imported, corpus_app):
    before = {(a.locale, a.slug): (a.body_html, len(a.revisions)) for a in docs_articles()}
    result = corpus_app.test_cli_runner().invoke(args=["content", "import-docs", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert re.search(r"\[en\] added 0, updated 0, unchanged \d+", result.output)
    assert re.search(r"\[ja\] added 0, updated 0, unchanged \d+", result.output)
    db.session.expire_all()
    after = {(a.locale, a.slug): (a.body_html, len(a.revisions)) for a in docs_articles()}
    assert after == before


def test_translations_of_the_set_are_paired_and_not_outdated(corpus_app):
    reports = {r.locale: r for r in translation_dashboard()}
    assert reports["ja"].outdated == []
    paired = set(source_pages("ja")) & set(source_pages("en"))
    assert reports["ja"].current == len(paired)


def title_words(title: str, locale: str) -> list[str]:
    if locale == "ja":
        splitter = dictionary.Dictionary().tokenizer()
        found = [
            m.surface()
            for m in splitter.tokenize(title, tokenizer.Tokenizer.SplitMode.C)
            if m.part_of_speech()[0] in ("名詞", "動詞") and len(m.surface()) > 1
        ]
    else:
        found = [w for w in re.findall(r"[\w'-]+", title) if w.casefold() not in EN_STOP]
    return list(dict.fromkeys(found))


def known_item_query(title: str, locale: str, slug: str) -> str:
    """2 or 3 words of the title in title order, never the whole title when it has more."""
    words = title_words(title, locale)
    size = 3 if len(words) >= 4 else 2
    if len(words) <= size:
        return " ".join(words)
    picked = sorted(random.Random(slug).sample(range(len(words)), size))
    return " ".join(words[i] for i in picked)


def test_known_item_search_finds_each_page_from_words_of_its_title(corpus_app):
    rates = {}
    for locale in LOCALES:
        pages = [a for a in docs_articles() if a.locale == locale]
        found = 0
        for article in pages:
            query = known_item_query(article.title, locale, article.slug)
            hits = run_search(SearchRequest(text=query, locale=locale, per_page=3)).hits
            found += any(hit.url.endswith(f"/articles/{article.slug}") for hit in hits[:3])
        rates[locale] = round(found / len(pages), 3)
    print(f"\nknown-item top-3 rate per language: {rates}")
    assert all(rates[locale] >= KNOWN_ITEM_MIN_RATE[locale] for locale in LOCALES), rates
