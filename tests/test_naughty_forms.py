"""Every text field of the community, moderation and editor forms takes the Big List of
Naughty Strings: a saved post or a clear 4xx, never a 500, and nothing already saved lost.

The search side has its own naughty-string test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import (
    NAUGHTY_SAMPLE,
    csrf_token_from,
    make_app,
    make_user,
    naughty_chunks,
    sign_in,
)
from tests.hostile_html import assert_nothing_live

OK_OR_REFUSED = {200, 302, 303, 400, 409, 413}


@pytest.fixture(scope="session")
def naughty_db_file(demo_db_file, tmp_path_factory) -> Path:
    """The demo database with the forum's categories (`flask forum init`) and an admin,
    made once per test process; each test takes a copy (it took a second of every test).

    Session-scoped, not module-scoped: the tests still spread over the workers one by one.
    """
    folder = tmp_path_factory.mktemp("naughty")
    path = folder / "naughty.sqlite3"
    shutil.copyfile(demo_db_file, path)
    app = make_app(folder, f"sqlite:///{path}")
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["forum", "init"]).exit_code == 0
        make_user(email="admin@example.com", role="admin", name="Admin")
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def naughty_app(naughty_db_file, tmp_path):
    """An app on a private copy of the prepared database."""
    copy = tmp_path / "naughty.sqlite3"
    shutil.copyfile(naughty_db_file, copy)
    app = make_app(tmp_path, f"sqlite:///{copy}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def admin(naughty_app):
    client = naughty_app.test_client()
    sign_in(client, "admin@example.com")
    token = csrf_token_from(client.get("/account/profile").get_data(as_text=True))
    return client, token


def first_topic_and_post(client, token) -> tuple[int, int]:
    """Ask one question through the real ask flow; return its topic and first post ids."""
    from app.forum.models import ForumCategory, Post, Topic

    category = db.session.query(ForumCategory).filter_by(slug="questions").one()
    page = client.post(
        "/en/community/ask",
        data={
            "csrf_token": token,
            "title": "How do I export my timesheets?",
            "body": "I need a CSV for payroll.",
            "category": str(category.id),
        },
    )
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    flow = re.search(r'name="flow" (?:type="hidden" )?value="([^"]+)"', html)
    data = {"csrf_token": token, "flow": flow.group(1) if flow else ""}
    assert client.post("/en/community/ask/post", data=data).status_code in (302, 303)
    topic = db.session.query(Topic).order_by(Topic.id.desc()).first()
    post = db.session.query(Post).filter_by(topic_id=topic.id, is_first=True).one()
    return topic.id, post.id


def assert_never_500(response, what: str, value: str) -> None:
    assert response.status_code in OK_OR_REFUSED, f"{what} {value!r} → {response.status_code}"
    if response.mimetype == "text/html":
        assert_nothing_live(response.get_data(as_text=True), value)


# Each test takes the HTTP sample of the strings (tests/conftest.py), a chunk at a time so
# that workers share them; tests/test_naughty_strings.py sends all of them to the services.
in_chunks = pytest.mark.parametrize("naughty_strings", naughty_chunks(NAUGHTY_SAMPLE))
pytestmark = pytest.mark.slow


@in_chunks
def test_ask_form_fields(admin, naughty_strings):
    from app.forum.models import ForumCategory

    client, token = admin
    category = db.session.query(ForumCategory).filter_by(slug="questions").one()
    valid = {"title": "A question", "body": "Details here", "tags": "billing"}
    # Each string in every field at once (validation sees them all), then in the body alone
    # so that it also reaches the Markdown renderer of the preview.
    for fields in (("title", "body", "tags"), ("body",)):
        for value in naughty_strings:
            data = {**valid, "csrf_token": token, "category": str(category.id)}
            data.update(dict.fromkeys(fields, value))
            response = client.post("/en/community/ask", data=data)
            assert_never_500(response, f"ask {fields}", value)


@in_chunks
def test_reply_edit_flag_and_moderation_reasons(admin, naughty_strings):
    from app.forum.models import Post

    client, token = admin
    topic_id, post_id = first_topic_and_post(client, token)
    for number, value in enumerate(naughty_strings):
        reply = client.post(
            f"/en/community/topics/{topic_id}/reply",
            data={"csrf_token": token, "body": f"{value} #{number}"},
        )
        assert_never_500(reply, "reply", value)
        edit = client.post(
            f"/en/community/posts/{post_id}/edit",
            data={"csrf_token": token, "title": value, "body": value},
        )
        assert_never_500(edit, "edit", value)
        action = "pin" if number % 2 == 0 else "unpin"
        moderation = client.post(
            f"/moderation/topics/{topic_id}/{action}", data={"csrf_token": token, "reason": value}
        )
        assert_never_500(moderation, "moderation reason", value)
    # Nothing saved was lost: the question and every accepted reply are still there.
    saved = db.session.query(Post).filter_by(topic_id=topic_id).count()
    assert saved > len(naughty_strings) // 2
    assert client.get(f"/en/community/topics/{topic_id}", follow_redirects=True).status_code == 200


@in_chunks
def test_flag_notes(admin, naughty_app, naughty_strings):
    client, token = admin
    _, post_id = first_topic_and_post(client, token)
    make_user(email="reader@example.com", name="Reader")
    reader = naughty_app.test_client()
    sign_in(reader, "reader@example.com")
    reader_token = csrf_token_from(reader.get("/account/profile").get_data(as_text=True))
    for value in naughty_strings:
        response = reader.post(
            f"/moderation/posts/{post_id}/flag",
            data={"csrf_token": reader_token, "reason": "other", "note": value},
        )
        assert_never_500(response, "flag note", value)


@in_chunks
def test_editor_article_fields_and_synonyms(admin, naughty_strings):
    from app.kb.models import Category

    client, token = admin
    category = db.session.query(Category).first()
    valid = {
        "locale": "en",
        "title": "Naughty article",
        "summary": "A summary.",
        "category": category.slug,
        "kind": "faq",
        "tags": "test",
        "slug": "naughty-article",
        "body": "Some **text**.",
    }
    for fields in (("title", "summary", "tags", "slug", "body"), ("body",)):
        for value in naughty_strings:
            data = {**valid, "csrf_token": token, "action": "preview"}
            data.update(dict.fromkeys(fields, value))
            response = client.post("/editor/articles/new", data=data)
            assert_never_500(response, f"editor {fields}", value)
    for value in naughty_strings:
        preview = client.post("/editor/preview", data={"csrf_token": token, "body": value})
        assert_never_500(preview, "editor preview", value)
        for locale in ("ja", "ar"):  # the URL name made from a title, transliterated
            named = client.get("/editor/slug", query_string={"title": value, "locale": locale})
            assert_never_500(named, "editor URL name", value)
        synonym = client.post(
            "/editor/synonyms",
            data={"csrf_token": token, "locale": "en", "term": value, "synonyms": value},
        )
        assert_never_500(synonym, "synonym", value)
