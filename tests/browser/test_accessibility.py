"""axe-core finds nothing on the main pages, in every shipped language and both directions."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser import conftest
from tests.browser.conftest import BROWSER_LOCALES, FORUM_DEMO_PASSWORD
from tests.browser.test_ask_journey import forum_live, sign_up, type_title  # noqa: F401

LOCALES = ["en", "ja", "ar"]


def vote_no(page: Page) -> None:
    """The feedback form with reasons and a comment box appears after a "No"."""
    page.locator("section#feedback button[name=helpful][value=no]").click()
    expect(page.locator("form.feedback-details")).to_be_visible()


def tick_first_step(page: Page) -> None:
    """A guide with one step done shows both button states and the progress bar."""
    page.locator("li.step button.step-toggle").first.click()
    expect(page.locator("li.step").first).to_have_attribute("class", "step step-done")


def sign_up_and_open_profile(page: Page) -> None:
    """Create an account through the form (it signs in), then open the profile page."""
    page.locator("#email").fill(f"axe-{uuid.uuid4().hex[:12]}@example.com")
    page.locator("#display_name").fill("Axe Tester")
    page.locator("#password").fill("a sturdy passphrase")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    response = page.goto("/account/profile")
    assert response is not None and response.status == 200


PAGES: dict[str, tuple[str, Callable[[Page], None] | None]] = {
    "home": ("/{locale}/", None),
    "category": ("/{locale}/categories/getting-started", None),
    "faq": ("/{locale}/articles/reset-your-password", None),
    "faq-feedback-form": ("/{locale}/articles/cannot-upload-files", vote_no),
    "guide": ("/{locale}/articles/set-up-your-workspace", tick_first_step),
    "not-found": ("/{locale}/articles/no-such-article", None),
    "sign-in": ("/account/sign-in", None),  # no locale in the URL: Accept-Language decides
    "sign-up": ("/account/sign-up", None),
    "password-reset": ("/account/password-reset", None),
    "profile": ("/account/sign-up", sign_up_and_open_profile),
    "api-reference": ("/{locale}/developers/api", None),
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    return conftest.axe_source()


def run_axe(page: Page, axe_source: str) -> list[dict]:
    # The site's CSP forbids inline <script>, so define axe through the DevTools protocol
    # (Runtime.evaluate is outside the page's CSP; no context sets bypass_csp, so the policy
    # still applies to the page's own scripts). Once per document: a navigation clears it.
    # A pooled page (conftest.PagePool) has it already, from an init script.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    # Only the violations come back: the whole result (passes, inapplicable rules) is ~55 KB
    # that Playwright serializes for nothing, ~0.08 s of CPU per run.
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        rule, impact = violation["id"], violation["impact"]
        lines.append(f"{rule} [{impact}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            target = " ".join(
                " > ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            summary = node.get("failureSummary", "").replace("\n", "\n        ")
            lines.append(f"    {target}\n        {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, axe_source: str, where: str) -> None:
    """Fail with axe's report (also printed) if the page has any violation."""
    violations = run_axe(page, axe_source)
    if violations:
        report = describe(violations)
        print(f"axe violations on {where}:\n{report}")
        pytest.fail(f"{len(violations)} axe violation(s) on {where}:\n{report}")


