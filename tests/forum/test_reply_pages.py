"""Long topics page by page: ?page=, the question and accepted answer first, links to a post."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from app.extensions import db
from app.forum import listing, services
from app.forum.models import Post
from app.mail import OUTBOX_KEY
from app.moderation import services as moderation
from tests.conftest import sign_in
from tests.forum.conftest import PASSWORD, make_topic, post_form

PER_PAGE = 3


@pytest.fixture
def long_topic(people, app):
    """A question with seven replies (three pages of three) by two people."""
    app.config["FORUM_REPLIES_PER_PAGE"] = PER_PAGE
    topic = make_topic(people.asker, title="Export keeps failing")
    replies = [
        services.create_reply(
            people.helper if n % 2 else people.other, topic, f"Reply number {n} here."
        )
        for n in range(1, 8)
    ]
    return topic, replies


def topic_url(topic, query: str = "") -> str:
    return f"/en/community/topics/{topic.id}/export-keeps-failing{query}"


def shown_replies(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Reply number (\d+) here", html)]


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email, PASSWORD).status_code in (302, 303)
    return client


def test_replies_are_split_into_pages_oldest_first(long_topic, client):
    topic, _ = long_topic
    first = client.get(topic_url(topic)).get_data(as_text=True)
    assert "I need a CSV of all tasks." in first  # the question leads page 1
    assert shown_replies(first) == [1, 2, 3]
    assert "Page 1 of 3" in first and 'aria-label="Pages"' in first
    assert f'href="{topic_url(topic, "?page=2")}" rel="next"' in first
    assert 'rel="prev"' not in first

    second = client.get(topic_url(topic, "?page=2")).get_data(as_text=True)
    assert shown_replies(second) == [4, 5, 6]
    assert "I need a CSV of all tasks." not in second
    assert f'href="{topic_url(topic)}" rel="prev"' in second  # page 1 has no ?page=
    assert f'<link rel="canonical" href="http://localhost{topic_url(topic, "?page=2")}">' in second
    assert "<title>Export keeps failing · Page 2 of 3" in second
    assert "Read the question" in second

    third = client.get(topic_url(topic, "?page=3")).get_data(as_text=True)
    assert shown_replies(third) == [7] and 'rel="next"' not in third


def test_a_short_topic_has_no_pager(people, client, app):
    topic = make_topic(people.asker, title="Export keeps failing")
    services.create_reply(people.helper, topic, "Reply number 1 here.")
    html = client.get(topic_url(topic)).get_data(as_text=True)
    assert shown_replies(html) == [1]
    assert 'class="pagination"' not in html and "Page 1 of" not in html


@pytest.mark.parametrize(
    ("value", "replies"),
    [
        ("0", [1, 2, 3]),
        ("-1", [1, 2, 3]),
        ("abc", [1, 2, 3]),
        ("", [1, 2, 3]),
        ("2.5", [1, 2, 3]),
        ("9" * 5000, [1, 2, 3]),  # too many digits for int(): page 1, not a 500
        ("4", [7]),  # past the end: the last page
        (str(10**9), [7]),
    ],
)
def test_odd_page_values_give_a_normal_page(long_topic, client, value, replies):
    topic, _ = long_topic
    response = client.get(topic_url(topic, f"?page={value}"))
    assert response.status_code == 200
    assert shown_replies(response.get_data(as_text=True)) == replies


def test_the_slug_redirect_keeps_the_page(long_topic, client):
    topic, _ = long_topic
    response = client.get(f"/en/community/topics/{topic.id}?page=2")
    assert response.status_code == 301
    assert response.headers["Location"] == topic_url(topic, "?page=2")


def test_the_accepted_answer_is_shown_on_page_1_only(long_topic, client, people):
    topic, replies = long_topic
    services.accept_answer(people.asker, topic, replies[6])  # reply 7, from page 3
    first = client.get(topic_url(topic)).get_data(as_text=True)
    accepted = first.index("Accepted answer</h2>")
    assert first.index("I need a CSV") < accepted < first.index("Reply number 7 here")
    assert first.index("Reply number 7 here") < first.index("Other replies")
    assert shown_replies(first) == [7, 1, 2, 3]
    # The six other replies fill two pages; the accepted one is not repeated.
    second = client.get(topic_url(topic, "?page=2")).get_data(as_text=True)
    assert shown_replies(second) == [4, 5, 6] and "Page 2 of 2" in second
    assert "Read the question and the accepted answer" in second and "Other replies" in second
    assert shown_replies(client.get(topic_url(topic, "?page=3")).get_data(as_text=True)) == [
        4,
        5,
        6,
    ]


def test_post_page(long_topic, people):
    topic, replies = long_topic
    question = topic.posts[0]
    assert listing.post_page(topic, question.id, None) == 1
    assert [listing.post_page(topic, r.id, None) for r in replies] == [1, 1, 1, 2, 2, 2, 3]
    services.accept_answer(people.asker, topic, replies[0])
    assert [listing.post_page(topic, r.id, None) for r in replies] == [1, 1, 1, 1, 2, 2, 2]
    # A hidden reply moves the later ones up for readers, not for moderators (who see it).
    moderation.hide_post(people.moderator, replies[1], "Spam")
    db.session.commit()
    assert [listing.post_page(topic, r.id, people.asker) for r in replies[2:]] == [1, 1, 1, 2, 2]
    assert [listing.post_page(topic, r.id, people.moderator) for r in replies[1:]] == [
        1,
        1,
        1,
        2,
        2,
        2,
    ]


def test_a_new_reply_lands_on_the_last_page_at_the_reply(long_topic, app, people):
    topic, _ = long_topic
    client = signed_in(app, people.helper)
    response = post_form(
        client, topic_url(topic), f"/en/community/topics/{topic.id}/reply", body="Eighth reply."
    )
    post = db.session.scalars(db.select(Post).order_by(Post.id.desc())).first()
    assert response.status_code == 303
    assert response.headers["Location"] == topic_url(topic, f"?page=3#post-{post.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="post-{post.id}"' in page and "Eighth reply." in page


def test_a_refused_reply_shows_the_last_page_with_the_text(long_topic, app, people):
    topic, _ = long_topic
    client = signed_in(app, people.helper)
    response = post_form(
        client, topic_url(topic), f"/en/community/topics/{topic.id}/reply", body="\u200b"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert shown_replies(html) == [7] and "the text is empty" in html


def test_vote_edit_and_accept_redirect_to_the_page_of_the_post(long_topic, app, people):
    topic, replies = long_topic
    fifth = replies[4]
    voter = signed_in(app, people.asker)
    vote = post_form(voter, topic_url(topic), f"/en/community/posts/{fifth.id}/vote")
    assert vote.headers["Location"] == topic_url(topic, f"?page=2#post-{fifth.id}")
    author = signed_in(app, people.helper)
    edit_url = f"/en/community/posts/{fifth.id}/edit"
    edited = post_form(author, edit_url, edit_url, body="Reply number 5 here, edited.")
    assert edited.headers["Location"] == topic_url(topic, f"?page=2#post-{fifth.id}")
    for page in ("edit", "history"):
        html = author.get(f"/en/community/posts/{fifth.id}/{page}").get_data(as_text=True)
        assert f'href="{topic_url(topic, f"?page=2#post-{fifth.id}")}"' in html
    accepted = post_form(voter, topic_url(topic), f"/en/community/posts/{fifth.id}/accept")
    assert accepted.headers["Location"] == topic_url(topic, f"#post-{fifth.id}")


def test_notifications_link_to_the_page_of_the_reply(long_topic, app, people):
    topic, _ = long_topic
    people.asker.email_notifications = True
    db.session.commit()
    app.extensions[OUTBOX_KEY] = []
    reply = services.create_reply(people.editor, topic, "Reply number 8 here.")
    link = topic_url(topic, f"?page=3#post-{reply.id}")
    (mail,) = [m for m in app.extensions[OUTBOX_KEY] if m["to"] == people.asker.email]
    assert f"Read it here: {link}\n" in mail["text_body"]
    html = signed_in(app, people.asker).get("/en/community/notifications").get_data(as_text=True)
    assert f'href="{link}"' in html


def test_moderation_links_point_to_the_page_of_the_post(long_topic, app, people):
    topic, replies = long_topic
    seventh = replies[6]
    moderation.flag_post(seventh, people.asker, "spam", "")
    db.session.commit()
    moderator = signed_in(app, people.moderator)
    queue = moderator.get("/moderation/").get_data(as_text=True)
    assert f'href="{topic_url(topic, f"?page=3#post-{seventh.id}")}"' in queue
    page = moderator.get(topic_url(topic, "?page=3")).get_data(as_text=True)
    assert f'name="next" value="{topic_url(topic, "?page=3")}"' in page  # hide: back to page 3


def test_signed_out_readers_sign_in_back_to_the_same_page(long_topic, client):
    topic, _ = long_topic
    html = client.get(topic_url(topic, "?page=2")).get_data(as_text=True)
    (link,) = re.findall(r'href="(/account/sign-in\?next=[^"]+)">Sign in to reply', html)
    assert unquote(link.partition("next=")[2]) == topic_url(topic, "?page=2")
