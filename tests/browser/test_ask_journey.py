"""The ask flow in Chromium: suggestions while typing, posting, answering, accepting, deflecting."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db

PASSWORD = "plum orchard lantern 42"
ARTICLE = "reset-your-password"
TYPED = {"en": "How do I reset my password", "ja": "パスワード", "ar": "كلمة المرور"}


@pytest.fixture(scope="module")
def forum_live(live_server):
    """The live server with the default forum categories (search rows came with its content)."""
    with live_server.app.app_context():
        from app.forum.seeding import ensure_categories

        ensure_categories()
        db.session.remove()
    return live_server


def sign_up(page: Page, name: str, next_path: str) -> str:
    """Create a customer account in the browser; returns its email."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:10]}@example.com"
    page.goto(f"/account/sign-up?next={next_path}")
    form = page.locator("main form[method=post]")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=display_name]").fill(name)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")
    return email


def user_id(live_server, email: str) -> int:
    [(found,)] = live_server.query("SELECT id FROM account_user WHERE email = ?", (email,))
    return found


def article_title(live_server, locale: str, slug: str) -> str:
    [(title,)] = live_server.query(
        "SELECT title FROM kb_article WHERE locale = ? AND slug = ?", (locale, slug)
    )
    return title


def type_title(page: Page, text: str) -> None:
    """Type like a person, so the debounced suggestions fire while typing, not only at the end."""
    page.locator("#title").press_sequentially(text, delay=40)


def suggestions(page: Page):
    return page.locator("#ask-suggestions .ask-suggestion a")


def test_ask_answer_accept_and_find(new_page, forum_live, screenshot):
    live_server = forum_live
    unique = f"quokka{uuid.uuid4().hex[:6]}"
    title = f"{TYPED['en']} on the {unique} tablet?"

    asker = new_page()
    asker_email = sign_up(asker, "Asker", "/en/community/ask")
    expect(asker.locator("h1")).to_have_text("Ask the community")
    type_title(asker, TYPED["en"])
    # Suggestions appear beside the form while typing, before anything is submitted.
    expect(suggestions(asker).first).to_be_visible()
    expect(
        suggestions(asker).filter(has_text=article_title(live_server, "en", ARTICLE))
    ).to_have_count(1)
    expect(asker.locator("#ask-suggestions")).to_have_attribute("aria-live", "polite")
    type_title(asker, f" on the {unique} tablet?")
    asker.locator("#tags").fill("password, tablet")
    asker.locator("#body").fill("The reset email never arrives. I checked **spam** too.")
    asker.get_by_role("button", name="Preview my question").click()

    expect(asker.locator("h1")).to_have_text("Preview your question")
    expect(asker.locator(".ask-preview-body strong")).to_have_text("spam")
    asker.get_by_role("button", name="Post my question").click()
    asker.wait_for_url(re.compile(r"/en/community/topics/\d+/"))
    expect(asker.locator("h1")).to_have_text(title)
    topic_url = asker.url
    topic_id = int(re.search(r"/topics/(\d+)/", topic_url).group(1))
    [(stored_title, author)] = live_server.query(
        "SELECT title, author_id FROM forum_topic WHERE id = ?", (topic_id,)
    )
    assert stored_title == title and author == user_id(live_server, asker_email)
    [(posted,)] = live_server.query(
        "SELECT data FROM insights_event WHERE name = 'ask_posted' AND subject_id = ?",
        (topic_id,),
    )
    assert json.loads(posted)["opened_suggestion"] is False

    helper = new_page()
    sign_up(helper, "Helper", topic_url.replace(live_server.url, ""))
    helper.locator("form.reply-form textarea[name=body]").fill(
        "Use **Forgot password?** on the sign-in page, then check the tablet's mail app."
    )
    helper.get_by_role("button", name="Post reply").click()
    expect(helper.locator("section.replies article.post")).to_have_count(1)

    asker.reload()
    asker.get_by_role("button", name="Accept this answer").click()
    expect(asker.locator("section.accepted-answer")).to_be_visible()
    expect(asker.locator(".topic-badges")).to_contain_text("Solved")

    asker.goto(f"/en/search?q={unique}")
    result = asker.locator("li.result").filter(has_text=title)
    expect(result).to_have_count(1)
    expect(result.locator(".badge-solved")).to_have_text("Solved")
    screenshot(asker, "ask-journey-search-solved-en")