def expect_language(page: Page, locale: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")


def sign_in_to(page: Page, email: str, password: str, path: str, lands_on: str = "") -> None:
    """Sign in through the form, sent on to ``path``; wait for ``lands_on`` (default: path)."""
    page.goto(f"/account/sign-in?next={path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lands_on or f"**{path}")


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("locale", LOCALES)
def test_page_has_no_axe_violations(
    new_page, looking_page, browser_errors, axe_source, locale: str, name: str
):
    path, prepare = PAGES[name]
    # A page that is only looked at borrows a kept one; one that is acted on gets its own.
    page = looking_page(locale) if prepare is None else new_page(locale=BROWSER_LOCALES[locale])
    if name == "not-found":
        browser_errors.allow(r"status of 404")
    response = page.goto(path.format(locale=locale))
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
    expect_language(page, locale)
    if prepare is not None:
        prepare(page)

    assert_no_axe_violations(page, axe_source, f"{name} ({locale})")


# --- Signed-in pages: the moderation queue and log -------------------------------------

A11Y_MODERATOR = ("a11y-moderator@example.com", "correct horse battery staple")


@pytest.fixture(scope="session")
def flagged_post_in_live_db(live_server) -> tuple[str, str]:
    """A moderator, a flagged post and a logged action in the live database.

    The topic is hidden, so pages other tests look at (forum lists, search) never show it.
    """
    from app.accounts.models import User
    from app.audit import AuditEntry
    from app.extensions import db
    from app.forum.models import Flag, ForumCategory, Post, Topic
    from app.forum.spam import body_digest

    email, password = A11Y_MODERATOR
    with live_server.app.app_context():
        moderator = User(email=email, display_name="Moderator", role="moderator")
        moderator.set_password(password)
        author = User(email="a11y-author@example.com", display_name="Author")
        author.set_password(password)
        category = db.session.scalars(db.select(ForumCategory)).first()
        if category is None:
            category = ForumCategory(slug="a11y-questions", names={"en": "Questions"})
        topic = Topic(locale="en", category=category, author=author, title="Cheap pens for sale")
        topic.is_hidden = True
        body = "Buy cheap pens at pens.example today!"
        post = Post(
            topic=topic,
            author=author,
            is_first=True,
            body_markdown=body,
            body_html=f"<p>{body}</p>",
            body_digest=body_digest(body),
        )
        db.session.add_all([moderator, author, category, topic, post])
        db.session.flush()
        db.session.add(Flag(post_id=post.id, reporter_id=moderator.id, reason="spam", note="Ad"))
        db.session.add(
            AuditEntry(
                area="moderation",
                actor_id=moderator.id,
                action="hide",
                target_type="topic",
                target_id=topic.id,
                reason="Advertising",
            )
        )
        db.session.commit()
        db.session.remove()
    return A11Y_MODERATOR


@pytest.mark.parametrize("path", ["/moderation/", "/moderation/log"])
@pytest.mark.parametrize("locale", LOCALES)
def test_moderation_pages_have_no_axe_violations(
    looking_page, signed_in, axe_source, flagged_post_in_live_db, locale: str, path: str
):
    page = looking_page(locale, storage_state=signed_in(*flagged_post_in_live_db))
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect_language(page, locale)
    if path == "/moderation/":
        expect(page.locator(".mod-item")).to_have_count(1)
        page.locator(".mod-action summary").first.click()  # an open reason form is checked too
        expect(page.locator(".mod-action[open] input[name=reason]")).to_be_visible()

    assert_no_axe_violations(page, axe_source, f"{path} ({locale})")


# The ask flow (signed in): the form with suggestions, a suggestion's article with the banner
# and the thanks page one after the other, as a customer walks them; the preview on its own.
ASK_TYPED = {"en": "reset my password", "ja": "パスワード", "ar": "كلمة المرور"}


def start_asking(page: Page, locale: str) -> None:
    """Sign up, open the ask form and type a title until suggestions show."""
    sign_up(page, "Axe", f"/{locale}/community/ask")
    type_title(page, ASK_TYPED[locale])
    expect(page.locator("#ask-suggestions .ask-suggestion").first).to_be_visible()
    expect_language(page, locale)


@pytest.mark.usefixtures("forum_live")
@pytest.mark.parametrize("locale", LOCALES)
def test_ask_flow_pages_have_no_axe_violations(new_page, axe_source, locale: str):
    page = new_page(locale=BROWSER_LOCALES[locale])
    start_asking(page, locale)
    assert_no_axe_violations(page, axe_source, f"ask form-with-suggestions ({locale})")

    page.locator("#ask-suggestions .ask-suggestion a").first.click()
    expect(page.locator("section.ask-banner")).to_be_visible()
    expect_language(page, locale)
    assert_no_axe_violations(page, axe_source, f"ask article-with-banner ({locale})")

    page.locator("section.ask-banner button[type=submit]").click()
    expect(page.locator("[data-ask-clear]")).to_be_visible()
    expect_language(page, locale)
    assert_no_axe_violations(page, axe_source, f"ask thanks ({locale})")


@pytest.mark.usefixtures("forum_live")
@pytest.mark.parametrize("locale", LOCALES)
def test_ask_preview_has_no_axe_violations(new_page, axe_source, locale: str):
    page = new_page(locale=BROWSER_LOCALES[locale])
    start_asking(page, locale)
    page.locator("#body").fill("**Nothing** arrives.")
    page.locator("#ask-form button[type=submit]").click()
    expect(page.locator(".ask-preview")).to_be_visible()
    expect_language(page, locale)
    assert_no_axe_violations(page, axe_source, f"ask preview ({locale})")


# --- Forum pages, with the demo topics of `flask forum seed-demo` ------------------------


def forum_page_path(live_server, locale: str, name: str) -> str:
    from app.forum.demo_data import DEMO_TOPICS

    solved = DEMO_TOPICS[locale][1]["title"]  # has replies and an accepted answer
    [(topic_id, author_id)] = live_server.query(
        "SELECT id, author_id FROM forum_topic WHERE locale = ? AND title = ?", (locale, solved)
    )
    return {
        "forum-index": f"/{locale}/community/",
        "forum-category": f"/{locale}/community/c/questions?sort=solved",
        "forum-topic": f"/{locale}/community/topics/{topic_id}",
        "forum-topic-signed-in": f"/{locale}/community/topics/{topic_id}",
        "forum-profile": f"/{locale}/community/users/{author_id}",
    }[name]


FORUM_DEMO_USER = "maya.chen@example.com"
FORUM_PAGES = [
    "forum-index",
    "forum-category",
    "forum-topic",
    "forum-topic-signed-in",
    "forum-profile",
]


@pytest.mark.parametrize("name", FORUM_PAGES)
@pytest.mark.parametrize("locale", LOCALES)
def test_forum_pages_have_no_axe_violations(
    looking_page, signed_in, forum_demo, axe_source, locale, name
):
    path = forum_page_path(forum_demo, locale, name)
    signed = name == "forum-topic-signed-in"  # vote, accept, follow buttons and the reply form
    state = signed_in(FORUM_DEMO_USER, FORUM_DEMO_PASSWORD) if signed else None
    page = looking_page(locale, storage_state=state)
    response = page.goto(path)
    assert response is not None and response.status == 200
    if signed:
        expect(page.locator("form.reply-form")).to_be_visible()
    expect_language(page, locale)

    assert_no_axe_violations(page, axe_source, f"{name} ({locale})")


# --- Editor pages (CS editor signed in) ---------------------------------------------------

A11Y_EDITOR = ("a11y-editor@example.com", "correct horse battery staple")
EDITOR_PAGES = ["/editor/", "edit", "history", "/editor/translations", "/editor/synonyms"]


@pytest.fixture(scope="session")
def editor_in_live_db(live_server) -> tuple[str, str]:
    from app.accounts.models import User
    from app.extensions import db

    email, password = A11Y_EDITOR
    with live_server.app.app_context():
        editor = User(email=email, display_name="Editor", role="cs_editor")
        editor.set_password(password)
        db.session.add(editor)
        db.session.commit()
        db.session.remove()
    return A11Y_EDITOR


@pytest.mark.parametrize("path", EDITOR_PAGES)
@pytest.mark.parametrize("locale", LOCALES)
def test_editor_pages_have_no_axe_violations(
    looking_page, signed_in, live_server, axe_source, editor_in_live_db, locale: str, path: str
):
    if path in ("edit", "history"):
        [(article_id,)] = live_server.query(
            "SELECT id FROM kb_article WHERE locale = 'en' AND slug = 'what-is-planwise'"
        )
        path = f"/editor/articles/{article_id}/{path}"
    page = looking_page(locale, storage_state=signed_in(*editor_in_live_db))
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert "/account/sign-in" not in page.url, "the editor's cookies did not sign in"
    expect_language(page, locale)

    assert_no_axe_violations(page, axe_source, f"{path} ({locale})")


# --- Admin pages (an administrator signed in) ---------------------------------------------

A11Y_ADMIN = ("a11y-admin@example.com", "correct horse battery staple")


@pytest.fixture(scope="session")
def admin_in_live_db(live_server) -> tuple[str, str]:
    """An admin, and a suspended customer so both statuses show in the user list."""
    from app.accounts.models import User
    from app.extensions import db

    email, password = A11Y_ADMIN
    with live_server.app.app_context():
        boss = User(email=email, display_name="Admin", role="admin")
        boss.set_password(password)
        banned = User(email="a11y-suspended@example.com", display_name="Suspended Sam")
        banned.set_password(password)
        banned.is_suspended = True
        db.session.add_all([boss, banned])
        db.session.commit()
        db.session.remove()
    return A11Y_ADMIN


@pytest.mark.parametrize("locale", LOCALES)
def test_admin_users_page_has_no_axe_violations(
    looking_page, signed_in, axe_source, admin_in_live_db, locale: str
):
    path = "/admin/users"
    page = looking_page(locale, storage_state=signed_in(*admin_in_live_db))
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect_language(page, locale)
    expect(page.locator("main table select[name=role]").first).to_be_visible()

    assert_no_axe_violations(page, axe_source, f"{path} ({locale})")
