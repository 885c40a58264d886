"""The Big List of Naughty Strings through every query box: search (page and API), suggest,
the instant-search log and the insights query explorer. Never a 5xx, never a reflected tag.

One test per chunk of strings, so pytest-xdist spreads them. Everything goes through HTTP,
so the checks hold whatever search backend answers.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import BLNS_PATH, make_user, sign_in
from tests.site_search.test_search_pages import header_csrf

CHUNK = 50
NAUGHTY = json.loads(BLNS_PATH.read_text(encoding="utf-8"))
CHUNKS = [NAUGHTY[start : start + CHUNK] for start in range(0, len(NAUGHTY), CHUNK)]
CHUNK_IDS = [f"blns-{i * CHUNK}" for i in range(len(CHUNKS))]
# A tag a string would inject if it were reflected unescaped (<script, <img, <svg ...).
INJECTED_TAG = re.compile(
    r"<(script|img|svg|iframe|body|object|embed|a\s+href=\"?javascript)", re.IGNORECASE
)


def tags_in(text: str) -> set[str]:
    return {m.group(0).lower() for m in INJECTED_TAG.finditer(text)}


def assert_handled(response, baseline_tags: set[str], text: str) -> None:
    """A clear answer (< 500) that adds no tag the page does not always have."""
    assert response.status_code < 500, (response.status_code, text)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body, text
    added = tags_in(body) - baseline_tags
    assert not added, (added, text)


@pytest.fixture
def product_client(search_app, fast_hashing):
    make_user("product@example.com", role="product", name="Product")
    client = search_app.test_client()
    sign_in(client, "product@example.com")
    return client


@pytest.mark.parametrize("strings", CHUNKS, ids=CHUNK_IDS)
def test_search_page_never_fails(search_client, strings):
    baseline = tags_in(search_client.get("/en/search", query_string={"q": "x"}).get_data(True))
    for text in strings:
        for locale in ("en", "ja", "ar"):
            response = search_client.get(
                f"/{locale}/search", query_string={"q": text, "category": text, "page": text}
            )
            assert_handled(response, baseline, text)


@pytest.mark.parametrize("strings", CHUNKS, ids=CHUNK_IDS)
def test_search_api_and_suggest_answer_json(search_client, strings):
    for text in strings:
        for path, args in (
            ("/api/v1/search", {"q": text, "locale": "ja"}),
            ("/api/v1/search", {"q": text, "locale": text, "kind": text, "page": text}),
            ("/api/v1/suggest", {"q": text}),
            ("/api/v1/suggest", {"q": text, "locale": "ar"}),
        ):
            response = search_client.get(path, query_string=args)
            assert response.status_code < 500, (path, response.status_code, text)
            assert response.is_json, (path, text)  # an API error is JSON too, never HTML


@pytest.mark.parametrize("strings", CHUNKS, ids=CHUNK_IDS)
def test_instant_search_log_takes_any_string(search_client, strings):
    token = header_csrf(search_client, "ar")
    for text in strings:
        response = search_client.post(
            "/api/v1/instant-searches", data={"q": text, "locale": "ar", "csrf_token": token}
        )
        assert response.status_code < 500, (response.status_code, text)


@pytest.mark.parametrize("strings", CHUNKS, ids=CHUNK_IDS)
def test_query_explorer_never_fails(product_client, strings):
    page = product_client.get("/insights/explore", query_string={"q": "x"})
    assert page.status_code == 200
    baseline = tags_in(page.get_data(as_text=True))
    for text in strings:
        for args in ({"q": text}, {"q": text, "locale": text, "start": text, "end": text}):
            response = product_client.get("/insights/explore", query_string=args)
            assert_handled(response, baseline, text)
