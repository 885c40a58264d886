"""The core forum flows on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.forum import listing, services
from app.forum.models import Notification, PostVote
from app.forum.seeding import ensure_categories
from app.site_search.services import SearchRequest, run_search
from tests.forum.conftest import make_topic, make_user


def test_core_flows_on_both_databases(any_db_app):
    ensure_categories()
    asker = make_user("asker@example.com", name="Ada Asker")
    helper = make_user("helper@example.com", name="Hal Helper")
    follower = make_user("follower@example.com", name="Fay Follower")
    topic = make_topic(asker, title="Löschen rückgängig machen?", tags=["Papierkorb"])
    services.follow(follower, topic)
    reply = services.create_reply(helper, topic, "Look in the trash, @AdaAsker.")
    assert services.create_reply(helper, topic, "Look in the trash, @AdaAsker.").id == reply.id
    services.toggle_vote(asker, reply)
    services.toggle_vote(follower, topic.posts[0])
    services.toggle_vote(follower, topic.posts[0])
    services.toggle_vote(follower, topic.posts[0])
    services.edit_post(helper, reply, "Look in **Trash**, @AdaAsker.")
    services.accept_answer(asker, topic, reply)
    db.session.expire_all()

    assert topic.is_solved and topic.reply_count == 1 and topic.vote_count == 1
    assert reply.vote_count == 1 and reply.edited_at is not None and len(reply.revisions) == 1
    assert db.session.scalar(sa.select(sa.func.count(PostVote.id))) == 2
    kinds = sorted(db.session.execute(sa.select(Notification.user_id, Notification.kind)).all())
    assert (asker.id, "mention") in kinds
    assert (follower.id, "reply") in kinds and (follower.id, "accepted") in kinds
    assert (helper.id, "accepted") in kinds

    for sort in listing.SORTS:
        page = listing.paginate_topics(listing.topics_query("en", sort), 1, 20)
        assert [t.id for t in page.items] == ([] if sort == "unanswered" else [topic.id])
    assert listing.topic_counts("en") == {topic.category_id: 1}
    assert listing.profile_stats(helper).accepted == 1
    assert [i.topic.id for i in listing.notification_items(follower)] == [topic.id, topic.id]
    assert services.mark_all_read(follower) == 2


def test_a_long_japanese_title_is_posted_and_found_on_both_databases(any_db_app):
    """Its percent-encoded URL is ~700 characters (9 per kana), longer than the old 500 limit."""
    ensure_categories()
    asker = make_user("asker@example.com", name="Ada Asker")
    title = (
        "プロジェクトのガントチャートをエクスポートすると"
        "タイムゾーンがずれてしまうのですがどうすればよいでしょうか教えてください"
    )
    topic = make_topic(asker, title=title, body="エクスポートの時刻がずれます。", locale="ja")
    results = run_search(SearchRequest(text="ガントチャート タイムゾーン", locale="ja"))
    hit = next(h for h in results.hits if h.doc_id == f"topic:{topic.id}")
    assert len(hit.url) > 500 and hit.title == title
