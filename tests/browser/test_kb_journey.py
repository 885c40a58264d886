"""A visitor's path through the knowledge base in English, Japanese and Arabic."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.full_chromium  # a customer's path, in the whole browser

CATEGORY = "account-and-sign-in"
ARTICLE = "reset-your-password"
GUIDE = "set-up-your-workspace"
COMMENTS = {
    "en": "Step 2 mentions a Security tab that I cannot find.",
    "ja": "手順2の「セキュリティ」タブが見つかりません。",
    "ar": "لا أجد علامة التبويب «الأمان» المذكورة في الخطوة 2.",
}


def article_row(live_server, locale: str, slug: str) -> dict:
    [(article_id, title, updated_at, toc)] = live_server.query(
        "SELECT id, title, updated_at, toc FROM kb_article WHERE locale = ? AND slug = ?",
        (locale, slug),
    )
    return {
        "id": article_id,
        "title": title,
        "updated_at": datetime.fromisoformat(updated_at),
        "toc": json.loads(toc),
    }


def category_name(live_server, locale: str, slug: str) -> str:
    [(names,)] = live_server.query("SELECT names FROM kb_category WHERE slug = ?", (slug,))
    return json.loads(names)[locale]


def guide_step_count(live_server, locale: str, slug: str) -> int:
    [(count,)] = live_server.query(
        "SELECT count(*) FROM kb_guide_step JOIN kb_article ON kb_article.id = article_id"
        " WHERE locale = ? AND slug = ?",
        (locale, slug),
    )
    return count


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found


def assert_layout_direction(page: Page, rtl: bool) -> None:
    """The aside sits after the article in reading order: right in LTR, left in RTL."""
    article, toc = box(page, "article.article"), box(page, "nav.toc")
    crumbs = page.locator("nav.breadcrumbs li")
    first, last = crumbs.first.bounding_box(), crumbs.last.bounding_box()
    if rtl:
        assert toc["x"] + toc["width"] <= article["x"], (toc, article)
        assert first["x"] > last["x"], "breadcrumbs should read right to left"
    else:
        assert toc["x"] >= article["x"] + article["width"], (toc, article)
        assert first["x"] < last["x"], "breadcrumbs should read left to right"


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_visitor_reads_an_article_and_says_why_it_did_not_help(
    page: Page, live_server, screenshot, locale: str
):
    article = article_row(live_server, locale, ARTICLE)
    category = category_name(live_server, locale, CATEGORY)

    page.goto(f"/{locale}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", locale)
    expect(html).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")

    page.locator(".category-card").get_by_role("link", name=category).click()
    expect(page).to_have_url(f"{live_server.url}/{locale}/categories/{CATEGORY}")
    expect(page.get_by_role("heading", level=1)).to_have_text(category)

    page.locator(".article-list").get_by_role("link", name=article["title"], exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/{locale}/articles/{ARTICLE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(article["title"])

    # Breadcrumbs lead back to the Help Center and the category.
    crumbs = page.locator("nav.breadcrumbs li")
    expect(crumbs).to_have_count(3)
    expect(crumbs.nth(0).get_by_role("link")).to_have_attribute("href", f"/{locale}/")
    expect(crumbs.nth(1).get_by_role("link")).to_have_text(category)
    expect(crumbs.nth(2).locator("[aria-current=page]")).to_have_text(article["title"])

    # The table of contents lists the article's sections and jumps to them.
    toc_links = page.locator("nav.toc a")
    expect(toc_links).to_have_text([heading["text"] for heading in article["toc"]])
    last = article["toc"][-1]
    toc_links.last.click()
    target = page.locator(f'[id="{last["anchor"]}"]')
    expect(target).to_have_text(last["text"])
    expect(target).to_be_in_viewport()

    # "Last updated" shows the stored date, formatted for the reader's language.
    updated = page.locator(".article-header time")
    expect(updated).to_have_attribute("datetime", article["updated_at"].strftime("%Y-%m-%d"))
    expect(updated).to_have_text(live_server.format_date(locale, article["updated_at"]))

    assert_layout_direction(page, rtl=locale == "ar")

    # "Was this helpful?" → No → a reason and a comment → thank you.
    feedback = page.locator("section#feedback")
    feedback.locator("button[name=helpful][value=no]").click()
    expect(page).to_have_url(re.compile(r"#feedback$"))
    details = feedback.locator("form.feedback-details")
    expect(details).to_be_visible()
    details.locator("input[name=reason][value=unclear]").check()
    details.get_by_role("textbox").fill(COMMENTS[locale])
    details.locator("button[type=submit]").click()

    thanks = live_server.gettext(locale, "Thank you — your feedback was sent to our team.")
    expect(page.locator(".flashes").get_by_role("status")).to_have_text(thanks)
    expect(details).to_have_count(0)
    expect(feedback.locator("button[name=helpful]")).to_have_count(0)

    rows = live_server.query(
        "SELECT helpful, reason, comment FROM kb_article_feedback WHERE article_id = ?",
        (article["id"],),
    )
    assert (0, "unclear", COMMENTS[locale]) in rows

    page.evaluate("window.scrollTo(0, 0)")  # the aside is sticky: shoot it where it starts
    screenshot(page, f"article-{locale}")


def test_guide_progress_updates_in_place_and_survives_a_reload(page: Page, live_server):
    total = guide_step_count(live_server, "en", GUIDE)
    assert total >= 3
    page.goto(f"/en/articles/{GUIDE}")
    progress = page.locator("#guide-progress .progress-text")
    bar = page.locator("#guide-progress progress")
    steps = page.locator("ol.steps > li.step")
    expect(steps).to_have_count(total)
    expect(progress).to_have_text(f"0 of {total} done")

    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    for index in (0, 2):
        steps.nth(index).locator("button.step-toggle").click()
        expect(steps.nth(index)).to_have_class(re.compile(r"\bstep-done\b"))
    expect(progress).to_have_text(f"2 of {total} done")
    expect(bar).to_have_js_property("value", 2)
    expect(steps.nth(0).locator("button.step-toggle")).to_have_attribute("aria-pressed", "true")
    expect(steps.nth(1).locator("button.step-toggle")).to_have_attribute("aria-pressed", "false")
    titles = [steps.nth(index).locator("h3").inner_text() for index in (0, 1, 2)]
    expect(steps.nth(0).locator("button.step-toggle")).to_have_accessible_name(
        f"Done — undo: {titles[0]}"
    )
    expect(steps.nth(0).locator(".step-toggle-label")).to_have_text("Done — undo")
    expect(steps.nth(1).locator("button.step-toggle")).to_have_accessible_name(
        f"Mark as done: {titles[1]}"
    )
    assert page.evaluate("window.sameDocument === true"), "ticking a step reloaded the page"

    page.reload()
    expect(progress).to_have_text(f"2 of {total} done")
    done = [
        index for index in range(total) if "step-done" in steps.nth(index).get_attribute("class")
    ]
    assert done == [0, 2]

    # Undo works the same way.
    steps.nth(2).locator("button.step-toggle").click()
    expect(progress).to_have_text(f"1 of {total} done")
    expect(steps.nth(2)).not_to_have_class(re.compile(r"\bstep-done\b"))
    expect(steps.nth(2).locator("button.step-toggle")).to_have_accessible_name(
        f"Mark as done: {titles[2]}"
    )
    expect(steps.nth(2).locator(".step-toggle-label")).to_have_text("Mark as done")


def test_guide_steps_work_without_javascript(new_page, live_server, browser_errors):
    browser_errors.allow(r"status of 400 \(BAD REQUEST\) \(.*/steps/")  # the confirm page
    page = new_page(java_script_enabled=False)
    total = guide_step_count(live_server, "en", GUIDE)
    page.goto(f"/en/articles/{GUIDE}")
    progress = page.locator("#guide-progress .progress-text")
    expect(progress).to_have_text(f"0 of {total} done")

    first = page.locator("ol.steps > li.step").first
    step_id = first.get_attribute("id")
    first.locator("button.step-toggle").click()  # a plain form post and redirect
    # The cached page had no token: the first post is confirmed once, with one.
    page.get_by_role("button", name=live_server.gettext("en", "Confirm")).click()
    expect(page).to_have_url(re.compile(f"/en/articles/{GUIDE}#{step_id}$"))
    expect(progress).to_have_text(f"1 of {total} done")
    expect(first).to_have_class(re.compile(r"\bstep-done\b"))
    expect(first.locator("button.step-toggle")).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(progress).to_have_text(f"1 of {total} done")

    first.locator("button.step-toggle").click()
    expect(progress).to_have_text(f"0 of {total} done")


def test_language_switcher_keeps_the_reader_on_the_same_article(page: Page, live_server):
    english = article_row(live_server, "en", ARTICLE)
    japanese = article_row(live_server, "ja", ARTICLE)
    arabic = article_row(live_server, "ar", ARTICLE)
    switcher = page.locator("nav.lang-switch")

    page.goto(f"/en/articles/{ARTICLE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(english["title"])
    switcher.get_by_role("link", name="日本語").click()

    expect(page).to_have_url(f"{live_server.url}/ja/articles/{ARTICLE}")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(japanese["title"])
    expect(switcher.get_by_role("link", name="日本語")).to_have_attribute("aria-current", "true")

    switcher.get_by_role("link", name="العربية").click()
    expect(page).to_have_url(f"{live_server.url}/ar/articles/{ARTICLE}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(arabic["title"])
