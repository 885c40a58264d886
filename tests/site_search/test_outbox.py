"""Every article change reaches the index through the outbox, even after failures and crashes."""

from dataclasses import replace

from sqlalchemy import select

from app.extensions import db
from app.kb.articles import fields_of, save_article
from app.kb.models import Article
from app.site_search import outbox
from app.site_search.engine import search_index
from app.site_search.models import SearchOutbox
from search.query import SearchQuery
from tests.conftest import make_app


def top_urls(text, locale="en"):
    return [hit.url for hit in search_index().search(SearchQuery(text=text, locale=locale)).hits]


def retitle(slug: str, title: str) -> Article:
    article = db.session.scalar(select(Article).filter_by(locale="en", slug=slug))
    save_article(
        article, replace(fields_of(article), title=title), article.category, source="editor"
    )
    return article


def test_a_saved_change_is_searchable_after_commit(search_app):
    article = retitle("refund-policy", "Refund policy and zebra-striped receipts")
    db.session.flush()
    queued = db.session.scalars(select(SearchOutbox)).all()
    assert [(row.doc_type, row.doc_pk) for row in queued] == [("article", article.id)]
    assert top_urls("zebra") == []  # not before the transaction commits
    db.session.commit()
    assert top_urls("zebra")[:1] == ["/en/articles/refund-policy"]
    assert outbox.pending_count() == 0


def test_an_index_failure_keeps_the_row_and_a_retry_applies_it(search_app, monkeypatch):
    index = search_index()
    original = index.add_or_update

    def broken(document):
        raise OSError("disk full")

    monkeypatch.setattr(index, "add_or_update", broken)
    retitle("refund-policy", "Refund policy for walrus plans")
    db.session.commit()  # the article is saved even though indexing failed
    row = db.session.scalar(select(SearchOutbox))
    assert row.attempts == 1 and "disk full" in row.last_error
    assert top_urls("walrus") == []
    monkeypatch.setattr(index, "add_or_update", original)
    assert outbox.drain_outbox() == 1
    assert outbox.pending_count() == 0
    assert top_urls("walrus")[:1] == ["/en/articles/refund-policy"]


def test_rows_left_by_a_killed_process_are_applied_at_start(search_app, monkeypatch, tmp_path):
    monkeypatch.setattr(outbox, "drain_outbox", lambda limit=None: 0)  # killed before indexing
    retitle("refund-policy", "Refund policy for narwhal plans")
    db.session.commit()
    assert outbox.pending_count() == 1
    monkeypatch.undo()
    url = search_app.config["SQLALCHEMY_DATABASE_URI"]
    restarted = make_app(
        tmp_path,
        url,
        SEARCH_INDEX_DIR=search_app.config["SEARCH_INDEX_DIR"],
        SEARCH_SYNC_ON_START=True,
    )
    with restarted.app_context():
        assert outbox.pending_count() == 0
        assert top_urls("narwhal")[:1] == ["/en/articles/refund-policy"]
        db.session.remove()
        db.engine.dispose()


def test_unpublishing_removes_from_search(search_app):
    article = db.session.scalar(select(Article).filter_by(locale="en", slug="refund-policy"))
    save_article(
        article, replace(fields_of(article), status="archived"), article.category, source="editor"
    )
    db.session.commit()
    assert "/en/articles/refund-policy" not in top_urls("refund")


def test_status_and_reindex_commands(search_app):
    runner = search_app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "indexed 90 documents" in result.output
    result = runner.invoke(args=["search", "status"])
    assert "en: database 30, index 30" in result.output
    assert "pending outbox rows: 0" in result.output
