"""Moderator actions: each needs a reason, changes the right row and is logged with who and why."""

from __future__ import annotations

import pytest

from app.audit import AuditEntry
from app.extensions import db
from app.forum.models import Flag, Post, Topic
from app.moderation import services as moderation
from tests.conftest import csrf_token_from, sign_in
from tests.moderation.conftest import PASSWORD, make_category, make_topic


def log_rows() -> list[AuditEntry]:
    query = db.select(AuditEntry).where(AuditEntry.area == "moderation").order_by(AuditEntry.id)
    return db.session.scalars(query).all()


def as_moderator(client, forum, who="moderator") -> str:
    assert sign_in(client, getattr(forum, who).email, PASSWORD).status_code == 303
    return csrf_token_from(client.get("/moderation/").text)


def prepare(forum, action):
    """Put the target in the state the action undoes."""
    if action in ("restore_post",):
        forum.reply.is_hidden = True
    if action == "dismiss_flags":
        moderation.flag_post(forum.reply, forum.asker, "spam")
    if action in ("unlock", "unpin", "restore_topic"):
        forum.topic.is_locked = forum.topic.is_pinned = forum.topic.is_hidden = True
    if action == "unsuspend":
        forum.replier.is_suspended = True
    db.session.commit()


# (action, url, extra form data, logged action, target type, check after)
ACTIONS = [
    ("hide_post", "/moderation/posts/{post}/hide", {}, "hide", "post",
     lambda f: f.reply.is_hidden),
    ("restore_post", "/moderation/posts/{post}/restore", {}, "restore", "post",
     lambda f: not f.reply.is_hidden),
    ("dismiss_flags", "/moderation/posts/{post}/dismiss", {}, "dismiss_flags", "post",
     lambda f: moderation.flag_queue() == [] and not f.reply.is_hidden),
    ("lock", "/moderation/topics/{topic}/lock", {}, "lock", "topic",
     lambda f: f.topic.is_locked),
    ("unlock", "/moderation/topics/{topic}/unlock", {}, "unlock", "topic",
     lambda f: not f.topic.is_locked),
    ("pin", "/moderation/topics/{topic}/pin", {}, "pin", "topic", lambda f: f.topic.is_pinned),
    ("unpin", "/moderation/topics/{topic}/unpin", {}, "unpin", "topic",
     lambda f: not f.topic.is_pinned),
    ("hide_topic", "/moderation/topics/{topic}/hide", {}, "hide", "topic",
     lambda f: f.topic.is_hidden),
    ("restore_topic", "/moderation/topics/{topic}/restore", {}, "restore", "topic",
     lambda f: not f.topic.is_hidden),
    ("move", "/moderation/topics/{topic}/move", {"category_id": "{ideas}"}, "move", "topic",
     lambda f: f.topic.category_id == f.ideas.id),
    ("suspend", "/moderation/users/{user}/suspend", {}, "suspend", "user",
     lambda f: f.replier.is_suspended),
    ("unsuspend", "/moderation/users/{user}/unsuspend", {}, "unsuspend", "user",
     lambda f: not f.replier.is_suspended),
]  # fmt: skip


def _ids(forum):
    return {
        "post": forum.reply.id,
        "topic": forum.topic.id,
        "user": forum.replier.id,
        "ideas": forum.ideas.id,
    }


@pytest.mark.parametrize("case", ACTIONS, ids=[case[0] for case in ACTIONS])
def test_every_action_is_logged_with_who_and_why(forum, client, case):
    name, url, extra, logged, target_type, check = case
    prepare(forum, name)
    token = as_moderator(client, forum)
    ids = _ids(forum)
    data = {key: value.format(**ids) for key, value in extra.items()}
    response = client.post(
        url.format(**ids),
        data={"csrf_token": token, "reason": "  Reported   twice  ", **data},
    )
    assert response.status_code == 303, response.text
    db.session.expire_all()
    assert check(forum)
    row = next(row for row in log_rows() if row.action == logged)
    assert row.actor_id == forum.moderator.id
    assert row.target_type == target_type
    assert row.target_id == {"post": forum.reply.id, "topic": forum.topic.id}.get(
        target_type, forum.replier.id
    )
    assert row.reason.endswith("Reported twice")
    page = client.get("/moderation/log").text
    assert "Reported twice" in page and "Mod" in page


