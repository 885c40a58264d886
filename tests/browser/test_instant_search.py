"""The header's instant search: matches while typing, keyboard choice, and no JavaScript at all."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import run_axe

ARTICLE = "reset-your-password"
TYPED = {"en": "reset pass", "ja": "パスワード", "ar": "كلمة المرور"}
LABEL = "Search help articles"


@pytest.fixture(scope="module")
def live_index(live_server):
    """The live server; its search rows were written with its content."""
    return live_server


@pytest.fixture(scope="module")
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def article_title(live_server, locale: str, slug: str) -> str:
    [(title,)] = live_server.query(
        "SELECT title FROM kb_article WHERE locale = ? AND slug = ?", (locale, slug)
    )
    return title


def instant_queries(live_server) -> list[str]:
    rows = live_server.query("SELECT data FROM insights_event WHERE name = 'search'")
    events = [json.loads(data) for (data,) in rows]
    return [e["query"] for e in events if e.get("source") == "instant"]


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_typing_shows_matches_and_the_keyboard_opens_one(
    page: Page, live_index, screenshot, axe_source, locale: str
):
    live_server = live_index
    title = article_title(live_server, locale, ARTICLE)
    suggest_calls: list[str] = []
    page.on(
        "request",
        lambda request: (
            suggest_calls.append(request.url) if "/api/v1/suggest" in request.url else None
        ),
    )
    page.goto(f"/{locale}/")
    box = page.get_by_role("combobox", name=live_server.gettext(locale, LABEL))
    expect(box).to_have_attribute("aria-expanded", "false")
    listbox = page.get_by_role("listbox")
    expect(box).to_have_attribute("aria-controls", re.compile(r"\S+"))
    listbox_id = box.get_attribute("aria-controls")
    expect(page.locator(f"#{listbox_id}")).to_be_hidden()

    box.press_sequentially(TYPED[locale], delay=30)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox).to_be_visible()
    expect(listbox).to_have_attribute("id", listbox_id)
    expect(listbox).to_have_attribute("aria-label", re.compile(r"\S+"))
    options = listbox.get_by_role("option")
    expect(options.filter(has_text=title)).to_have_count(1)
    # Debounced: a request once typing pauses, not one per keystroke (usually just one;
    # a loaded test machine may pause mid-word).
    assert 1 <= len(suggest_calls) <= len(TYPED[locale]) // 3, suggest_calls
    assert parse_qs(urlparse(suggest_calls[-1]).query)["q"] == [TYPED[locale]]

    titles = options.all_inner_texts()
    position = next(i for i, text in enumerate(titles) if text.strip() == title)
    for _ in range(position + 1):
        box.press("ArrowDown")
    chosen = options.nth(position)
    expect(chosen).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", chosen.get_attribute("id"))
    expect(box).to_be_focused()  # focus stays in the box; the option is only "active"
    violations = run_axe(page, axe_source)
    assert not violations, violations
    screenshot(page, f"instant-search-{locale}")

    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{locale}/articles/{ARTICLE}$"))
    expect(page.locator("h1")).to_have_text(title)
    # What the visitor settled on was recorded as an instant search, and the choice as a
    # click on it at the position it was shown.
    assert TYPED[locale] in instant_queries(live_server)
    clicks = [
        json.loads(data)
        for (data,) in live_server.query(
            "SELECT data FROM insights_event WHERE name = 'search_click'"
        )
    ]
    assert {"position": position + 1, "url": f"/{locale}/articles/{ARTICLE}"}.items() <= (
        clicks[-1].items()
    )


def test_a_pause_in_typing_records_the_query_once(page: Page, live_index):
    live_server = live_index
    before = instant_queries(live_server)
    page.goto("/en/articles/refund-policy")
    box = page.get_by_role("combobox", name=LABEL)
    box.press_sequentially("invoice", delay=30)
    expect(page.get_by_role("listbox")).to_be_visible()
    # No suggestion chosen, nothing submitted: the pause itself is what gets recorded.
    page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.includes('/api/v1/instant-searches'))",
        timeout=10_000,
    )
    page.wait_for_timeout(300)
    assert instant_queries(live_server)[len(before) :] == ["invoice"]


def test_escape_closes_the_list(page: Page, live_index):
    page.goto("/en/")
    box = page.get_by_role("combobox", name=LABEL)
    box.press_sequentially("invoice", delay=40)
    expect(page.get_by_role("listbox")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_without_javascript_the_box_submits_to_the_results_page(new_page, live_index, locale: str):
    live_server = live_index
    page = new_page(java_script_enabled=False)
    page.goto(f"/{locale}/")
    box = page.get_by_role("searchbox", name=live_server.gettext(locale, LABEL))
    expect(box).not_to_have_attribute("role", "combobox")
    box.fill(TYPED[locale])
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{locale}/search\?q="))
    title = article_title(live_server, locale, ARTICLE)
    expect(page.get_by_role("link", name=title).first).to_be_visible()
    expect(page.get_by_role("listbox")).to_have_count(0)
