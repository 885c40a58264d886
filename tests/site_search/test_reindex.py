"""`flask search reindex` and `status`: stale versions, missing and orphan rows, resuming."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.site_search import cli
from app.site_search.engine import search_store
from app.site_search.services import SearchRequest, run_search
from search.analysis import ANALYZER_VERSION
from search.backends.tables import search_documents as docs


def versions() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(docs.c.analyzer_version, sa.func.count()).group_by(docs.c.analyzer_version)
    )
    return dict(rows.all())


def found(text: str, locale: str = "en") -> int:
    return run_search(SearchRequest(text=text, locale=locale)).total


def test_status_counts_rows_per_version_and_names_stale_ones(search_app):
    runner = search_app.test_cli_runner()
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert f"v{ANALYZER_VERSION} (current)" in result.output
    assert "older analyzer" not in result.output
    db.session.execute(sa.update(docs).where(docs.c.locale == "ja").values(analyzer_version=0))
    db.session.commit()
    result = runner.invoke(args=["search", "status"])
    assert "rows from an older analyzer: run `flask search reindex`" in result.output
    assert "v0: " in result.output


def test_status_never_crashes_without_search_tables(app):
    db.session.execute(sa.text("DROP TABLE search_documents"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "flask db upgrade" in result.output and "Traceback" not in result.output


def test_reindex_rewrites_stale_and_missing_rows_and_drops_orphans(search_app):
    before = found("password")
    assert before
    db.session.execute(sa.update(docs).values(analyzer_version=0))
    first = db.session.scalars(sa.select(docs.c.doc_id).order_by(docs.c.id)).first()
    search_store().remove(db.session.connection(), [first])
    search_store().write(db.session.connection(), [_orphan()])
    db.session.commit()
    assert found("xyzzyorphan") == 1
    result = search_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert versions() == {ANALYZER_VERSION: versions()[ANALYZER_VERSION]}
    assert db.session.scalar(sa.select(docs.c.id).where(docs.c.doc_id == first)) is not None
    assert found("xyzzyorphan") == 0
    assert found("password") == before
    assert "articles: " in result.output and "1 removed" in result.output


def _orphan():
    from search.documents import SearchDocument

    return SearchDocument(
        doc_id="article:999999",
        type="article",
        locale="en",
        kind="faq",
        category="account",
        title="Gone",
        summary="",
        body="xyzzyorphan",
    )


def test_reindex_killed_midway_leaves_search_answering_and_a_rerun_finishes(
    search_app, monkeypatch
):
    db.session.execute(sa.update(docs).values(analyzer_version=0))
    db.session.commit()
    before = found("password")
    real = cli._write_batch
    calls = {"n": 0}

    def dies_after_one(source, keys, analyzer=None):
        if calls["n"] == 1:
            raise KeyboardInterrupt  # as a SIGINT midway
        calls["n"] += 1
        real(source, keys, analyzer)

    monkeypatch.setattr(cli, "REINDEX_BATCH", 10)
    monkeypatch.setattr(cli, "_write_batch", dies_after_one)
    result = search_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code != 0
    db.session.rollback()
    assert found("password") == before  # old rows still answer
    stale = versions().get(0, 0)
    assert 0 < stale < sum(versions().values())
    monkeypatch.setattr(cli, "_write_batch", real)
    result = search_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert 0 not in versions()
    assert found("password") == before


def stored_tokens() -> dict[str, tuple]:
    """doc_id → the row's FTS5 columns (title, tags, summary, body tokens) and analyzer version."""
    rows = db.session.execute(
        sa.text(
            "SELECT d.doc_id, d.analyzer_version, f.title, f.tags, f.summary, f.body"
            " FROM search_documents d JOIN search_fts f ON f.rowid = d.id"
        )
    )
    return {doc_id: tuple(rest) for doc_id, *rest in rows}


def test_reindex_on_worker_processes_writes_what_the_site_writes(search_app, monkeypatch):
    before = stored_tokens()
    results = {(q, loc): found(q, loc) for q, loc in [("password", "en"), ("パスワード", "ja")]}
    assert all(results.values())
    db.session.execute(sa.update(docs).values(analyzer_version=0))
    db.session.commit()
    monkeypatch.setattr(cli, "PARALLEL_FROM", 1)
    monkeypatch.setattr(cli, "PARALLEL_BATCH", 7)
    result = search_app.test_cli_runner().invoke(args=["search", "reindex", "--workers", "2"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert stored_tokens() == before  # every row, token for token, at the current version
    assert {key: found(*key) for key in results} == results
