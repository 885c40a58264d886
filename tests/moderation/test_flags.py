"""Flagging a post: signed-in users only, once per open flag, never one's own post."""

from __future__ import annotations

from app.extensions import db
from app.forum.models import Flag
from app.moderation import services as moderation
from tests.conftest import csrf_token_from, sign_in
from tests.moderation.conftest import PASSWORD


def signed_in(client, user) -> str:
    """Sign `user` in and return a CSRF token for the session."""
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 303, response.get_data(as_text=True)
    return csrf_token_from(client.get("/moderation/posts/2/flag").get_data(as_text=True))


def flags_on(post) -> list[Flag]:
    return db.session.scalars(db.select(Flag).where(Flag.post_id == post.id)).all()


def test_customer_flags_another_customers_post(forum, client):
    token = signed_in(client, forum.asker)
    response = client.post(
        f"/moderation/posts/{forum.reply.id}/flag",
        data={"csrf_token": token, "reason": "spam", "note": "  selling   pens "},
    )
    assert response.status_code == 303
    [flag] = flags_on(forum.reply)
    assert (flag.reporter_id, flag.reason, flag.note) == (forum.asker.id, "spam", "selling pens")
    assert flag.resolved_at is None
    page = client.get(response.location, follow_redirects=True).get_data(as_text=True)
    assert "Moderators will review this post" in page


def test_a_second_flag_by_the_same_user_is_not_stored(forum, client):
    token = signed_in(client, forum.asker)
    for _ in range(2):  # a double click
        response = client.post(
            f"/moderation/posts/{forum.reply.id}/flag",
            data={"csrf_token": token, "reason": "offensive"},
        )
        assert response.status_code == 303
    assert len(flags_on(forum.reply)) == 1
    page = client.get("/moderation/posts/2/flag").get_data(as_text=True)
    assert "already flagged" in page


def test_flagging_again_after_a_dismissal_is_allowed(forum, client):
    moderation.flag_post(forum.reply, forum.asker, "spam")
    db.session.commit()
    moderation.dismiss_flags(forum.moderator, forum.reply, "It is a fair answer")
    db.session.commit()
    moderation.flag_post(forum.reply, forum.asker, "other", "it is back")
    db.session.commit()
    assert len(flags_on(forum.reply)) == 2


def test_own_post_cannot_be_flagged(forum, client):
    token = signed_in(client, forum.replier)
    response = client.post(
        f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, "reason": "spam"}
    )
    assert response.status_code == 403
    assert flags_on(forum.reply) == []


def test_missing_or_unknown_reason_is_a_400_with_a_message(forum, client):
    token = signed_in(client, forum.asker)
    for data in ({}, {"reason": "because"}, {"reason": "spam", "note": "x" * 501}):
        response = client.post(
            f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, **data}
        )
        assert response.status_code == 400
        assert 'class="field-errors"' in response.get_data(as_text=True)
    assert flags_on(forum.reply) == []


def test_missing_csrf_token_is_refused(forum, client):
    signed_in(client, forum.asker)
    response = client.post(f"/moderation/posts/{forum.reply.id}/flag", data={"reason": "spam"})
    assert response.status_code == 400
    assert flags_on(forum.reply) == []


def test_anonymous_users_are_sent_to_sign_in(forum, client):
    response = client.get(f"/moderation/posts/{forum.reply.id}/flag")
    assert response.status_code == 302
    assert response.location.startswith("/account/sign-in")


def test_hidden_post_is_404_for_customers_but_moderators_can_flag_it(forum, client):
    moderation.hide_post(forum.moderator, forum.reply, "Spam")
    db.session.commit()
    token = signed_in(client, forum.asker)
    response = client.post(
        f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, "reason": "spam"}
    )
    assert response.status_code == 404
    assert client.get("/moderation/posts/999/flag").status_code == 404
    assert flags_on(forum.reply) == []

    staff = forum.app.test_client()
    token = signed_in(staff, forum.admin)
    response = staff.post(
        f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, "reason": "other"}
    )
    assert response.status_code == 303
    assert len(flags_on(forum.reply)) == 1


def test_post_in_a_hidden_topic_is_404_for_customers(forum, client):
    moderation.set_topic_state(forum.moderator, forum.topic, "hide", "Off-topic thread")
    db.session.commit()
    token = signed_in(client, forum.asker)
    response = client.post(
        f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, "reason": "spam"}
    )
    assert response.status_code == 404


def test_post_tools_partial(forum, app):
    """The flag disclosure for signed-in users; hide/restore only for moderators."""
    from flask import render_template
    from flask_login import login_user

    def render(user):
        with app.test_request_context(f"/en/community/t/{forum.topic.id}"):
            if user is not None:
                login_user(user)
            from flask_login import current_user

            return render_template(
                "moderation/_post_tools.html",
                post=forum.reply,
                topic=forum.topic,
                locale="en",
                current_user=current_user,
            )

    assert render(None).strip() == ""
    customer = render(forum.asker)
    assert "<details" in customer and 'name="reason"' in customer
    assert 'name="csrf_token"' in customer
    assert f"/moderation/posts/{forum.reply.id}/flag" in customer
    assert "/hide" not in customer
    assert "/flag" not in render(forum.replier)  # one's own post
    staff = render(forum.moderator)
    assert f"/moderation/posts/{forum.reply.id}/hide" in staff
    assert 'name="reason" required' in staff