@pytest.mark.parametrize("case", ACTIONS, ids=[case[0] for case in ACTIONS])
@pytest.mark.parametrize("reason", ["", "\u200b\u200d\ufeff"])
def test_missing_reason_is_a_400_with_a_message_and_changes_nothing(forum, client, case, reason):
    name, url, extra, _logged, _type, check = case
    prepare(forum, name)
    token = as_moderator(client, forum)
    ids = _ids(forum)
    data = {key: value.format(**ids) for key, value in extra.items()}
    response = client.post(url.format(**ids), data={"csrf_token": token, "reason": reason, **data})
    assert response.status_code == 400
    assert "Give a reason for this action." in response.text
    assert 'aria-invalid="true"' in response.text
    db.session.expire_all()
    assert log_rows() == []
    assert not check(forum)


def test_too_long_reason_is_a_400_and_the_text_is_kept(forum, client):
    token = as_moderator(client, forum)
    reason = "spam " * 120
    response = client.post(
        f"/moderation/topics/{forum.topic.id}/lock", data={"csrf_token": token, "reason": reason}
    )
    assert response.status_code == 400
    assert "under 500 characters" in response.text
    assert reason.strip() in response.text  # nothing the moderator typed is lost
    db.session.expire_all()
    assert not forum.topic.is_locked


def test_acting_twice_is_a_400_not_a_second_log_row(forum, client):
    token = as_moderator(client, forum)
    url = f"/moderation/topics/{forum.topic.id}/lock"
    for _ in range(2):  # a double click
        response = client.post(url, data={"csrf_token": token, "reason": "Heated"})
    assert response.status_code == 400
    assert "already locked" in response.text
    assert [row.action for row in log_rows()] == ["lock"]


def test_unknown_targets_are_404(forum, client):
    token = as_moderator(client, forum)
    for url in (
        "/moderation/posts/999/hide",
        "/moderation/topics/999/lock",
        "/moderation/topics/999/move",
        "/moderation/users/999/suspend",
    ):
        response = client.post(url, data={"csrf_token": token, "reason": "x", "category_id": 1})
        assert response.status_code == 404, url
    assert client.get("/moderation/users/999").status_code == 404


def test_move_to_an_unknown_or_the_same_category_is_a_400(forum, client):
    token = as_moderator(client, forum)
    url = f"/moderation/topics/{forum.topic.id}/move"
    for category in ("999", "abc", str(forum.questions.id)):
        response = client.post(
            url, data={"csrf_token": token, "reason": "x", "category_id": category}
        )
        assert response.status_code == 400, category
    assert log_rows() == []


def test_next_only_redirects_within_the_site(forum, client):
    token = as_moderator(client, forum)
    response = client.post(
        f"/moderation/topics/{forum.topic.id}/pin",
        data={"csrf_token": token, "reason": "FAQ", "next": "//evil.example/x"},
    )
    assert response.status_code == 303 and "evil" not in response.location
    response = client.post(
        f"/moderation/topics/{forum.topic.id}/unpin",
        data={"csrf_token": token, "reason": "FAQ", "next": "/en/community/"},
    )
    assert response.location == "/en/community/"


# --- Service rules ---------------------------------------------------------------------


def test_lock_sets_the_flag_and_unlock_clears_it(forum):
    moderation.set_topic_state(forum.moderator, forum.topic, "lock", "Resolved, closing")
    db.session.commit()
    assert db.session.get(Topic, forum.topic.id).is_locked
    moderation.set_topic_state(forum.moderator, forum.topic, "unlock", "New information")
    db.session.commit()
    assert not db.session.get(Topic, forum.topic.id).is_locked


def test_services_refuse_non_moderators(forum):
    for user in (forum.asker, forum.editor):
        with pytest.raises(moderation.ModerationError) as error:
            moderation.hide_post(user, forum.reply, "no")
        assert error.value.code == "forbidden"
    assert not forum.reply.is_hidden


