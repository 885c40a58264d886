"""Forum topics and replies in search: written with each change, found with their solved state."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.forum import services
from app.forum.models import Post
from app.site_search.services import SearchRequest, run_search
from search.backends.tables import search_documents
from tests.forum.conftest import make_topic


def search(text: str, locale: str = "en", kind: str | None = None):
    return run_search(SearchRequest(text=text, locale=locale, kind=kind))


def hit_for(results, topic):
    return next((h for h in results.hits if h.doc_id == f"topic:{topic.id}"), None)


def test_new_topic_is_found_and_solved_after_accept(people):
    topic = make_topic(people.asker, title="Gantt chart export to PDF", body="How to print it?")
    hit = hit_for(search("gantt pdf"), topic)
    assert hit is not None and hit.type == "topic" and hit.kind == "topic" and not hit.solved
    assert hit.category == "questions"
    assert hit.url == f"/en/community/topics/{topic.id}/gantt-chart-export-to-pdf"
    reply = services.create_reply(people.helper, topic, "Use the zoomable timeline printout.")
    assert hit_for(search("zoomable timeline"), topic) is not None  # replies are indexed too
    services.accept_answer(people.asker, topic, reply)
    assert hit_for(search("gantt pdf"), topic).solved
    assert hit_for(search("gantt", kind="topic"), topic) is not None


def test_hidden_topic_leaves_the_index(people):
    topic = make_topic(people.asker, title="Kanban swimlanes question", body="Where are they?")
    assert hit_for(search("swimlanes"), topic) is not None
    topic.is_hidden = True
    db.session.commit()
    assert hit_for(search("swimlanes"), topic) is None


def test_search_page_shows_solved_badge(people, client):
    topic = make_topic(people.asker, title="Burndown widget missing", body="Where did it go?")
    reply = services.create_reply(people.helper, topic, "Enable it in project settings.")
    services.accept_answer(people.asker, topic, reply)
    html = client.get("/en/search?q=burndown").get_data(as_text=True)
    assert "Burndown widget missing" in html and "badge-solved" in html


def test_a_rolled_back_reply_leaves_no_search_row(people):
    topic = make_topic(people.asker, title="Timesheet rounding", body="Round to 15 minutes?")
    db.session.add(
        Post(
            topic_id=topic.id,
            author_id=people.helper.id,
            body_markdown="xylophone",
            body_html="<p>xylophone</p>",
            body_digest="0" * 64,
        )
    )
    db.session.flush()
    assert hit_for(search("xylophone"), topic) is not None  # the flush wrote its row
    db.session.rollback()
    assert hit_for(search("xylophone"), topic) is None
    assert hit_for(search("timesheet rounding"), topic) is not None


def search_rows(group_id: str) -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        sa.select(search_documents.c.doc_id, search_documents.c.category, search_documents.c.type)
        .where(search_documents.c.group_id == group_id)
        .order_by(search_documents.c.doc_id)
    )
    return [tuple(r) for r in rows]


def test_replies_are_rows_of_their_own_found_as_their_topic(people):
    topic = make_topic(people.asker, title="Calendar sync", body="Outlook calendar is empty.")
    reply = services.create_reply(people.helper, topic, "Reconnect outlook.com in settings.")
    group = f"topic:{topic.id}"
    assert search_rows(group) == [
        (f"post:{reply.id}", "questions", "post"),
        (group, "questions", "topic"),
    ]
    results = search("outlook.com reconnect")
    assert [h.doc_id for h in results.hits] == [group] and results.total == 1
    assert "<mark>" in results.hits[0].snippet  # the snippet comes from the reply


def test_a_reply_analyzes_only_itself(people, monkeypatch):
    """A reply into a long topic writes one row: the topic's others are not analyzed again."""
    from search import store

    topic = make_topic(people.asker, title="Long thread", body="Many replies follow.")
    for n in range(30):
        services.create_reply(people.helper, topic, f"Reply number {n}.")
    analyzed = []
    real = store.index_row

    def counting(doc, locale=None):
        analyzed.append(doc.doc_id)
        return real(doc, locale)

    monkeypatch.setattr(store, "index_row", counting)
    reply = services.create_reply(people.other, topic, "The last word on widgets.")
    assert analyzed == [f"post:{reply.id}"]
    assert hit_for(search("widgets"), topic) is not None


def test_hidden_reply_leaves_search_and_its_topic_stays(people):
    topic = make_topic(people.asker, title="Invoice currency", body="Can I pay in euros?")
    reply = services.create_reply(people.helper, topic, "Marmalade is not a currency.")
    assert hit_for(search("marmalade"), topic) is not None
    reply.is_hidden = True
    db.session.commit()
    assert hit_for(search("marmalade"), topic) is None
    assert hit_for(search("invoice currency"), topic) is not None


def test_reindex_keeps_forum_topics(people, runner):
    topic = make_topic(people.asker, title="Milestone colours", body="Can I change them?")
    hidden = make_topic(people.other, title="Milestone spam", body="Buy now")
    hidden.is_hidden = True
    db.session.commit()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    hits = search("milestone").hits
    assert [h.doc_id for h in hits] == [f"topic:{topic.id}"]
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0, status.output
    assert "en: database 1, search 1 results + 0 replies" in status.output
