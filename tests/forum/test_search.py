"""Forum topics in the search index: through the outbox, with their solved state."""

from __future__ import annotations

from app.extensions import db
from app.forum import services
from app.site_search.services import SearchRequest, run_search
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


def test_index_failure_keeps_the_post(people, monkeypatch):
    from search.index import SearchIndex

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(SearchIndex, "add_or_update", broken)
    monkeypatch.setattr(SearchIndex, "add_or_update_many", broken)
    topic = make_topic(people.asker, title="Timesheet rounding", body="Round to 15 minutes?")
    assert topic.id and topic.posts[0].body_html
    from app.site_search.outbox import drain_outbox, pending_count

    assert pending_count() >= 1
    monkeypatch.undo()
    drain_outbox()
    assert pending_count() == 0
    assert hit_for(search("timesheet rounding"), topic) is not None


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
    assert "en: database 1, index 1 (0 articles, 1 topics)" in status.output
    assert "pending outbox rows: 0" in status.output
