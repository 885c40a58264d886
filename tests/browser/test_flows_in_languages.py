"""Issue 18 in Chromium: every flow right in English, Japanese and Arabic (items 1-5 and 8).

Screenshots of the account page (item 1) and the staff tables (item 3) in ar and ja are saved
under the test's tmp path (printed with -s) to be looked at; axe checks every page shown.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser import test_accessibility as a11y
from tests.browser import test_ask_journey
from tests.browser.test_accessibility import assert_no_axe_violations, expect_language, sign_in_to

# Fixtures shared with the accessibility and ask tests (same live database).
axe_source = a11y.axe_source
forum_live = test_ask_journey.forum_live

PASSWORD = "quiet harbour lantern 18"


def shot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def make_account(live_server, role: str, locale: str, name: str) -> str:
    """A user in the live database with a profile language; returns the email."""
    from app.accounts.models import User

    email = f"{role}-{locale}-{uuid.uuid4().hex[:8]}@example.com"
    with live_server.app.app_context():
        user = User(email=email, display_name=name, role=role, locale=locale)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return email


@pytest.mark.parametrize("locale", ["ar", "ja"])
def test_sign_in_follows_the_page_the_visitor_came_from(
    new_page,
    live_server,
    axe_source,
    tmp_path,
    locale,
):
    """Item 1: an English browser opening an Arabic/Japanese ask page signs in in that language."""
    page = new_page(locale="en-US")
    page.goto(f"/{locale}/community/ask")
    page.wait_for_url("**/account/sign-in?next=**")
    expect_language(page, locale)
    expect(page.locator("main h1")).to_have_text(live_server.gettext(locale, "Sign in"))
    expect(page.locator(".flash")).to_have_text(
        live_server.gettext(locale, "Sign in to ask the community a question.")
    )
    shot(page, tmp_path, f"sign-in-{locale}")
    assert_no_axe_violations(page, axe_source, f"sign-in from /{locale}/ ({locale})")


@pytest.fixture
def topic_with_one_reply(forum_live):
    """An English topic by a customer whose profile is Japanese, with one reply by another."""
    from app.accounts.models import User
    from app.forum.models import ForumCategory, Notification, Post, Topic
    from app.forum.spam import body_digest

    asker_email = make_account(forum_live, "customer", "ja", "Aiko")
    with forum_live.app.app_context():
        asker = db.session.scalar(db.select(User).where(User.email == asker_email))
        helper = User(email=f"helper-{uuid.uuid4().hex[:8]}@example.com", display_name="Hal")
        helper.set_password(PASSWORD)
        category = db.session.scalars(db.select(ForumCategory)).first()
        topic = Topic(
            locale="en", category=category, author=asker, title=f"Export {uuid.uuid4().hex[:6]}"
        )
        db.session.add_all([helper, topic])
        db.session.flush()
        posts = []
        for author, body, first in ((asker, "Where is the export?", True), (helper, None, False)):
            text = body or "Open **Settings**, then *Export*."
            html = "<p>Open <strong>Settings</strong>, then <em>Export</em>.</p>"
            post = Post(
                topic=topic,
                author=author,
                is_first=first,
                body_markdown=text,
                body_html=f"<p>{text}</p>" if first else html,
                body_digest=body_digest(text + topic.title),
            )
            db.session.add(post)
            posts.append(post)
        topic.reply_count = 1
        db.session.flush()
        db.session.add(Notification(user_id=asker.id, kind="reply", topic_id=topic.id))
        db.session.commit()
        found = (asker_email, topic.id, posts[1].id)
        db.session.remove()
    return found


def test_accepting_the_only_reply_on_an_english_topic_as_a_japanese_user(
    new_page,
    forum_live,
    axe_source,
    topic_with_one_reply,
):
    """Items 2 and 8: the flash is English, next to the accepted post; no empty "Other
    replies"; one visible "Your reply"; the unread count in the header of every page."""
    email, topic_id, reply_id = topic_with_one_reply
    page = new_page(locale="ja-JP")
    sign_in_to(page, email, PASSWORD, f"/en/community/topics/{topic_id}", lands_on="**/topics/**")
    expect_language(page, "en")
    # The header shows the unread notification, here and on pages outside the community.
    expect(page.locator(".header-notifications .badge")).to_have_text("1")
    page.locator(f"#post-{reply_id} form[action$='/accept'] button").click()
    page.wait_for_url(f"**#post-{reply_id}")
    thanks = forum_live.gettext("en", "Marked as the accepted answer: the topic is solved.")
    flash = page.locator(f"#post-{reply_id} .flash")
    expect(flash).to_have_text(thanks)
    expect(flash).to_be_in_viewport()
    expect(page.locator("main > .flashes")).to_have_count(0)
    expect(page.locator("#replies-title")).to_have_count(0)
    expect(page.get_by_text("Other replies")).to_have_count(0)
    expect(page.locator("#reply-title")).to_have_text("Your reply")
    expect(page.locator("label[for=body]")).to_have_class("visually-hidden")
    assert_no_axe_violations(page, axe_source, "topic after accepting (en, ja profile)")
    for path in ("/ja/", "/account/profile"):
        page.goto(path)
        expect(page.locator(".header-notifications .badge")).to_have_text("1")