def test_hiding_resolves_open_flags_and_empties_the_queue(forum):
    moderation.flag_post(forum.reply, forum.asker, "spam")
    moderation.flag_post(forum.reply, forum.admin, "spam")
    db.session.commit()
    moderation.hide_post(forum.moderator, forum.reply, "Spam")
    db.session.commit()
    flags = db.session.scalars(db.select(Flag)).all()
    assert {(f.resolution, f.resolved_by_id) for f in flags} == {("hidden", forum.moderator.id)}
    assert moderation.flag_queue() == []


def test_hiding_the_first_post_hides_the_topic_and_restoring_restores_it(forum):
    moderation.hide_post(forum.moderator, forum.first, "Spam question")
    db.session.commit()
    assert forum.first.is_hidden and forum.topic.is_hidden
    assert [(r.action, r.target_type) for r in log_rows()] == [("hide", "post"), ("hide", "topic")]
    moderation.restore_post(forum.moderator, forum.first, "Mistake")
    db.session.commit()
    assert not forum.first.is_hidden and not forum.topic.is_hidden


def test_restoring_a_topic_restores_its_first_post(forum):
    moderation.hide_post(forum.moderator, forum.first, "Spam question")
    moderation.set_topic_state(forum.moderator, forum.topic, "restore", "Mistake")
    db.session.commit()
    assert not forum.first.is_hidden and not forum.topic.is_hidden


def test_hiding_the_accepted_answer_unaccepts_it(forum):
    forum.topic.accepted_post_id = forum.reply.id
    db.session.commit()
    moderation.hide_post(forum.moderator, forum.reply, "Dangerous advice")
    db.session.commit()
    assert forum.topic.accepted_post_id is None and not forum.topic.is_solved
    assert [r.action for r in log_rows()] == ["hide", "unaccept"]
    moderation.restore_post(forum.moderator, forum.reply, "Fixed by the author")
    db.session.commit()
    assert forum.topic.accepted_post_id is None  # the asker accepts again if they want


def test_hidden_post_is_visible_to_moderators_only(forum):
    from flask_login import AnonymousUserMixin

    moderation.hide_post(forum.moderator, forum.reply, "Spam")
    db.session.commit()
    assert not moderation.post_visible_to(forum.asker, forum.reply)
    assert not moderation.post_visible_to(AnonymousUserMixin(), forum.reply)
    assert not moderation.post_visible_to(forum.editor, forum.reply)
    assert moderation.post_visible_to(forum.moderator, forum.reply)
    assert moderation.post_visible_to(forum.admin, forum.reply)
    assert moderation.post_visible_to(forum.asker, forum.first)


def test_hidden_post_on_the_topic_page(forum, app):
    """Through the forum's own topic page."""
    from flask import url_for

    forum.reply.body_markdown = "Buy pens at pens.example"
    forum.reply.body_html = "<p>Buy pens at pens.example</p>"
    moderation.hide_post(forum.moderator, forum.reply, "Spam")
    db.session.commit()
    with app.test_request_context():
        url = url_for("forum.topic", locale="en", topic_id=forum.topic.id)
    customer = app.test_client()
    sign_in(customer, forum.asker.email, PASSWORD)
    assert "Buy pens" not in customer.get(url, follow_redirects=True).text
    assert "Buy pens" not in app.test_client().get(url, follow_redirects=True).text
    staff = app.test_client()
    sign_in(staff, forum.moderator.email, PASSWORD)
    assert "Buy pens" in staff.get(url, follow_redirects=True).text


def test_hidden_topic_on_the_topic_page(forum, app):
    from flask import url_for

    moderation.set_topic_state(forum.moderator, forum.topic, "hide", "Spam")
    db.session.commit()
    with app.test_request_context():
        url = url_for("forum.topic", locale="en", topic_id=forum.topic.id)
    assert app.test_client().get(url, follow_redirects=True).status_code == 404
    staff = app.test_client()
    sign_in(staff, forum.moderator.email, PASSWORD)
    assert staff.get(url, follow_redirects=True).status_code == 200


