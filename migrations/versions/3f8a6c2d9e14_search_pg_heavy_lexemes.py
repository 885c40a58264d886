"""search on PostgreSQL: each row's heavy lexemes replace its head and body ceiling

PostgreSQL only (on SQLite this revision does nothing). search/backends/postgres_ranking.py
scores first the matched rows whose ``heavy`` (every lexeme but those held exactly once, in
the body; GIN index) holds a query token, or that hold two query tokens; a row left out
holds one query token once in its body, so scores by its length alone, and only the rows
short enough to reach the k-th score are scored (a btree on ``(locale, length)``). The
head/ceiling bound of 57cb05f095f8 pruned little (a per-row ceiling over all of a row's
words); its columns, index and function go. Filled here from the rows already indexed (a
reindex writes it too); the statements are copied, not imported, so this revision stays
what it was.

Revision ID: 3f8a6c2d9e14
Revises: de0b6a5b3e4a
Create Date: 2026-12-07 16:30:00
"""

from alembic import op

revision = "3f8a6c2d9e14"
down_revision = "de0b6a5b3e4a"
branch_labels = None
depends_on = None

HEAVY_FUNCTION = """CREATE OR REPLACE FUNCTION search_pg_heavy(content tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_to_tsvector(array_agg(u.lexeme)), CAST('' AS tsvector))
        FROM unnest(content) AS u
        WHERE NOT coalesce(cardinality(u.positions) = 1 AND u.weights[1] = 'D', false)
    $$"""

UPGRADE = (
    "DROP INDEX IF EXISTS ix_search_pg_tokens_head",
    "DROP INDEX IF EXISTS ix_search_pg_tokens_body_ceiling",
    "ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS head",
    "ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS body_ceiling",
    "DROP FUNCTION IF EXISTS search_pg_body_ceiling(tsvector, integer)",
    HEAVY_FUNCTION,
    "ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS heavy tsvector",
    "UPDATE search_pg_tokens SET heavy = search_pg_heavy(content) WHERE heavy IS NULL",
    "ALTER TABLE search_pg_tokens ALTER COLUMN heavy SET NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_heavy ON search_pg_tokens USING gin (heavy)",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_length ON search_pg_tokens (locale, length)",
)

DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_search_pg_tokens_length",
    "DROP INDEX IF EXISTS ix_search_pg_tokens_heavy",
    "ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS heavy",
    "DROP FUNCTION IF EXISTS search_pg_heavy(tsvector)",
    # 57cb05f095f8's columns, back with the values that make every row scored (correct,
    # slower) until a reindex on that code fills them.
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
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_head ON search_pg_tokens USING gin (head)",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_body_ceiling"
    " ON search_pg_tokens (locale, body_ceiling)",
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DOWNGRADE:
        op.execute(statement)