@pytest.fixture(scope="module")
def staff_by_locale(live_server):
    """A CS editor (editor and insights pages) with each profile language, and Arabic/Japanese
    names for the knowledge base's categories where the content has none."""
    from app.kb.models import Category

    with live_server.app.app_context():
        names = {}
        for category in db.session.scalars(db.select(Category)):
            names[category.slug] = {loc: category.name_in(loc) for loc in ("en", "ar", "ja")}
        db.session.remove()
    staff = {loc: make_account(live_server, "cs_editor", loc, "Nadia") for loc in ("ar", "ja")}
    return staff, names


@pytest.mark.parametrize("locale", ["ar", "ja"])
def test_staff_tables_isolate_latin_titles_and_name_categories_in_the_staff_language(
    new_page,
    live_server,
    axe_source,
    tmp_path,
    staff_by_locale,
    locale,
):
    """Items 3, 4, 5: /editor/ and /insights/ for an Arabic or Japanese profile."""
    staff, names = staff_by_locale
    page = new_page(locale="en-US")
    sign_in_to(page, staff[locale], PASSWORD, "/editor/?locale=en", lands_on="**/editor/**")
    expect_language(page, locale)
    titles = page.locator("table a[lang=en]")
    expect(titles.first).to_be_visible()
    # Every English title in the table is isolated from the page's direction.
    assert titles.count() == page.locator("table a[lang=en] > bdi").count() > 0
    isolation = page.locator("table a[lang=en] > bdi").first.evaluate(
        "element => getComputedStyle(element).unicodeBidi"
    )
    assert isolation == "isolate"
    shot(page, tmp_path, f"editor-{locale}")
    assert_no_axe_violations(page, axe_source, f"/editor/ ({locale})")

    page.goto("/insights/")
    expect_language(page, locale)
    options = page.locator("select#category option")
    shown = options.all_text_contents()[1:]  # after "All categories"
    assert set(shown) == {category[locale] for category in names.values()}
    assert not set(shown) & {category["en"] for category in names.values()} - {
        category[locale] for category in names.values()
    }
    shot(page, tmp_path, f"insights-{locale}")
    assert_no_axe_violations(page, axe_source, f"/insights/ ({locale})")

    page.goto("/insights/tokens")
    hint = page.locator("#tokens-heading ~ p.hint").first
    expect(hint).to_contain_text("Bearer <token>")
    expect(hint).to_contain_text("/api/v1/insights/<table>")
    expect(page.locator("#tokens-heading ~ form")).to_have_count(1)  # no stray <table> ate it
    assert_no_axe_violations(page, axe_source, f"/insights/tokens ({locale})")


@pytest.fixture
def flagged_markdown_post(topic_with_one_reply, forum_live):
    """The reply flagged, and an Arabic-speaking moderator; the flag is resolved afterwards so
    the queue other tests look at is as they left it."""
    from app.clock import utcnow
    from app.forum.models import Flag

    email, _topic_id, reply_id = topic_with_one_reply
    moderator = make_account(forum_live, "moderator", "ar", "Mona")
    with forum_live.app.app_context():
        from app.accounts.models import User

        reporter = db.session.scalar(db.select(User).where(User.email == email))
        flag = Flag(post_id=reply_id, reporter_id=reporter.id, reason="spam")
        db.session.add(flag)
        db.session.commit()
        flag_id = flag.id
        db.session.remove()
    yield moderator
    with forum_live.app.app_context():
        db.session.get(Flag, flag_id).resolved_at = utcnow()
        db.session.commit()
        db.session.remove()


def test_the_queue_shows_the_rendered_post(new_page, axe_source, flagged_markdown_post):
    """Item 8: the moderation queue shows the post as readers see it, not its Markdown."""
    page = new_page(locale="en-US")
    sign_in_to(page, flagged_markdown_post, PASSWORD, "/moderation/")
    expect_language(page, "ar")
    excerpt = page.locator(".mod-excerpt").filter(has=page.locator("strong"))
    expect(excerpt.locator("strong")).to_have_text("Settings")
    expect(excerpt).not_to_contain_text("**")
    expect(excerpt).to_have_attribute("dir", "auto")
    assert_no_axe_violations(page, axe_source, "/moderation/ (ar)")
