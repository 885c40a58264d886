"""Forum pages through the test client: lists, topic page, forms, roles and hostile input."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum import services
from app.forum.models import Notification, Post, Topic
from tests.conftest import sign_in
from tests.forum.conftest import PASSWORD, make_topic, post_form


def topic_path(topic) -> str:
    return f"/en/community/topics/{topic.id}"


def signed_in(app, user):
    client = app.test_client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code in (302, 303), response.status_code
    return client


def test_index_lists_topics_categories_and_sorts(people, client):
    make_topic(people.asker, title="Unanswered one")
    solved = make_topic(people.other, title="Solved one")
    reply = services.create_reply(people.helper, solved, "Answer")
    services.accept_answer(people.other, solved, reply)
    popular = make_topic(people.helper, title="Popular one", slug="ideas")
    services.toggle_vote(people.asker, popular.posts[0])

    page = client.get("/en/community/").get_data(as_text=True)
    assert "Unanswered one" in page and "Solved one" in page and "Popular one" in page
    assert "Ideas and feature requests" in page and "Announcements" in page
    assert 'aria-current="page">Latest activity' in page

    def titles(query: str) -> list[str]:
        html = client.get("/en/community/" + query).get_data(as_text=True)
        return re.findall(r'class="topic-title"[^>]*>([^<]+)<', html)

    assert titles("?sort=top")[0] == "Popular one"
    assert titles("?sort=unanswered") == ["Popular one", "Unanswered one"]
    assert titles("?sort=solved") == ["Solved one"]
    assert titles("?sort=nonsense") == ["Popular one", "Solved one", "Unanswered one"]
    assert client.get("/ja/community/").status_code == 200
    assert client.get("/en/community/c/ideas").get_data(as_text=True).count("topic-row") == 1
    assert client.get("/en/community/c/no-such").status_code == 404


def test_pagination(people, client, app):
    app.config["FORUM_TOPICS_PER_PAGE"] = 3
    for number in range(7):
        make_topic(people.asker, title=f"Topic number {number}", body=f"Body {number}")
    first = client.get("/en/community/").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'rel="next"' in first
    third = client.get("/en/community/?page=3").get_data(as_text=True)
    assert third.count("topic-row") == 1 and "Topic number 0" in third
    assert client.get("/en/community/?page=4").status_code == 404
    assert client.get("/en/community/?page=abc").status_code == 200


def test_topic_page_shows_question_replies_and_counts_views(people, client):
    topic = make_topic(people.asker)
    services.create_reply(people.helper, topic, "Try **Settings → Export**.")
    response = client.get(topic_path(topic))
    assert response.status_code == 301
    canonical = response.headers["Location"]
    assert canonical.endswith(f"/en/community/topics/{topic.id}/how-do-i-export-my-data")
    html = client.get(canonical).get_data(as_text=True)
    assert "How do I export my data?" in html and "<strong>Settings → Export</strong>" in html
    assert "Sign in to reply" in html
    client.get(canonical)
    db.session.refresh(topic)
    assert topic.view_count == 0  # pages are cached: the page's beacon counts the view
    beacon = re.search(r'data-beacon="([^"]+)"', html).group(1)
    assert f'<noscript><img class="beacon" src="{beacon}"' in html
    assert client.get(beacon).status_code == client.get(beacon).status_code == 200
    db.session.refresh(topic)
    assert topic.view_count == 2
    assert client.get("/en/community/topics/999999").status_code == 404


def test_reply_through_the_form(people, app):
    topic = make_topic(people.asker)
    client = signed_in(app, people.helper)
    response = post_form(
        client, topic_path(topic), f"/en/community/topics/{topic.id}/reply", body="Use export."
    )
    assert response.status_code == 303
    post = db.session.scalars(sa.select(Post).where(Post.is_first.is_(False))).one()
    assert response.headers["Location"].endswith(f"#post-{post.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Use export." in page


def test_reply_double_click_saves_one_reply(people, app):
    topic = make_topic(people.asker)
    client = signed_in(app, people.helper)
    action = f"/en/community/topics/{topic.id}/reply"
    first = post_form(client, topic_path(topic), action, body="Same answer")
    second = post_form(client, topic_path(topic), action, body="Same answer")
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 2


def test_reply_refusals_keep_the_text(people, app):
    topic = make_topic(people.asker)
    client = signed_in(app, people.helper)
    action = f"/en/community/topics/{topic.id}/reply"
    empty = post_form(client, topic_path(topic), action, body="\u200b\u200b ")
    assert empty.status_code == 400
    assert "the text is empty" in empty.get_data(as_text=True)
    topic.is_locked = True
    db.session.commit()
    locked = post_form(client, topic_path(topic), action, body="My careful answer")
    assert locked.status_code == 409
    html = locked.get_data(as_text=True)
    assert "This topic is locked" in html and "My careful answer" in html
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 1


def test_honeypot_missing_csrf_and_signed_out(people, app, client):
    topic = make_topic(people.asker)
    action = f"/en/community/topics/{topic.id}/reply"
    anonymous = client.post(action, data={"body": "x"})
    assert anonymous.status_code == 400  # CSRF checked first; no token at all
    signed = signed_in(app, people.helper)
    assert signed.post(action, data={"body": "no token"}).status_code == 400
    bot = post_form(signed, topic_path(topic), action, body="spam", website="http://x.example")
    assert bot.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 1


def test_signed_out_post_redirects_to_sign_in(people, client):
    topic = make_topic(people.asker)
    response = post_form(client, "/account/sign-in", f"/en/community/topics/{topic.id}/reply")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_edit_with_history(people, app):
    topic = make_topic(people.asker)
    client = signed_in(app, people.asker)
    question = topic.posts[0]
    edit_url = f"/en/community/posts/{question.id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert "I need a CSV of all tasks." in form and 'name="title"' in form
    response = post_form(client, edit_url, edit_url, body="I need an Excel file.", title="Export?")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Export?" in page and "edited" in page
    history = client.get(f"/en/community/posts/{question.id}/history").get_data(as_text=True)
    assert "I need a CSV of all tasks." in history and "I need an Excel file." in history
    too_long = post_form(client, edit_url, edit_url, body="x", title="t" * 201)
    assert too_long.status_code == 400 and "t" * 201 in too_long.get_data(as_text=True)


def test_editing_someone_elses_post_is_403_unless_moderator(people, app):
    topic = make_topic(people.asker)
    question = topic.posts[0]
    edit_url = f"/en/community/posts/{question.id}/edit"
    other = signed_in(app, people.other)
    assert other.get(edit_url).status_code == 403
    token_page = other.get(topic_path(topic), follow_redirects=True).get_data(as_text=True)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(token_page)
    assert other.post(edit_url, data={"csrf_token": token, "body": "mine"}).status_code == 403
    moderator = signed_in(app, people.moderator)
    assert moderator.get(edit_url).status_code == 200
    assert post_form(moderator, edit_url, edit_url, body="Tidied").status_code == 303


def test_vote_once_through_the_form(people, app):
    topic = make_topic(people.asker)
    question = topic.posts[0]
    client = signed_in(app, people.helper)
    action = f"/en/community/posts/{question.id}/vote"
    assert post_form(client, topic_path(topic), action).status_code == 303
    db.session.refresh(question)
    assert question.vote_count == 1
    assert 'aria-pressed="true"' in client.get(topic_path(topic), follow_redirects=True).get_data(
        as_text=True
    )
    post_form(client, topic_path(topic), action)  # the second click takes the vote back
    db.session.refresh(question)
    assert question.vote_count == 0
    own = signed_in(app, people.asker)
    refused = post_form(own, topic_path(topic), action)
    assert refused.status_code == 400
    assert "cannot vote for your own post" in refused.get_data(as_text=True)


def test_accept_marks_solved_and_shows_answer_first(people, app):
    topic = make_topic(people.asker)
    services.create_reply(people.other, topic, "First, wrong reply")
    answer = services.create_reply(people.helper, topic, "The right answer")
    stranger = signed_in(app, people.other)
    action = f"/en/community/posts/{answer.id}/accept"
    assert post_form(stranger, topic_path(topic), action).status_code == 403
    asker = signed_in(app, people.asker)
    assert post_form(asker, topic_path(topic), action).status_code == 303
    html = asker.get(topic_path(topic), follow_redirects=True).get_data(as_text=True)
    assert html.index("The right answer") < html.index("First, wrong reply")
    assert 'class="badge badge-solved"' in html and "Accepted answer" in html
    listing = asker.get("/en/community/?sort=solved").get_data(as_text=True)
    assert "How do I export my data?" in listing


def test_follow_gives_notification_on_reply(people, app):
    topic = make_topic(people.asker)
    follower = signed_in(app, people.other)
    assert (
        post_form(
            follower, topic_path(topic), f"/en/community/topics/{topic.id}/follow"
        ).status_code
        == 303
    )
    assert "Following — stop" in follower.get(topic_path(topic), follow_redirects=True).get_data(
        as_text=True
    )
    services.create_reply(people.helper, topic, "An answer")
    inbox = follower.get("/en/community/notifications").get_data(as_text=True)
    assert "Hal Helper" in inbox and "replied to" in inbox and "unread" in inbox
    marked = post_form(follower, "/en/community/notifications", "/en/community/notifications")
    assert marked.status_code == 303
    assert services.unread_count(people.other) == 0
    post_form(follower, topic_path(topic), f"/en/community/topics/{topic.id}/unfollow")
    assert not services.is_following(people.other, topic)


def test_mention_notifies_and_links_profile(people, app, client):
    topic = make_topic(people.asker)
    author = signed_in(app, people.helper)
    post_form(
        author,
        topic_path(topic),
        f"/en/community/topics/{topic.id}/reply",
        body="@OlgaOther knows this one.",
    )
    html = client.get(topic_path(topic), follow_redirects=True).get_data(as_text=True)
    profile = f"/en/community/users/{people.other.id}"
    assert f'href="{profile}"' in html
    note = db.session.scalars(sa.select(Notification).filter_by(user_id=people.other.id)).one()
    assert note.kind == "mention"
    profile_page = client.get(profile).get_data(as_text=True)
    assert "Olga Other" in profile_page and "other@example.com" not in profile_page


def test_profile_lists_topics(people, client):
    make_topic(people.asker, title="My first question")
    page = client.get(f"/en/community/users/{people.asker.id}").get_data(as_text=True)
    assert "My first question" in page
    assert client.get("/en/community/users/424242").status_code == 404


def test_hidden_topic_is_404_for_customers_but_not_moderators(people, app, client):
    topic = make_topic(people.asker, title="Hidden question")
    topic.is_hidden = True
    db.session.commit()
    assert client.get(topic_path(topic), follow_redirects=True).status_code == 404
    customer = signed_in(app, people.other)
    assert customer.get(topic_path(topic), follow_redirects=True).status_code == 404
    assert "Hidden question" not in customer.get("/en/community/").get_data(as_text=True)
    moderator = signed_in(app, people.moderator)
    assert moderator.get(topic_path(topic), follow_redirects=True).status_code == 200
    history = f"/en/community/posts/{topic.posts[0].id}/history"
    assert client.get(history).status_code == 404


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    "![x](https://tracker.example/pixel.gif)",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<a href="https://evil.example" target="_blank">external</a>',
    "@<script>alert(1)</script>",
    "<object data=javascript:alert(1)></object>",
    '<form action="https://evil.example"><input name="x"><button>go</button></form>',
]


UNSAFE = ("<script", "onerror", "onload", "onclick", "javascript:", "data:", "<iframe", "<svg")
UNSAFE += ("style=", "<form", "<object", "tracker.example", 'target="_blank"')


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_in_replies_is_sanitized(people, app, source):
    topic = make_topic(people.asker)
    client = signed_in(app, people.helper)
    response = post_form(
        client, topic_path(topic), f"/en/community/topics/{topic.id}/reply", body=source
    )
    assert response.status_code in (303, 400)
    html = client.get(topic_path(topic), follow_redirects=True).get_data(as_text=True)
    body = html.split('class="replies"', 1)[1].split('class="reply-box"', 1)[0].lower()
    for needle in UNSAFE:
        assert needle not in body, needle
    for post_body in re.findall(r'class="prose post-body"[^>]*>(.*?)</div>', body, re.S):
        for link in re.findall(r"<a [^>]*>", post_body):
            assert 'rel="nofollow ugc noopener"' in link, link


def test_forum_error_messages_are_localized(people, app):
    topic = make_topic(people.asker)
    topic.is_locked = True
    db.session.commit()
    client = signed_in(app, people.helper)
    response = post_form(
        client,
        f"/ja/community/topics/{topic.id}",
        f"/ja/community/topics/{topic.id}/reply",
        body="answer",
    )
    assert response.status_code == 409
    assert db.session.get(Topic, topic.id).reply_count == 0
