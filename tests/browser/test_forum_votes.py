"""Forum topics in Chromium: votes change in place without a reload; long topics have pages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import describe, run_axe
from tests.browser.test_ask_journey import sign_up

pytestmark = pytest.mark.full_chromium  # a customer's path, in the whole browser

REPLIES = 5


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core, as test_accessibility.py loads it."""
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class VoteTopic:
    path: str
    reply_ids: list[int]


@pytest.fixture(scope="module")
def vote_topic(live_server) -> VoteTopic:
    """A topic in the live database with replies by someone other than the test's voter."""
    from app.accounts.models import User
    from app.clock import utcnow
    from app.extensions import db
    from app.forum import services
    from app.forum.models import ForumCategory
    from app.forum.paths import topic_path
    from app.forum.seeding import ensure_categories

    unique = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        ensure_categories()
        old = utcnow() - timedelta(days=365)  # past the new-account spam limits
        asker, helper = (
            User(email=f"{name}-{unique}@example.com", display_name=name.title(), created_at=old)
            for name in ("voteasker", "votehelper")
        )
        for user in (asker, helper):
            user.set_password("plum orchard lantern 42")
        db.session.add_all([asker, helper])
        db.session.commit()
        questions = db.session.scalars(db.select(ForumCategory).filter_by(slug="questions")).one()
        topic = services.create_topic(
            asker, questions, "en", f"Where did my {unique} board go?", "It vanished.", ["board"]
        )
        replies = [
            services.create_reply(helper, topic, f"Check the archive, step {n}.")
            for n in range(1, REPLIES + 1)
        ]
        found = VoteTopic(topic_path("en", topic.id, topic.title), [reply.id for reply in replies])
        db.session.remove()
    return found


def vote_count(live_server, post_id: int) -> int:
    [(count,)] = live_server.query("SELECT vote_count FROM forum_post WHERE id = ?", (post_id,))
    return count


def assert_no_axe_violations(page: Page, source: str) -> None:
    violations = run_axe(page, source)
    assert not violations, describe(violations)


def test_vote_changes_in_place_and_persists(
    new_page, live_server, vote_topic, axe_script, screenshot
):
    page = new_page()
    sign_up(page, "Voter", vote_topic.path)
    reply_id = vote_topic.reply_ids[0]
    button = page.locator(f"#post-{reply_id} button.vote-button")
    count = page.locator(f"#post-{reply_id}-votes")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text("0 votes")
    expect(page.get_by_role("button", name="Upvote (post by Votehelper)")).to_have_count(REPLIES)

    url = page.url
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("() => { window.stillTheSamePage = true; }")
    with page.expect_response(lambda response: response.url.endswith("/vote")) as sent:
        button.click()
    assert sent.value.status == 200
    assert sent.value.headers["content-type"].startswith("application/json")
    expect(count).to_have_text("1 vote")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()  # the button keeps focus (it is never disabled)
    assert page.url == url and navigations == []
    assert page.evaluate("() => window.stillTheSamePage") is True
    assert vote_count(live_server, reply_id) == 1

    assert_no_axe_violations(page, axe_script)
    screenshot(page, "forum-vote-in-place")

    page.reload()
    expect(count).to_have_text("1 vote")
    expect(button).to_have_attribute("aria-pressed", "true")

    button.focus()
    page.keyboard.press("Enter")  # the keyboard takes the vote back, in place too
    expect(count).to_have_text("0 votes")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert vote_count(live_server, reply_id) == 0


def test_without_javascript_the_vote_form_posts_and_comes_back(new_page, live_server, vote_topic):
    page = new_page(java_script_enabled=False)
    sign_up(page, "NoScriptVoter", vote_topic.path)
    reply_id = vote_topic.reply_ids[1]
    page.locator(f"#post-{reply_id} button.vote-button").click()
    page.wait_for_url(f"**{vote_topic.path}#post-{reply_id}")
    expect(page.locator(f"#post-{reply_id}-votes")).to_have_text("1 vote")
    expect(page.locator(f"#post-{reply_id} button.vote-button")).to_have_attribute(
        "aria-pressed", "true"
    )


@pytest.fixture
def two_replies_per_page(live_server) -> Iterator[None]:
    config = live_server.app.config
    before = config["FORUM_REPLIES_PER_PAGE"]
    config["FORUM_REPLIES_PER_PAGE"] = 2
    try:
        yield
    finally:
        config["FORUM_REPLIES_PER_PAGE"] = before


@pytest.mark.usefixtures("two_replies_per_page")
def test_long_topic_pages(page, vote_topic, axe_script):
    page.goto(vote_topic.path)
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 3")
    expect(page.locator("section.replies article.post")).to_have_count(2)
    pages.get_by_role("link", name="Next").click()
    page.wait_for_url(f"**{vote_topic.path}?page=2")
    expect(page.locator("section.replies article.post")).to_have_count(2)
    expect(page.locator(".post-question")).to_have_count(0)
    expect(page.get_by_role("link", name="Read the question")).to_be_visible()
    assert_no_axe_violations(page, axe_script)


def test_a_vote_that_cannot_be_sent_is_explained_in_place(
    new_page, live_server, vote_topic, browser_errors
):
    browser_errors.allow(r"status of 429|net::ERR_FAILED")
    page = new_page()
    sign_up(page, "BusyVoter", vote_topic.path)
    reply_id = vote_topic.reply_ids[2]
    button = page.locator(f"#post-{reply_id} button.vote-button")
    message = page.locator(f"#post-{reply_id} .vote-message")
    url = page.url

    page.route("**/vote", lambda route: route.fulfill(status=429, body="Too many requests"))
    button.click()
    expect(message).to_have_text("You are doing that too often. Please wait a moment.")
    expect(message).to_have_attribute("role", "alert")
    page.unroute("**/vote")
    page.route("**/vote", lambda route: route.abort())
    button.click()
    expect(message).to_have_text("That did not work. Please try again.")
    expect(page.locator(f"#post-{reply_id}-votes")).to_have_text("0 votes")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.url == url and vote_count(live_server, reply_id) == 0

    page.unroute("**/vote")
    button.click()  # sent for real: the message goes, the vote counts
    expect(page.locator(f"#post-{reply_id}-votes")).to_have_text("1 vote")
    expect(message).to_have_count(0)
