"""Printing an article prints the article only; dark mode follows prefers-color-scheme, and
axe finds nothing in it on public and staff pages (light is covered by test_accessibility)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.conftest import BROWSER_LOCALES, FORUM_DEMO_PASSWORD
from tests.browser.test_accessibility import FORUM_DEMO_USER, expect_language, forum_page_path
from tests.browser.test_editor_journey import assert_no_axe_violations
from tests.conftest import make_user

ARTICLE = "download-invoices-and-receipts"  # an FAQ with links, contents and related articles
GUIDE = "set-up-your-workspace"
DARK_PAPER = "rgb(17, 22, 29)"
STAFF = ("dark-admin@example.com", "correct horse battery staple")


def after_content(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el, '::after').content")


@pytest.mark.parametrize("locale", ["ja", "ar"])
def test_printing_an_article_prints_only_the_article(new_page, locale, screenshot):
    page = new_page(locale=BROWSER_LOCALES[locale])
    page.goto(f"/{locale}/articles/{ARTICLE}")
    page.emulate_media(media="print")
    for chrome in (".site-header", ".site-footer", ".breadcrumbs", ".article-aside", "#feedback"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.locator("#article-title")).to_be_visible()
    expect(page.locator("article .prose")).to_be_visible()
    link = "article .prose a[href^='/'], article .prose a[href^='http']"
    assert after_content(page, link).startswith('" (http://127.0.0.1:')
    colors = page.evaluate("getComputedStyle(document.documentElement).color")
    assert colors == "rgb(0, 0, 0)"
    screenshot(page, f"print-article-{locale}")
    # A guide: its steps print without their "Mark as done" buttons.
    page.goto(f"/{locale}/articles/{GUIDE}")
    expect(page.locator("li.step").first).to_be_visible()
    expect(page.locator("li.step button").first).to_be_hidden()


def test_a_printed_page_is_light_even_in_dark_mode(new_page):
    page = new_page(color_scheme="dark")
    page.goto(f"/en/articles/{ARTICLE}")
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == DARK_PAPER
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.documentElement).color") == "rgb(0, 0, 0)"


# Contrast does not depend on the language, so each page is checked in one of them.
PUBLIC_PAGES = [
    ("ar", "/ar/"),
    ("ja", "/ja/categories/getting-started"),
    ("ar", f"/ar/articles/{ARTICLE}"),
    ("ja", f"/ja/articles/{ARTICLE}"),
    ("en", "/en/search?q=password"),
    ("ja", "/ja/articles/no-such-article"),
    ("en", "/account/sign-in"),
    ("ar", "/ar/developers/api"),
]


def expect_dark_paper(page: Page, path: str) -> None:
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == DARK_PAPER, path


@pytest.mark.parametrize(("locale", "path"), PUBLIC_PAGES)
def test_public_pages_follow_the_dark_scheme_with_no_axe_violations(
    looking_page, browser_errors, screenshot, locale, path
):
    browser_errors.allow(r"status of 404")
    page = looking_page(locale, color_scheme="dark")
    page.goto(path)
    expect_language(page, locale)
    expect_dark_paper(page, path)
    if path.endswith(ARTICLE):
        screenshot(page, f"dark-article-{locale}")
    assert_no_axe_violations(page, f"{path} (dark)")


def test_a_guide_with_a_step_done_in_the_dark_has_no_axe_violations(new_page):
    """A pressed toggle on a done step."""
    page = new_page(locale=BROWSER_LOCALES["ar"], color_scheme="dark")
    page.goto(f"/ar/articles/{GUIDE}")
    page.locator("li.step button.step-toggle").first.click()
    expect(page.locator("li.step").first).to_have_attribute("class", "step step-done")
    expect_dark_paper(page, GUIDE)
    assert_no_axe_violations(page, "guide with a step done (ar, dark)")


@pytest.fixture(scope="module")
def staff_in_live_db(live_server) -> tuple[str, str]:
    with live_server.app.app_context():
        make_user(STAFF[0], STAFF[1], role="admin", name="Dark Admin")
        db.session.remove()
    return STAFF


STAFF_PAGES = {
    "ar": [
        "/editor/",
        "edit",
        "/editor/media",
        "/insights/",
        "/insights/voice",
        "/insights/needs/",
        "/moderation/",
    ],
    "ja": [
        "/editor/articles/new",
        "edit",
        "/editor/translations",
        "/insights/product",
        "/insights/explore",
        "/insights/milestones/",
        "/insights/tasks",
        "/admin/users",
    ],
}


@pytest.mark.parametrize("locale", ["ja", "ar"])
def test_staff_pages_follow_the_dark_scheme_with_no_axe_violations(
    looking_page, signed_in, live_server, staff_in_live_db, locale, screenshot
):
    [(article_id,)] = live_server.query(
        "SELECT id FROM kb_article WHERE locale = ? AND slug = ?", (locale, ARTICLE)
    )
    page = looking_page(locale, color_scheme="dark", storage_state=signed_in(*staff_in_live_db))
    for path in STAFF_PAGES[locale]:
        if path == "edit":
            path = f"/editor/articles/{article_id}/edit"
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "/account/sign-in" not in page.url, f"{path}: the cookies did not sign in"
        expect_language(page, locale)
        expect_dark_paper(page, path)
        if path.endswith("/edit"):
            screenshot(page, f"dark-editor-{locale}")
        assert_no_axe_violations(page, f"{path} ({locale}, dark)")


# Each forum page once in the dark, in a language of its own (contrast is the same in all).
FORUM_PAGES_IN_THE_DARK = [
    ("ja", "forum-index"),
    ("en", "forum-category"),
    ("ar", "forum-topic"),
    ("ja", "forum-topic-signed-in"),
    ("ar", "forum-profile"),
]


@pytest.mark.parametrize(("locale", "name"), FORUM_PAGES_IN_THE_DARK)
def test_forum_pages_follow_the_dark_scheme_with_no_axe_violations(
    looking_page, signed_in, forum_demo, locale, name
):
    path = forum_page_path(forum_demo, locale, name)
    signed = name == "forum-topic-signed-in"  # vote, accept, follow buttons and the reply form
    state = signed_in(FORUM_DEMO_USER, FORUM_DEMO_PASSWORD) if signed else None
    page = looking_page(locale, color_scheme="dark", storage_state=state)
    response = page.goto(path)
    assert response is not None and response.status == 200
    if signed:
        expect(page.locator("form.reply-form")).to_be_visible()
    expect_language(page, locale)
    expect_dark_paper(page, path)
    assert_no_axe_violations(page, f"{name} ({locale}, dark)")
