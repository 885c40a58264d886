"""search on PostgreSQL: each row's head lexemes and body ceiling, so ranking scores a shortlist

Revision ID: 57cb05f095f8
Revises: e5c51f4ca38e
Create Date: 2026-12-07 11:00:00

PostgreSQL only (on SQLite this revision does nothing). search/backends/postgres_ranking.py
scores first the matched rows whose title or tags hold a query token (``head``, with a GIN
index), then only the other matched rows whose ``body_ceiling`` (a bound on any one token's
bm25 share in that row, with a btree index) can still reach the k-th score: a common word
no longer scores every row it matches. Filled here from the rows already indexed (a
reindex writes them too); the statements are copied, not imported, so this revision stays
what it was.
"""

from alembic import op

revision = "57cb05f095f8"
down_revision = "e5c51f4ca38e"
branch_labels = None
depends_on = None

STATEMENTS = (
    "ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS head tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS body_ceiling real NOT NULL DEFAULT 1",
    """CREATE OR REPLACE FUNCTION search_pg_body_ceiling(
        content tsvector, length integer) RETURNS real
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CAST(coalesce(max(f) / (max(f) + 0.3
            + 0.8999999999999999 * length / 100.0), 0) AS real)
        FROM (SELECT sum(CASE w WHEN 'C' THEN 1.5
                ELSE 1.0 END) AS f
            FROM unnest(content) AS u, unnest(u.weights) AS w
            GROUP BY u.lexeme HAVING bool_and(w IN ('C', 'D'))) AS g
    $$""",
    """UPDATE search_pg_tokens SET head = strip(ts_filter(content, '{a,b}')),
        body_ceiling = search_pg_body_ceiling(content, length)""",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_head ON search_pg_tokens USING gin (head)",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_body_ceiling"
    " ON search_pg_tokens (locale, body_ceiling)",
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_pg_tokens_body_ceiling")
    op.execute("DROP INDEX IF EXISTS ix_search_pg_tokens_head")
    op.execute("ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS body_ceiling")
    op.execute("ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS head")
    op.execute("DROP FUNCTION IF EXISTS search_pg_body_ceiling(tsvector, integer)")
