"""An anonymous reader's article page sets no cookie and their view counts exactly once."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

ARTICLE = "change-your-email-address"


def views(live_server, locale: str, slug: str) -> tuple[int, int]:
    [(article_id, view_count)] = live_server.query(
        "SELECT id, view_count FROM kb_article WHERE locale = ? AND slug = ?", (locale, slug)
    )
    [(events,)] = live_server.query(
        "SELECT count(*) FROM insights_event WHERE name = 'article_view' AND subject_id = ?",
        (article_id,),
    )
    return view_count, events


def settled_views(live_server, locale: str, slug: str, expected: tuple[int, int]):
    """The counts once the beacon has landed (it is sent after the page loads), then 1 s more."""
    deadline = time.time() + 10
    while views(live_server, locale, slug) != expected and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # nothing else may arrive: exactly once
    return views(live_server, locale, slug)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_reader_gets_no_cookie_and_one_counted_view(new_page, live_server, javascript):
    page = new_page(java_script_enabled=javascript)
    before = views(live_server, "ja", ARTICLE)
    response = page.goto(f"/ja/articles/{ARTICLE}")
    assert response.status == 200
    headers = response.all_headers()
    assert "set-cookie" not in headers
    assert headers["cache-control"].startswith("public")
    expected = (before[0] + 1, before[1] + 1)
    assert settled_views(live_server, "ja", ARTICLE, expected) == expected
    assert page.context.cookies() == []

    page.reload()  # a reload is a new view
    expected = (before[0] + 2, before[1] + 2)
    assert settled_views(live_server, "ja", ARTICLE, expected) == expected
    assert page.context.cookies() == []


def test_vote_without_javascript_is_confirmed_once(new_page, live_server, browser_errors):
    # the confirm page answers 400: the tokenless post itself was refused, nothing stored
    browser_errors.allow(r"status of 400 \(BAD REQUEST\) \(.*/feedback\)")
    page = new_page(java_script_enabled=False)
    page.goto(f"/en/articles/{ARTICLE}")
    page.locator("section#feedback button[name=helpful][value=yes]").click()
    expect(page.locator("h1")).to_have_text(live_server.gettext("en", "Confirm"))
    page.get_by_role("button", name=live_server.gettext("en", "Confirm")).click()
    expect(page.locator(".flash")).to_have_text(
        live_server.gettext("en", "Thanks for letting us know!")
    )
    [(votes,)] = live_server.query(
        "SELECT count(*) FROM kb_article_feedback f JOIN kb_article a ON a.id = f.article_id "
        "WHERE a.locale = 'en' AND a.slug = ? AND f.helpful",
        (ARTICLE,),
    )
    assert votes == 1


def test_vote_with_javascript_fetches_its_token(page, live_server):
    page.goto(f"/en/articles/{ARTICLE}")
    assert page.context.cookies() == []
    page.locator("section#feedback button[name=helpful][value=no]").click()
    expect(page.locator("form.feedback-details")).to_be_visible()
    assert [c["name"] for c in page.context.cookies()] == ["session"]


def search_events(live_server, query: str) -> list[tuple[str, str]]:
    return live_server.query(
        "SELECT session_key, json_extract(data, '$.source') FROM insights_event "
        "WHERE name = 'search' AND json_extract(data, '$.query') = ?",
        (query,),
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_anonymous_search_sets_no_cookie_and_counts_once(new_page, live_server, javascript):
    query = f"invoice {'js' if javascript else 'nojs'}"
    page = new_page(java_script_enabled=javascript)
    response = page.goto(f"/en/search?q={query.replace(' ', '+')}")
    assert response.status == 200
    assert "set-cookie" not in response.all_headers()
    # with JS, the page's beacon hands the event to the browser's visitor key (the key its
    # article views carry); without JS the event keeps the one-off key it was recorded with
    visitor = page.evaluate("JSON.parse(localStorage.getItem('tp_vk')).key") if javascript else None
    deadline = time.time() + 10
    while javascript and search_events(live_server, query)[0][0] != visitor:
        assert time.time() < deadline, "the search page's beacon never arrived"
        time.sleep(0.1)
    time.sleep(1)  # nothing else may arrive: exactly once
    [(key, source)] = search_events(live_server, query)
    assert source == "search_page" and key
    assert key == visitor if javascript else key is not None
    assert page.context.cookies() == []
