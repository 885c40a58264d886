"""The Big List of Naughty Strings through every query box: search (page and API), suggest,
the instant-search log and the insights query explorer. Never a 5xx, never anything live.

All 515 strings, one test each, go in every locale through what the boxes call (the
request parser, the search store's search, count and suggest, the recorded events, the
explorer's count) in-process. A sample (tests/conftest.py NAUGHTY_SAMPLE: every string
that looks like markup or a URL trick, and every eighth of the rest) goes through HTTP in
chunks that pytest-xdist spreads, each string in one locale in turn; the pages are parsed
for anything a browser would run or fetch (tests/hostile_html.py).
"""

from __future__ import annotations

import shutil

import pytest

from app.clock import utcnow
from app.extensions import db
from app.insights import dashboards
from app.insights.filters import FilterError, Filters, parse_filters
from app.site_search import services, sources
from app.site_search.params import SearchParamError, search_request
from tests.conftest import (
    NAUGHTY_SAMPLE,
    NAUGHTY_STRINGS,
    make_app,
    make_user,
    naughty_chunks,
    sign_in,
)
from tests.hostile_html import assert_nothing_live
from tests.site_search.test_search_pages import header_csrf

LOCALES = ("en", "ja", "ar")


def assert_handled(response, text: str) -> None:
    """A clear answer (< 500); a page, parsed, holds nothing the string made live."""
    assert response.status_code < 500, (response.status_code, text)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body, text
    if response.mimetype == "text/html":
        assert_nothing_live(body, text)


# --- every string, in-process ---------------------------------------------------------------


@pytest.fixture(scope="module")
def query_app(demo_db_file, tmp_path_factory):
    """One app on a copy of the demo database (its search rows) for the per-string tests."""
    folder = tmp_path_factory.mktemp("queries")
    database = folder / "demo.sqlite3"
    shutil.copyfile(demo_db_file, database)
    app = make_app(folder, f"sqlite:///{database}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def category_names(query_app) -> dict[str, set[str]]:
    """Per locale, the category slugs the search page accepts (as its view reads them)."""
    with query_app.app_context():
        return {locale: set(sources.category_names(db.session, locale)) for locale in LOCALES}


@pytest.mark.parametrize(
    "text", [pytest.param(text, id=f"blns{number}") for number, text in enumerate(NAUGHTY_STRINGS)]
)
def test_query_boxes_take_the_string(query_app, category_names, text):
    """What the search page, the API, suggest, the instant-search log and the explorer do
    with the string, in every locale: a result or a clear refusal, and the event stored."""
    with query_app.test_request_context():
        for locale in LOCALES:
            page = search_request(
                {"q": text, "category": text, "page": text},
                locale,
                category_names[locale],
                strict=False,
            )
            if page.text:
                results = services.run_search(page)
                assert results.total >= 0 and results.page >= 1
                services.record_page_search(page, results.total, "naughty-visitor")
                services.record_instant_search(page)
            try:
                api = search_request(
                    {"q": text, "kind": text, "page": text}, locale, set(), strict=True
                )
            except SearchParamError as refused:
                assert str(refused)
            else:
                if api.text:
                    assert services.count_results(api) >= 0
            suggestion_text = " ".join(text.split())[:200]
            if suggestion_text:
                for suggestion in services.suggest(suggestion_text, locale):
                    assert suggestion.title and suggestion.url.startswith("/")
            db.session.flush()  # stored as the views store it; rolled back below
        today = utcnow().date()
        term = " ".join(text.split())
        if term and len(term) <= 100:  # the explorer refuses longer terms
            # Today only: the same term handling as over the default weeks, at a 28th of
            # the reading (the HTTP sample below goes through the default range).
            found = dashboards.explore(term, Filters(today, today), utcnow(), LOCALES)
            assert len(found.searches) == 1
        for args in ({"locale": text}, {"start": text, "end": text}):
            try:
                parse_filters(args, today, LOCALES, ())
            except FilterError as refused:
                assert str(refused)
        db.session.rollback()  # each string starts from the demo database


# --- a sample through HTTP ------------------------------------------------------------------


def in_turn(texts: list[str]):
    """Each string with the locale it is sent in: en, ja, ar in turn."""
    return ((text, LOCALES[number % len(LOCALES)]) for number, text in enumerate(texts))


sample_chunks = pytest.mark.parametrize("texts", naughty_chunks(NAUGHTY_SAMPLE))


@sample_chunks
def test_search_page_never_fails(search_client, texts):
    assert_nothing_live(search_client.get("/en/search", query_string={"q": "x"}).get_data(True))
    for text, locale in in_turn(texts):
        response = search_client.get(
            f"/{locale}/search", query_string={"q": text, "category": text, "page": text}
        )
        assert_handled(response, text)


@sample_chunks
def test_search_api_and_suggest_answer_json(search_client, texts):
    for text, locale in in_turn(texts):
        for path, args in (
            ("/api/v1/search", {"q": text, "locale": locale}),
            ("/api/v1/search", {"q": text, "locale": text, "kind": text, "page": text}),
            ("/api/v1/suggest", {"q": text, "locale": locale}),
        ):
            response = search_client.get(path, query_string=args)
            assert response.status_code < 500, (path, response.status_code, text)
            assert response.is_json, (path, text)  # an API error is JSON too, never HTML


@sample_chunks
def test_instant_search_log_takes_any_string(search_client, texts):
    token = header_csrf(search_client)
    for text, locale in in_turn(texts):
        response = search_client.post(
            "/api/v1/instant-searches",
            data={"q": text, "locale": locale, "csrf_token": token},
        )
        assert response.status_code < 500, (response.status_code, text)


@pytest.fixture
def product_client(search_app):
    make_user("product@example.com", role="product", name="Product")
    client = search_app.test_client()
    sign_in(client, "product@example.com")
    return client


@sample_chunks
def test_query_explorer_never_fails(product_client, texts):
    page = product_client.get("/insights/explore", query_string={"q": "x"})
    assert page.status_code == 200
    assert_nothing_live(page.get_data(as_text=True))
    for text in texts:
        for args in ({"q": text}, {"q": text, "locale": text, "start": text, "end": text}):
            response = product_client.get("/insights/explore", query_string=args)
            assert_handled(response, text)
