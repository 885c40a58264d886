"""`flask search reindex|status`: bring rows up to the current analyzers; compare with the data."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.extensions import db
from app.site_search.engine import search_store
from app.site_search.sources import SOURCES, SearchSource
from search.analysis import ANALYZER_VERSION
from search.backends.tables import search_documents as docs_table
from search.bulk import BulkAnalyzer
from search.documents import make_doc_id

search_cli = AppGroup("search", help="Maintain the search rows.")

REINDEX_BATCH = 200
"""Results written per transaction: each commit replaces their old rows at once."""

PARALLEL_BATCH = 1000
"""Results per transaction when worker processes analyze: a batch takes them about a second,
and fewer, larger commits leave SQLite's FTS5 fewer segments to merge."""

PARALLEL_FROM = 2000
"""Results to write from which worker processes pay for their start (a second or two each)."""

BATCH_RETRIES = 5


def _current_groups(source: SearchSource) -> dict[str, bool]:
    """group_id → whether every row of it was written by the current analyzers."""
    c = docs_table.c
    rows = db.session.execute(
        sa.select(c.group_id, sa.func.min(c.analyzer_version), sa.func.max(c.analyzer_version))
        .where(c.group_id.like(f"{source.name}:%"))
        .group_by(c.group_id)
    )
    return {g: low == high == ANALYZER_VERSION for g, low, high in rows}


def _write_batch(
    source: SearchSource, keys: list[int], analyzer: BulkAnalyzer | None = None
) -> None:
    """One batch in one transaction: the results' old rows out, new ones in, then commit.

    With an ``analyzer`` the batch's documents are analyzed on its workers while this
    transaction, which read them, waits to write their rows.

    On SQLite a write from the site between our read and our write makes the
    transaction fail (it would otherwise overwrite a reply it did not see):
    it is rolled back and retried.
    """
    store = search_store()
    for attempt in range(BATCH_RETRIES):
        try:
            documents = source.documents(db.session, keys)
            conn = db.session.connection()
            store.remove_groups(conn, [make_doc_id(source.name, k) for k in keys])
            store.write(conn, documents, analyzer)
            db.session.commit()
            return
        except OperationalError:
            db.session.rollback()
            if attempt == BATCH_RETRIES - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


@search_cli.command("reindex")
@click.option("--all", "everything", is_flag=True, help="Rewrite every row, not only stale ones.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that analyze (default: one per core; 1 leaves the other cores to the site).",
)
def reindex(everything: bool, workers: int | None) -> None:
    """Rewrite search rows that are missing or from an older analyzer; drop rows of gone data.

    Safe while the site serves: each batch replaces its results' rows in one
    transaction, so searches answer from the old rows until then. Resumable:
    a rerun skips what is already current. Analysis runs on one worker process per core.
    """
    store = search_store()
    store.create_schema(db.session.connection())
    db.session.commit()
    with BulkAnalyzer(workers) as analyzer:
        for source in SOURCES.values():
            _reindex_source(store, source, everything, analyzer)


def _reindex_source(store, source: SearchSource, everything: bool, analyzer: BulkAnalyzer):
    """One source's stale and missing results written, batch by batch; its orphans removed."""
    keys = source.keys(db.session)
    current = _current_groups(source)
    todo = [k for k in keys if everything or not current.get(make_doc_id(source.name, k), False)]
    parallel = analyzer.workers > 1 and len(todo) >= PARALLEL_FROM
    size = PARALLEL_BATCH if parallel else REINDEX_BATCH
    with click.progressbar(
        length=len(keys), label=f"Indexing {source.name}s", show_pos=True
    ) as bar:
        bar.update(len(keys) - len(todo))
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            _write_batch(source, batch, analyzer if parallel else None)
            bar.update(len(batch))
    wanted = {make_doc_id(source.name, k) for k in keys}
    orphans = sorted(set(current) - wanted)
    for start in range(0, len(orphans), REINDEX_BATCH):
        store.remove_groups(db.session.connection(), orphans[start : start + REINDEX_BATCH])
        db.session.commit()
    click.echo(f"{source.name}s: {len(todo)} written, {len(orphans)} removed")


@search_cli.command("status")
def status() -> None:
    """Results in the database vs in search per locale; rows per analyzer version."""
    try:
        expected: dict[str, int] = {}
        for source in SOURCES.values():
            for locale, n in source.counts(db.session).items():
                expected[locale] = expected.get(locale, 0) + n
        store = search_store()
        conn = db.session.connection()
        rows = store.row_counts(conn)
    except SQLAlchemyError as error:
        db.session.rollback()
        click.echo(f"search rows cannot be read ({type(error).__name__}): run `flask db upgrade`.")
        raise SystemExit(1) from None
    stale = 0
    for locale in sorted(set(expected) | {key[0] for key in rows}):
        results = sum(n for (loc, kind, _), n in rows.items() if loc == locale and kind != "post")
        replies = sum(n for (loc, kind, _), n in rows.items() if loc == locale and kind == "post")
        versions = {}
        for (loc, _, version), n in rows.items():
            if loc == locale:
                versions[version] = versions.get(version, 0) + n
        current = ANALYZER_VERSION
        stale += sum(n for v, n in versions.items() if v != current)
        shown = ", ".join(
            f"v{v}{' (current)' if v == current else ''}: {n}" for v, n in sorted(versions.items())
        )
        click.echo(
            f"{locale}: database {expected.get(locale, 0)}, search {results} results"
            f" + {replies} replies; rows by analyzer version: {shown or 'none'}"
        )
    if stale:
        click.echo(f"{stale} rows from an older analyzer: run `flask search reindex`.")
