"""Search relevance regression: what customers type vs the article that answers them.

The queries live in relevance_queries.yml. They run through the same path a
customer's search takes: the demo content imported with the content importer
(its flushes write the search rows), CS-managed synonyms read from the
search_synonym table, and ``run_search`` with a ``SearchRequest``. For each
language at least MIN_TOP3_RATE[locale] of the queries must have the expected
article in the top 3, on each backend: the rates the Whoosh engine reached
before search moved into the database (issue 11).

Run with ``-s`` to see the per-language hit rates and the misses table. To act
on a miss, look at the tokens the analyzer produces for the query
(``search.analysis.analyze(text, locale)``): a word the content never uses
wants a synonym row or an analyzer fix, not a change of the expectation.
"""

from __future__ import annotations

import shutil
import traceback
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.kb.content_sync import import_content
from app.kb.models import Article, ArticleStatus
from app.site_search.engine import search_store
from app.site_search.services import SearchRequest, run_search
from app.site_search.synonym_files import SYNONYMS_FILE, import_synonyms, read_synonym_groups
from tests.conftest import (
    CONTENT_DIR,
    POSTGRES_URL,
    drop_postgres_schema,
    make_app,
    reset_postgres_schema,
)
from tests.search.conftest import BACKENDS

QUERIES_FILE = Path(__file__).with_name("relevance_queries.yml")
LOCALES = ("en", "ja", "ar")
TOP = 3
MIN_TOP3_RATE = {"en": 0.986, "ja": 0.984, "ar": 0.983}
MIN_QUERIES_PER_LOCALE = 25


@dataclass(frozen=True)
class Case:
    q: str
    locale: str
    expect: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    slugs: tuple[str, ...]  # result slugs, best first (first page)

    @property
    def rank(self) -> int | None:
        """1-based position of the expected article, or None if not on the first page."""
        try:
            return self.slugs.index(self.case.expect) + 1
        except ValueError:
            return None


def load_cases() -> list[Case]:
    entries = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
    assert isinstance(entries, list), f"{QUERIES_FILE.name} must be a list of queries"
    cases = []
    for number, entry in enumerate(entries, 1):
        assert isinstance(entry, dict) and set(entry) == {"q", "locale", "expect"}, (
            f"entry {number} must have exactly q, locale and expect: {entry!r}"
        )
        assert entry["locale"] in LOCALES, f"entry {number}: unknown locale {entry['locale']!r}"
        assert str(entry["q"]).strip(), f"entry {number}: empty query"
        cases.append(Case(str(entry["q"]), entry["locale"], str(entry["expect"])))
    keys = [(c.q, c.locale) for c in cases]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"duplicate queries in {QUERIES_FILE.name}: {sorted(duplicates)}"
    return cases


CASES = load_cases()


@pytest.fixture(scope="session", params=BACKENDS)
def relevance_app(request, tmp_path_factory):
    """The demo content imported into a database of each backend, search rows and all.

    SQLite starts from a copy of the session's demo database (the same import, done once).
    """
    folder = tmp_path_factory.mktemp("relevance")
    schema = None
    if request.param == "sqlite":
        database = folder / "relevance.sqlite3"
        shutil.copyfile(request.getfixturevalue("demo_db_file"), database)
        url = f"sqlite:///{database}"
    elif request.param == "postgresql":
        url, schema = reset_postgres_schema(POSTGRES_URL)
    else:
        raise ValueError(f"no relevance database for {request.param!r}")
    app = make_app(folder, url)
    with app.app_context():
        if schema:
            db.create_all()
            report = import_content(CONTENT_DIR, LOCALES)
            assert report.ok, report.failed
        # The synonyms the demo ships with (content/synonyms.yml), as `flask content import`.
        import_synonyms(read_synonym_groups(CONTENT_DIR / SYNONYMS_FILE, LOCALES))
        db.session.commit()
        store = search_store()
        for locale in LOCALES:
            published = db.session.scalar(
                select(func.count(Article.id)).where(
                    Article.locale == locale, Article.status == ArticleStatus.PUBLISHED.value
                )
            )
            assert published, f"no published {locale} articles were imported"
            indexed = store.doc_count(db.session.connection(), locale)
            assert indexed == published, f"{locale}: search rows and database differ"
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        drop_postgres_schema(POSTGRES_URL, schema)


def published_slugs(locale: str) -> set[str]:
    return set(
        db.session.scalars(
            select(Article.slug).where(
                Article.locale == locale, Article.status == ArticleStatus.PUBLISHED.value
            )
        )
    )


def result_slugs(case: Case) -> tuple[str, ...]:
    results = run_search(SearchRequest(text=case.q, locale=case.locale))
    prefix = f"/{case.locale}/articles/"
    slugs = []
    for hit in results.hits:
        assert hit.url.startswith(prefix), f"{case.q!r}: unexpected result URL {hit.url!r}"
        slugs.append(PurePosixPath(hit.url).name)
    return tuple(slugs)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_report(locale: str, outcomes: list[Outcome]) -> str:
    total = len(outcomes)
    top1 = sum(o.rank == 1 for o in outcomes)
    top3 = sum(o.rank is not None and o.rank <= TOP for o in outcomes)
    lines = [
        f"[{locale}] {total} queries: top-1 {top1}/{total} ({top1 / total:.1%}), "
        f"top-{TOP} {top3}/{total} ({top3 / total:.1%}); required top-{TOP} "
        f"{MIN_TOP3_RATE[locale]:.1%}"
    ]
    misses = [o for o in outcomes if o.rank is None or o.rank > TOP]
    if misses:
        rows = [("query", "expected", "rank", f"got top {TOP}")]
        for o in misses:
            rank = f"#{o.rank}" if o.rank else "-"
            rows.append((o.case.q, o.case.expect, rank, ", ".join(o.slugs[:TOP]) or "(none)"))
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        lines.append(f"  misses ({len(misses)}):")
        for row in rows:
            cells = [_pad(cell, widths[i]) for i, cell in enumerate(row[:3])]
            lines.append("    " + " | ".join([*cells, row[3]]))
    return "\n".join(lines)


@pytest.mark.parametrize("locale", LOCALES)
def test_expected_article_is_in_top_3(relevance_app, locale):
    cases = [c for c in CASES if c.locale == locale]
    assert len(cases) >= MIN_QUERIES_PER_LOCALE, (
        f"{locale}: only {len(cases)} queries in {QUERIES_FILE.name}"
    )
    outcomes: list[Outcome] = []
    errors: list[str] = []
    with relevance_app.app_context():
        known = published_slugs(locale)
        unknown = sorted({c.expect for c in cases} - known)
        assert not unknown, f"{locale}: expected slugs that are not published articles: {unknown}"
        for case in cases:
            try:
                outcomes.append(Outcome(case, result_slugs(case)))
            except Exception:
                errors.append(f"{case.q!r}:\n{traceback.format_exc()}")

    report = format_report(locale, outcomes) if outcomes else f"[{locale}] no query ran"
    print("\n" + report)
    assert not errors, f"{len(errors)} {locale} queries raised:\n" + "\n".join(errors)
    top3_rate = sum(o.rank is not None and o.rank <= TOP for o in outcomes) / len(outcomes)
    assert top3_rate >= MIN_TOP3_RATE[locale], report
