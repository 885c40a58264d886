"""PostgreSQL's bm25 statistics: what ranking needs to know about the whole index.

Each ``search_pg_tokens`` row's token count (``length``), the rows holding each token per
locale and each locale's rows and tokens (``search_pg_terms``, term '' for the totals), kept
by statement triggers on ``search_pg_tokens`` that append changes in the writer's transaction
(``search_pg_term_changes``) and folded into ``search_pg_terms`` now and then by one writer at
a time: no writer waits on a counter row. postgres.py creates these with its schema, reads
them when it ranks and folds after a bulk write; this module imports nothing of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

FOLD_SHARE = 0.0625
"""Share of writes that fold the appended statistics changes into ``search_pg_terms``."""

FOLD_LOCK = 7_311_912
"""Advisory lock key: one folder at a time; a writer that would wait skips folding."""

FOLD_BATCH = 5000
"""Changes one fold moves at most, so the write that folds stays cheap after a bulk reindex."""

FOLDING = """WITH moved AS (
        DELETE FROM search_pg_term_changes WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM search_pg_term_changes LIMIT {limit}))
        RETURNING term, locale, rows, tokens)
    INSERT INTO search_pg_terms AS t (term, locale, rows, tokens)
    SELECT term, locale, sum(rows), sum(tokens) FROM moved
    GROUP BY term, locale ORDER BY term, locale
    ON CONFLICT (term, locale) DO UPDATE
    SET rows = t.rows + excluded.rows, tokens = t.tokens + excluded.tokens"""
"""Moves up to ``{limit}`` appended statistics changes into ``search_pg_terms`` (term rows
locked in order)."""

FOLD_CHANGES = FOLDING.format(limit=FOLD_BATCH)
"""The fold the statistics trigger runs now and then."""

BULK_ROWS = 100
"""A write of this many rows or more folds on its own (see write_tokens)."""

BULK_FOLD_PER_ROW = 50
"""Changes a bulk write folds per row it wrote: more than a row's share of what its batch
appended (about 17 in the bench's batches of 1,000), so a reindex leaves no backlog."""

RANKING_STATISTICS = (
    # Rows holding each token per locale (bm25's n, and the content vocabulary's counts);
    # term '' is the locale's rows and tokens in all (N and the average row length).
    """CREATE TABLE IF NOT EXISTS search_pg_terms (
        term text NOT NULL,
        locale varchar(8) NOT NULL,
        rows bigint NOT NULL,
        tokens bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (term, locale)
    )""",
    # What writes changed since the last fold, appended without a lock on any counter row:
    # a count is the terms row plus these.
    """CREATE TABLE IF NOT EXISTS search_pg_term_changes (
        term text NOT NULL,
        locale varchar(8) NOT NULL,
        rows bigint NOT NULL,
        tokens bigint NOT NULL DEFAULT 0
    )""",
    """CREATE INDEX IF NOT EXISTS ix_search_pg_term_changes_term
    ON search_pg_term_changes (term, locale)""",
    # Filled from the rows already there when the tables are new (an upgrade): empty
    # statistics with rows present can only mean that, as every write keeps them in step.
    """UPDATE search_pg_tokens SET length = (
        SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(content))
    WHERE length = 0 AND NOT EXISTS (SELECT 1 FROM search_pg_terms)
        AND NOT EXISTS (SELECT 1 FROM search_pg_term_changes)""",
    """INSERT INTO search_pg_terms (term, locale, rows, tokens)
    SELECT term, locale, rows, tokens FROM (
        SELECT w AS term, locale, count(*) AS rows, 0 AS tokens
        FROM search_pg_tokens, unnest(tsvector_to_array(content)) AS w GROUP BY w, locale
        UNION ALL
        SELECT '', locale, count(*), sum(length) FROM search_pg_tokens GROUP BY locale
    ) AS counted
    WHERE NOT EXISTS (SELECT 1 FROM search_pg_terms)
        AND NOT EXISTS (SELECT 1 FROM search_pg_term_changes)""",
    # One statement-level trigger per event, over the statement's changed rows: a write
    # appends one change per token it adds or removes. Now and then (FOLD_SHARE of writes)
    # a writer that gets the advisory lock without waiting folds the changes into the terms:
    # one folder at a time, and the other writers never touch search_pg_terms.
    """CREATE OR REPLACE FUNCTION search_pg_statistics() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO search_pg_term_changes (term, locale, rows, tokens)
            SELECT w, locale, count(*), 0
            FROM new_rows, unnest(tsvector_to_array(content)) AS w GROUP BY w, locale
            UNION ALL
            SELECT '', locale, count(*), sum(length) FROM new_rows GROUP BY locale;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO search_pg_term_changes (term, locale, rows, tokens)
            SELECT w, locale, -count(*), 0
            FROM old_rows, unnest(tsvector_to_array(content)) AS w GROUP BY w, locale
            UNION ALL
            SELECT '', locale, -count(*), -sum(length) FROM old_rows GROUP BY locale;
        ELSE
            WITH changed AS (
                SELECT o.locale AS old_locale, o.content AS old_content,
                    o.length AS old_length, n.locale, n.content, n.length
                FROM old_rows o JOIN new_rows n USING (id)
                WHERE (o.locale, o.content, o.length) IS DISTINCT FROM
                    (n.locale, n.content, n.length)
            ), counted AS (
                SELECT w AS term, locale, 1 AS rows, 0 AS tokens
                FROM changed, unnest(tsvector_to_array(content)) AS w
                UNION ALL
                SELECT w, old_locale, -1, 0
                FROM changed, unnest(tsvector_to_array(old_content)) AS w
                UNION ALL
                SELECT '', locale, 1, length FROM changed
                UNION ALL
                SELECT '', old_locale, -1, -old_length FROM changed
            )
            INSERT INTO search_pg_term_changes (term, locale, rows, tokens)
            SELECT term, locale, sum(rows), sum(tokens) FROM counted GROUP BY term, locale
            HAVING sum(rows) <> 0 OR sum(tokens) <> 0;
        END IF;
        IF random() < %(share)s AND pg_try_advisory_xact_lock(%(lock)s) THEN
            %(fold)s;
        END IF;
        RETURN NULL;
    END $$""".replace("%(share)s", str(FOLD_SHARE))
    .replace("%(lock)s", str(FOLD_LOCK))
    .replace("%(fold)s", FOLD_CHANGES),
    *(
        f"""CREATE OR REPLACE TRIGGER search_pg_statistics_{event.lower()}
        AFTER {event} ON search_pg_tokens REFERENCING {tables}
        FOR EACH STATEMENT EXECUTE FUNCTION search_pg_statistics()"""
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
)
"""The ranking statistics' tables and the triggers keeping them (create_schema and migration)."""

STATISTICS_SQL = """SELECT term, sum(rows) AS rows, sum(tokens) AS tokens FROM (
        SELECT term, rows, tokens FROM search_pg_terms
        WHERE term = ANY(CAST(:counted AS text[])){where}
        UNION ALL
        SELECT term, rows, tokens FROM search_pg_term_changes
        WHERE term = ANY(CAST(:counted AS text[])){where}
    ) AS counted GROUP BY term"""
"""Rows and tokens per term of ``:counted``: search_pg_terms plus the changes not folded yet,
in one snapshot; over every locale, or ``{where}`` = " AND locale = :locale"."""


def term_statistics(
    conn: Connection, terms: Sequence[str], locale: str | None = None
) -> dict[str, tuple[int, int]]:
    """Term → (rows, tokens) over every locale unless one is given ('' is all rows)."""
    where = " AND locale = :locale" if locale else ""
    found = conn.execute(
        sa.text(STATISTICS_SQL.format(where=where)), {"counted": list(terms), "locale": locale}
    )
    return {term: (int(rows), int(tokens)) for term, rows, tokens in found}


def fold_changes(conn: Connection, limit: int) -> None:
    """Fold up to ``limit`` changes unless another writer is folding.

    One statement per batch appends a batch's changes at once, while the trigger's
    own fold (FOLD_SHARE of statements, FOLD_BATCH changes) keeps pace with small writes.
    """
    if conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": FOLD_LOCK}).scalar():
        conn.execute(sa.text(FOLDING.format(limit=int(limit))))
