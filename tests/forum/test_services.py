"""The forum services: every rule of issue 4 (item 2) and the refusals under "Bad input"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum import services
from app.forum.errors import ForumError
from app.forum.models import Notification, Post, PostRevision, PostVote, Topic, TopicFollow
from tests.forum.conftest import category, make_topic


def codes(call, *args, **kwargs) -> str:
    with pytest.raises(ForumError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_create_topic_makes_first_post_and_follow(people):
    topic = make_topic(people.asker, tags=["Export", "csv", "export", "a b"])
    assert topic.id and topic.title == "How do I export my data?"
    assert topic.tags == ["export", "csv", "a-b"]
    (first,) = topic.posts
    assert first.is_first and first.author_id == people.asker.id
    assert first.body_html == "<p>I need a CSV of all tasks.</p>"
    assert len(first.body_digest) == 64
    assert services.is_following(people.asker, topic)
    assert topic.reply_count == 0 and not topic.is_solved


@pytest.mark.parametrize(
    "title, body, code",
    [
        ("", "body", "empty_title"),
        ("   \u200b ", "body", "empty_title"),
        ("x" * 201, "body", "title_too_long"),
        ("Fine title", "", "empty_body"),
        ("Fine title", " \n\t ", "empty_body"),
        ("Fine title", "\u200b\u200c\u200d\u2060\ufeff \u3164 \u2800", "empty_body"),
        ("Fine title", "x" * 20001, "body_too_long"),
    ],
)
def test_create_topic_refuses_bad_input(people, title, body, code):
    assert codes(make_topic, people.asker, title=title, body=body) == code
    assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 0


def test_title_of_exactly_200_characters_is_fine_and_bidi_overrides_are_dropped(people):
    topic = make_topic(people.asker, title="\u202e" + "x" * 200)
    assert topic.title == "x" * 200


def test_staff_only_category_refuses_customers(people):
    announcements = category("announcements")
    assert codes(make_topic, people.asker, category=announcements) == "staff_only"
    assert make_topic(people.editor, category=announcements).id


def test_suspended_author_cannot_post(people):
    topic = make_topic(people.asker)
    people.helper.is_suspended = True
    db.session.commit()
    assert codes(services.create_reply, people.helper, topic, "hello") == "suspended"


def test_reply_counts_notifies_followers_and_follows(people):
    topic = make_topic(people.asker)
    reply = services.create_reply(people.helper, topic, "Use **Export** in settings.")
    db.session.refresh(topic)
    assert topic.reply_count == 1 and topic.first_answer_at is not None
    assert reply.body_html == "<p>Use <strong>Export</strong> in settings.</p>"
    kinds = db.session.execute(sa.select(Notification.user_id, Notification.kind)).all()
    assert kinds == [(people.asker.id, "reply")]
    assert services.is_following(people.helper, topic)


def test_double_submission_returns_the_first_reply(people):
    topic = make_topic(people.asker)
    first = services.create_reply(people.helper, topic, "Same text")
    again = services.create_reply(people.helper, topic, "Same  text ")
    assert again.id == first.id
    db.session.refresh(topic)
    assert topic.reply_count == 1
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 2


def test_double_submission_of_a_topic_returns_the_first_topic(people):
    first = make_topic(people.asker)
    again = make_topic(people.asker)
    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 1


def test_locked_and_hidden_topics_refuse_replies(people):
    topic = make_topic(people.asker)
    topic.is_locked = True
    db.session.commit()
    assert codes(services.create_reply, people.helper, topic, "hi") == "locked"
    # Moderators may still answer in a locked topic.
    assert services.create_reply(people.moderator, topic, "Closing note").id
    topic.is_hidden = True
    db.session.commit()
    assert codes(services.create_reply, people.helper, topic, "hi") == "not_found"


def test_topic_locked_between_page_load_and_submit_is_refused(people):
    topic = make_topic(people.asker)
    db.session.execute(sa.update(Topic).values(is_locked=True))  # another request locks it
    db.session.commit()
    db.session.expire_all()
    stale = db.session.get(Topic, topic.id)
    stale.__dict__["is_locked"] = False  # what the replying request read earlier
    assert codes(services.create_reply, people.helper, stale, "hi") == "locked"
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 1


def test_edit_keeps_revision_and_marks_edited(people):
    topic = make_topic(people.asker)
    question = topic.posts[0]
    services.edit_post(people.asker, question, "New body", title="New title")
    assert question.edited_at is not None and question.body_html == "<p>New body</p>"
    assert topic.title == "New title"
    (revision,) = db.session.scalars(sa.select(PostRevision)).all()
    assert (revision.number, revision.title, revision.body_markdown) == (
        1,
        "How do I export my data?",
        "I need a CSV of all tasks.",
    )
    services.edit_post(people.asker, question, "Third body")
    assert [r.number for r in question.revisions] == [1, 2]


def test_edit_without_change_keeps_no_revision(people):
    topic = make_topic(people.asker)
    services.edit_post(people.asker, topic.posts[0], "I need a CSV of all tasks.")
    assert topic.posts[0].edited_at is None and not topic.posts[0].revisions


def test_edit_refusals(people):
    topic = make_topic(people.asker)
    reply = services.create_reply(people.helper, topic, "An answer")
    assert codes(services.edit_post, people.asker, reply, "mine now") == "not_author"
    assert codes(services.edit_post, people.helper, reply, "   ") == "empty_body"
    services.edit_post(people.moderator, reply, "Moderated text")
    topic.is_locked = True
    db.session.commit()
    assert codes(services.edit_post, people.helper, reply, "late edit") == "locked"
    reply.is_hidden = True
    db.session.commit()
    assert codes(services.edit_post, people.helper, reply, "gone") == "not_found"


def test_vote_once_and_toggle_back(people):
    topic = make_topic(people.asker)
    question = topic.posts[0]
    assert services.toggle_vote(people.helper, question) is True
    db.session.refresh(question), db.session.refresh(topic)
    assert question.vote_count == 1 and topic.vote_count == 1
    assert services.toggle_vote(people.helper, question) is False
    db.session.refresh(question), db.session.refresh(topic)
    assert question.vote_count == 0 and topic.vote_count == 0
    assert codes(services.toggle_vote, people.asker, question) == "own_post"
    assert db.session.scalar(sa.select(sa.func.count(PostVote.id))) == 0


def test_reply_votes_do_not_touch_topic_votes(people):
    topic = make_topic(people.asker)
    reply = services.create_reply(people.helper, topic, "An answer")
    services.toggle_vote(people.asker, reply)
    services.toggle_vote(people.other, reply)
    db.session.refresh(reply), db.session.refresh(topic)
    assert reply.vote_count == 2 and topic.vote_count == 0


def test_accept_by_asker_or_staff_only(people):
    topic = make_topic(people.asker)
    reply = services.create_reply(people.helper, topic, "An answer")
    assert codes(services.accept_answer, people.other, topic, reply) == "not_allowed"
    assert codes(services.accept_answer, people.helper, topic, reply) == "not_allowed"
    assert codes(services.accept_answer, people.asker, topic, topic.posts[0]) == "not_an_answer"
    services.accept_answer(people.asker, topic, reply)
    assert topic.is_solved and topic.accepted_post_id == reply.id
    notified = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == "accepted")
    ).all()
    assert notified == [people.helper.id]
    services.unaccept(people.editor, topic)
    assert not topic.is_solved
    services.accept_answer(people.moderator, topic, reply)
    assert topic.is_solved


def test_accept_refuses_answers_of_other_topics_and_hidden_replies(people):
    topic = make_topic(people.asker)
    elsewhere = make_topic(people.other, title="Another question")
    foreign = services.create_reply(people.helper, elsewhere, "Wrong topic")
    assert codes(services.accept_answer, people.asker, topic, foreign) == "not_an_answer"
    hidden = services.create_reply(people.helper, topic, "Hidden")
    hidden.is_hidden = True
    db.session.commit()
    assert codes(services.accept_answer, people.asker, topic, hidden) == "not_an_answer"


def test_follow_unfollow_and_reply_notification(people):
    topic = make_topic(people.asker)
    services.follow(people.other, topic)
    services.follow(people.other, topic)  # twice: still one row
    assert db.session.scalar(sa.select(sa.func.count(TopicFollow.id))) == 2
    services.create_reply(people.helper, topic, "Answer")
    assert services.unread_count(people.other) == 1
    services.unfollow(people.other, topic)
    services.create_reply(people.helper, topic, "Another answer")
    assert services.unread_count(people.other) == 1
    assert services.mark_all_read(people.other) == 1
    assert services.unread_count(people.other) == 0


def test_mentions_link_to_profiles_and_notify(people):
    topic = make_topic(people.asker)
    reply = services.create_reply(
        people.helper, topic, "Ask @OlgaOther or @nobody, not `@MoMod` in code. Mail a@b.example"
    )
    assert f'<a class="mention" href="/en/community/users/{people.other.id}"' in reply.body_html
    assert "@nobody" in reply.body_html
    assert f"users/{people.moderator.id}" not in reply.body_html
    assert "<code>@MoMod</code>" in reply.body_html
    rows = db.session.execute(sa.select(Notification.user_id, Notification.kind)).all()
    assert (people.other.id, "mention") in rows
    assert (people.asker.id, "reply") in rows
    assert (people.moderator.id, "mention") not in rows


def test_mention_of_follower_gives_one_notification(people):
    topic = make_topic(people.asker)
    services.create_reply(people.helper, topic, "@AdaAsker does this help?")
    rows = db.session.execute(sa.select(Notification.user_id, Notification.kind)).all()
    assert rows == [(people.asker.id, "mention")]


def test_email_sent_only_to_people_who_chose_it(people, app):
    from app.mail import sent_mail

    people.asker.email_notifications = True
    db.session.commit()
    topic = make_topic(people.asker)
    services.create_reply(people.helper, topic, "Answer for you")
    mails = sent_mail()
    assert [m["to"] for m in mails] == ["asker@example.com"]
    assert "How do I export my data?" in mails[0]["subject"]
    assert f"/en/community/topics/{topic.id}/" in mails[0]["text_body"]


def test_spam_rules_refuse_before_saving(people):
    topic = make_topic(people.asker)
    newbie = people.other
    newbie.created_at = topic.created_at
    db.session.commit()
    links = " ".join(f"https://spam{i}.example" for i in range(5))
    assert codes(services.create_reply, newbie, topic, links) == "rejected"
    db.session.refresh(topic)
    assert topic.reply_count == 0


def test_recount_replies_ignores_hidden(people):
    topic = make_topic(people.asker)
    services.create_reply(people.helper, topic, "one")
    hidden = services.create_reply(people.other, topic, "two")
    hidden.is_hidden = True
    db.session.commit()
    services.recount_replies(topic)
    db.session.commit()
    assert topic.reply_count == 1
