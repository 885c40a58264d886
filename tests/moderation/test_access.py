"""Who may see the moderation pages: moderators and admins; customers 403; anonymous to sign-in."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.moderation import services as moderation
from tests.conftest import csrf_token_from, sign_in
from tests.moderation.conftest import PASSWORD

MODERATOR_POSTS = [
    "/moderation/posts/{post}/hide",
    "/moderation/posts/{post}/restore",
    "/moderation/posts/{post}/dismiss",
    "/moderation/topics/{topic}/lock",
    "/moderation/topics/{topic}/unlock",
    "/moderation/topics/{topic}/pin",
    "/moderation/topics/{topic}/unpin",
    "/moderation/topics/{topic}/hide",
    "/moderation/topics/{topic}/restore",
    "/moderation/topics/{topic}/move",
    "/moderation/users/{user}/suspend",
    "/moderation/users/{user}/unsuspend",
]
MODERATOR_PAGES = ["/moderation/", "/moderation/log", "/moderation/users/{user}"]


def urls(forum, templates):
    ids = {"post": forum.reply.id, "topic": forum.topic.id, "user": forum.replier.id}
    return [template.format(**ids) for template in templates]


def test_anonymous_users_are_sent_to_sign_in(forum, client):
    for url in urls(forum, MODERATOR_PAGES):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/account/sign-in?next="), url


@pytest.mark.parametrize("who", ["asker", "editor"])
def test_customers_and_other_staff_get_403_everywhere(forum, client, who):
    user = getattr(forum, who)
    assert sign_in(client, user.email, PASSWORD).status_code == 303
    token = csrf_token_from(client.get(f"/moderation/posts/{forum.reply.id}/flag").text)
    for url in urls(forum, MODERATOR_PAGES):
        assert client.get(url).status_code == 403, url
    for url in urls(forum, MODERATOR_POSTS):
        response = client.post(url, data={"csrf_token": token, "reason": "x", "category_id": 1})
        assert response.status_code == 403, url
    db.session.expire_all()
    assert not forum.reply.is_hidden and not forum.topic.is_locked
    assert not forum.replier.is_suspended
    assert moderation.moderation_log()[1].total == 0


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_and_admins_see_every_page(forum, client, who):
    assert sign_in(client, getattr(forum, who).email, PASSWORD).status_code == 303
    for url in urls(forum, MODERATOR_PAGES):
        assert client.get(url).status_code == 200, url


def test_every_moderator_post_needs_a_csrf_token(forum, client):
    sign_in(client, forum.moderator.email, PASSWORD)
    for url in urls(forum, MODERATOR_POSTS):
        assert client.post(url, data={"reason": "no token"}).status_code == 400, url
    db.session.expire_all()
    assert moderation.moderation_log()[1].total == 0


def test_moderation_pages_are_get_or_post_only_as_intended(forum, app):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, rule in rules.items():
        if not endpoint.startswith("moderation."):
            continue
        if endpoint in {"moderation.queue", "moderation.log", "moderation.user"}:
            assert "POST" not in rule.methods, endpoint
        elif endpoint != "moderation.flag_post":
            assert rule.methods - {"HEAD", "OPTIONS"} == {"POST"}, endpoint


def test_queue_groups_open_flags_per_post(forum, client):
    moderation.flag_post(forum.reply, forum.asker, "spam", "selling pens")
    moderation.flag_post(forum.reply, forum.admin, "spam")
    moderation.flag_post(forum.reply, forum.moderator, "offensive")
    moderation.flag_post(forum.first, forum.replier, "off_topic")
    db.session.commit()
    items = moderation.flag_queue()
    assert [item.post.id for item in items] == [forum.reply.id, forum.first.id]
    assert items[0].count == 3 and items[0].reasons == [("spam", 2), ("offensive", 1)]
    assert items[0].notes == ["selling pens"]

    sign_in(client, forum.moderator.email, PASSWORD)
    page = client.get("/moderation/").text
    assert "3 flags" in page and "1 flag" in page
    assert "<strong>3 flags</strong>: Spam or advertising (2), Rude or offensive (1)" in page
    assert "selling pens" in page and "Try Settings, then Export." in page
    assert forum.topic.title in page
    assert f"/moderation/posts/{forum.reply.id}/hide" in page
    assert f"/moderation/posts/{forum.reply.id}/dismiss" in page


def test_queue_escapes_what_users_wrote(forum, client):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    forum.reply.body_markdown = hostile
    moderation.flag_post(forum.reply, forum.asker, "other", hostile)
    db.session.commit()
    sign_in(client, forum.moderator.email, PASSWORD)
    page = client.get("/moderation/").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_empty_queue(forum, client):
    sign_in(client, forum.moderator.email, PASSWORD)
    assert "No open flags" in client.get("/moderation/").text


def test_log_is_paginated_newest_first(forum, client):
    for n in range(55):
        moderation._log(forum.moderator, "lock", "topic", forum.topic.id, f"reason {n}")
    db.session.commit()
    entries, pagination = moderation.moderation_log(page=1, per_page=50)
    assert len(entries) == 50 and pagination.pages == 2
    assert entries[0].action.reason == "reason 54"
    sign_in(client, forum.moderator.email, PASSWORD)
    first = client.get("/moderation/log").text
    assert "reason 54" in first and "reason 4<" not in first and 'rel="next"' in first
    second = client.get("/moderation/log?page=2").text
    assert "reason 4<" in second and "reason 0<" in second and 'rel="prev"' in second
    assert client.get("/moderation/log?page=99").status_code == 200
    assert client.get("/moderation/log?page=abc").status_code == 200
