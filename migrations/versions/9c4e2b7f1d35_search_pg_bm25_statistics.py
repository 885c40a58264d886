"""search on PostgreSQL: BM25 ranking statistics (token row counts, totals, row lengths)

Revision ID: 9c4e2b7f1d35
Revises: a3f9c1e5d7b2
Create Date: 2026-12-07 08:00:00

PostgreSQL only (on SQLite this revision does nothing). search/backends/postgres.py ranks
with FTS5's bm25() computed from stored statistics: each row's token count
(search_pg_tokens.length), the rows holding each token per locale and each locale's rows and
tokens (search_pg_terms, term '' for the totals), kept by statement triggers on
search_pg_tokens that append changes in the writer's transaction (search_pg_term_changes,
folded into search_pg_terms now and then by one writer at a time). Filled here
from the rows already indexed; the statements are copied, not imported, so this revision
stays what it was.
"""

from alembic import op

revision = "9c4e2b7f1d35"
down_revision = "a3f9c1e5d7b2"
branch_labels = None
depends_on = None

STATEMENTS = (
    """ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS length integer NOT NULL DEFAULT 0""",
    """CREATE TABLE IF NOT EXISTS search_pg_terms (
        term text NOT NULL,
        locale varchar(8) NOT NULL,
        rows bigint NOT NULL,
        tokens bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (term, locale)
    )""",
    """CREATE TABLE IF NOT EXISTS search_pg_term_changes (
        term text NOT NULL,
        locale varchar(8) NOT NULL,
        rows bigint NOT NULL,
        tokens bigint NOT NULL DEFAULT 0
    )""",
    """CREATE INDEX IF NOT EXISTS ix_search_pg_term_changes_term
    ON search_pg_term_changes (term, locale)""",
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
        IF random() < 0.0625 AND pg_try_advisory_xact_lock(7311912) THEN
            WITH moved AS (
        DELETE FROM search_pg_term_changes WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM search_pg_term_changes LIMIT 5000))
        RETURNING term, locale, rows, tokens)
    INSERT INTO search_pg_terms AS t (term, locale, rows, tokens)
    SELECT term, locale, sum(rows), sum(tokens) FROM moved
    GROUP BY term, locale ORDER BY term, locale
    ON CONFLICT (term, locale) DO UPDATE
    SET rows = t.rows + excluded.rows, tokens = t.tokens + excluded.tokens;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER search_pg_statistics_insert
        AFTER INSERT ON search_pg_tokens REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_pg_statistics()""",
    """CREATE OR REPLACE TRIGGER search_pg_statistics_update
        AFTER UPDATE ON search_pg_tokens REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_pg_statistics()""",
    """CREATE OR REPLACE TRIGGER search_pg_statistics_delete
        AFTER DELETE ON search_pg_tokens REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_pg_statistics()"""
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS search_pg_statistics_{event} ON search_pg_tokens")
    op.execute("DROP FUNCTION IF EXISTS search_pg_statistics()")
    op.execute("DROP TABLE IF EXISTS search_pg_term_changes")
    op.execute("DROP TABLE IF EXISTS search_pg_terms")
    op.execute("ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS length")
