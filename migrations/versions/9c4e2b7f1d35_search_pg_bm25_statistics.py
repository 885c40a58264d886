"""search on PostgreSQL: BM25 ranking statistics (token row counts, totals, row lengths)

Revision ID: 9c4e2b7f1d35
Revises: a3f9c1e5d7b2
Create Date: 2026-12-07 08:00:00

PostgreSQL only (on SQLite this revision does nothing). search/backends/postgres.py ranks
with FTS5's bm25() computed from stored statistics: each row's token count
(search_pg_tokens.length), the rows holding each token per locale (search_pg_terms) and the
rows and tokens in all (search_pg_totals, a few slots so writers rarely wait on one row),
kept by statement triggers on search_pg_tokens in the writer's transaction. Filled here
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
        rows integer NOT NULL,
        PRIMARY KEY (term, locale)
    )""",
    """CREATE TABLE IF NOT EXISTS search_pg_totals (
        slot smallint PRIMARY KEY,
        rows bigint NOT NULL,
        tokens bigint NOT NULL
    )""",
    """UPDATE search_pg_tokens SET length = (
        SELECT coalesce(sum(cardinality(positions)), 0) FROM unnest(content))
    WHERE length = 0 AND NOT EXISTS (SELECT 1 FROM search_pg_totals)""",
    """INSERT INTO search_pg_terms (term, locale, rows)
    SELECT w, locale, count(*) FROM search_pg_tokens, unnest(tsvector_to_array(content)) AS w
    WHERE NOT EXISTS (SELECT 1 FROM search_pg_terms)
    GROUP BY w, locale""",
    """INSERT INTO search_pg_totals (slot, rows, tokens)
    SELECT 0, count(*), coalesce(sum(length), 0) FROM search_pg_tokens
    WHERE NOT EXISTS (SELECT 1 FROM search_pg_totals)
    HAVING count(*) > 0""",
    """CREATE OR REPLACE FUNCTION search_pg_statistics() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO search_pg_terms AS t (term, locale, rows)
            SELECT w, locale, count(*) FROM new_rows, unnest(tsvector_to_array(content)) AS w
            GROUP BY w, locale ORDER BY w, locale
            ON CONFLICT (term, locale) DO UPDATE SET rows = t.rows + excluded.rows;
            INSERT INTO search_pg_totals AS s (slot, rows, tokens)
            SELECT pg_backend_pid() % 16, count(*), coalesce(sum(length), 0) FROM new_rows
            HAVING count(*) > 0
            ON CONFLICT (slot) DO UPDATE
            SET rows = s.rows + excluded.rows, tokens = s.tokens + excluded.tokens;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO search_pg_terms AS t (term, locale, rows)
            SELECT w, locale, -count(*) FROM old_rows, unnest(tsvector_to_array(content)) AS w
            GROUP BY w, locale ORDER BY w, locale
            ON CONFLICT (term, locale) DO UPDATE SET rows = t.rows + excluded.rows;
            INSERT INTO search_pg_totals AS s (slot, rows, tokens)
            SELECT pg_backend_pid() % 16, -count(*), -coalesce(sum(length), 0)
            FROM old_rows HAVING count(*) > 0
            ON CONFLICT (slot) DO UPDATE
            SET rows = s.rows + excluded.rows, tokens = s.tokens + excluded.tokens;
        ELSE
            WITH changed AS (
                SELECT o.locale AS old_locale, o.content AS old_content,
                    o.length AS old_length, n.locale, n.content, n.length
                FROM old_rows o JOIN new_rows n USING (id)
                WHERE (o.locale, o.content, o.length) IS DISTINCT FROM
                    (n.locale, n.content, n.length)
            ), counted AS (
                SELECT w, locale, 1 AS d
                FROM changed, unnest(tsvector_to_array(content)) AS w
                UNION ALL
                SELECT w, old_locale, -1 FROM changed, unnest(tsvector_to_array(old_content)) AS w
            )
            INSERT INTO search_pg_terms AS t (term, locale, rows)
            SELECT w, locale, sum(d) FROM counted
            GROUP BY w, locale HAVING sum(d) <> 0 ORDER BY w, locale
            ON CONFLICT (term, locale) DO UPDATE SET rows = t.rows + excluded.rows;
            INSERT INTO search_pg_totals AS s (slot, rows, tokens)
            SELECT pg_backend_pid() % 16, 0, sum(n.length - o.length)
            FROM old_rows o JOIN new_rows n USING (id)
            HAVING coalesce(sum(n.length - o.length), 0) <> 0
            ON CONFLICT (slot) DO UPDATE SET tokens = s.tokens + excluded.tokens;
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
        FOR EACH STATEMENT EXECUTE FUNCTION search_pg_statistics()""",
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
    op.execute("DROP TABLE IF EXISTS search_pg_totals")
    op.execute("DROP TABLE IF EXISTS search_pg_terms")
    op.execute("ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS length")