# --- Suspension ------------------------------------------------------------------------


def test_suspended_user_cannot_sign_in(forum, client):
    moderation.suspend_user(forum.moderator, forum.replier, "Spammer")
    db.session.commit()
    response = sign_in(client, forum.replier.email, PASSWORD)
    assert response.status_code == 400
    assert client.get("/moderation/posts/1/flag").status_code == 302  # still anonymous


def test_suspension_signs_out_an_existing_session(forum, client):
    assert sign_in(client, forum.replier.email, PASSWORD).status_code == 303
    assert client.get(f"/moderation/posts/{forum.first.id}/flag").status_code == 200
    moderation.suspend_user(forum.moderator, forum.replier, "Spammer")
    db.session.commit()
    response = client.get(f"/moderation/posts/{forum.first.id}/flag")
    assert response.status_code == 302
    assert response.location.startswith("/account/sign-in")
    moderation.unsuspend_user(forum.moderator, forum.replier, "Appeal accepted")
    db.session.commit()
    assert sign_in(client, forum.replier.email, PASSWORD).status_code == 303


def test_suspend_and_hide_all_posts(forum, client):
    other = make_topic(forum.replier, make_category("ideas-2"), "Cheap pens", "Buy pens")
    token = as_moderator(client, forum)
    response = client.post(
        f"/moderation/users/{forum.replier.id}/suspend",
        data={"csrf_token": token, "reason": "Spammer", "hide_posts": "y"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    posts = db.session.scalars(db.select(Post).where(Post.author_id == forum.replier.id)).all()
    assert len(posts) == 2 and all(post.is_hidden for post in posts)
    assert db.session.get(Topic, other.id).is_hidden  # its first post was hidden
    page = client.get(response.location).text
    assert "2 posts hidden" in page and "<dd>Customer</dd>" in page


def test_who_may_suspend_whom(forum):
    refused = ((forum.moderator, "self"), (forum.admin, "staff"), (forum.editor, "staff"))
    for target, code in refused:
        with pytest.raises(moderation.ModerationError) as error:
            moderation.suspend_user(forum.moderator, target, "no")
        assert error.value.code == code
    moderation.suspend_user(forum.admin, forum.moderator, "Abused the role")
    db.session.commit()
    assert forum.moderator.is_suspended


def test_user_page_shows_the_suspend_form(forum, client):
    as_moderator(client, forum)
    page = client.get(f"/moderation/users/{forum.replier.id}").text
    assert "Suspend account" in page and 'name="hide_posts"' in page
    own = client.get(f"/moderation/users/{forum.moderator.id}").text
    assert "/suspend" not in own


# --- Search rows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("act", "expected"),
    [
        (lambda f: moderation.set_topic_state(f.moderator, f.topic, "hide", "Spam"), set()),
        (
            lambda f: moderation.move_topic(f.moderator, f.topic, f.ideas, "Wrong place"),
            {("topic", "ideas"), ("post", "ideas")},
        ),
        (
            lambda f: moderation.hide_post(f.moderator, f.reply, "Spam"),
            {("topic", "questions")},
        ),
    ],
    ids=["hide-topic", "move-topic", "hide-reply"],
)
def test_moderation_changes_search_rows_in_the_same_transaction(any_db_app, act, expected):
    """Hiding or moving a topic, or hiding a reply, changes its search rows as it commits."""
    from types import SimpleNamespace

    from app.forum import services
    from search.backends.tables import search_documents
    from tests.conftest import make_user

    asker = make_user("asker@example.com")
    f = SimpleNamespace(
        moderator=make_user("mod@example.com", role="moderator", name="Mod"),
        topic=make_topic(asker, make_category("questions")),
        ideas=make_category("ideas"),
    )
    f.reply = services.create_reply(asker, f.topic, "A reply with words in it.")
    act(f)
    db.session.commit()
    rows = db.session.execute(
        db.select(search_documents.c.type, search_documents.c.category).where(
            search_documents.c.group_id == f"topic:{f.topic.id}"
        )
    )
    assert {tuple(r) for r in rows} == expected