def test_ask_deflection(new_page, forum_live):
    live_server = forum_live
    page = new_page()
    email = sign_up(page, "Deflected", "/en/community/ask")
    type_title(page, TYPED["en"])
    title = article_title(live_server, "en", ARTICLE)
    suggestion = suggestions(page).filter(has_text=title)
    expect(suggestion).to_have_count(1)
    suggestion.click()

    page.wait_for_url(re.compile(rf"/en/articles/{ARTICLE}\?from_ask="))
    banner = page.locator("section.ask-banner")
    expect(banner).to_contain_text("Did this answer your question?")
    banner.get_by_role("button", name="Yes, I don't need to post").click()
    page.wait_for_url("**/en/community/ask/thanks")
    expect(page.locator("h1")).to_have_text("Glad that helped")

    uid = user_id(live_server, email)
    [(article,)] = live_server.query(
        "SELECT id FROM kb_article WHERE locale = 'en' AND slug = ?", (ARTICLE,)
    )
    rows = live_server.query(
        "SELECT subject_type, subject_id, data FROM insights_event"
        " WHERE name = 'ask_deflected' AND user_id = ?",
        (uid,),
    )
    assert len(rows) == 1
    subject_type, subject_id, data = rows[0]
    assert (subject_type, subject_id) == ("article", article)
    assert json.loads(data)["flow"]
    funnel = [
        name
        for (name,) in live_server.query(
            "SELECT name FROM insights_event WHERE user_id = ? AND name LIKE 'ask_%' ORDER BY id",
            (uid,),
        )
    ]
    assert funnel == [
        "ask_opened",
        "ask_suggestions_shown",
        "ask_suggestion_opened",
        "ask_deflected",
    ]
    assert page.evaluate("() => window.sessionStorage.getItem('touchpoint.ask.draft')") is None


def test_no_brings_back_the_typed_draft(new_page, forum_live):
    """With JavaScript the draft is kept in the tab's sessionStorage, before any preview."""
    page = new_page()
    sign_up(page, "Undecided", "/en/community/ask")
    type_title(page, TYPED["en"])
    page.locator("#body").fill("It still does not work after two tries.")
    page.locator("#tags").fill("password")
    expect(suggestions(page).first).to_be_visible()
    suggestions(page).first.click()
    page.locator("section.ask-banner").get_by_role("link", name="No, back to my question").click()
    page.wait_for_url(re.compile(r"/en/community/ask\?draft="))
    expect(page.locator("#title")).to_have_value(TYPED["en"])
    expect(page.locator("#body")).to_have_value("It still does not work after two tries.")
    expect(page.locator("#tags")).to_have_value("password")
    expect(suggestions(page).first).to_be_visible()  # shown again for the restored title


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_ask_page_with_suggestions_in_every_language(new_page, forum_live, screenshot, locale):
    page = new_page(locale={"en": "en-US", "ja": "ja-JP", "ar": "ar"}[locale])
    sign_up(page, f"Reader{locale}", f"/{locale}/community/ask")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    type_title(page, TYPED[locale])
    expect(
        suggestions(page).filter(has_text=article_title(forum_live, locale, ARTICLE))
    ).to_have_count(1)
    form, aside = (
        page.locator("#ask-form").bounding_box(),
        page.locator(".ask-aside").bounding_box(),
    )
    if locale == "ar":
        assert aside["x"] + aside["width"] <= form["x"], "suggestions sit left of the form in RTL"
    else:
        assert aside["x"] >= form["x"] + form["width"], "suggestions sit right of the form"
    screenshot(page, f"ask-suggestions-{locale}")


def test_without_javascript_the_preview_shows_the_suggestions(new_page, forum_live):
    page = new_page(java_script_enabled=False)
    sign_up(page, "NoScript", "/en/community/ask")
    page.locator("#title").fill(TYPED["en"])
    page.locator("#body").fill("Nothing arrives in my inbox.")
    page.get_by_role("button", name="Preview my question").click()
    expect(page.locator("h1")).to_have_text("Preview your question")
    title = article_title(forum_live, "en", ARTICLE)
    expect(page.locator(".ask-suggestion a").filter(has_text=title)).to_have_count(1)
    page.locator(".ask-suggestion a").filter(has_text=title).click()
    page.locator("section.ask-banner").get_by_role("link", name="No, back to my question").click()
    expect(page.locator("#title")).to_have_value(TYPED["en"])  # from the server-side draft
    expect(page.locator("#body")).to_have_value("Nothing arrives in my inbox.")
