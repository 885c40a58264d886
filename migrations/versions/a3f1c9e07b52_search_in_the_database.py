"""search in the database: search_documents, SQLite FTS5 tables; the outbox goes

Revision ID: a3f1c9e07b52
Revises: 5b7c1e9d2a40
Create Date: 2026-12-07 02:00:00

Search rows now commit with the data (search/backends/README.md). This creates
the table every backend shares and, on SQLite, the FTS5 tables for the
shipped locales (en, ja, ar; `flask search reindex` creates them for others).
PostgreSQL's token storage is the next revision's. Existing content gets its
rows with `flask search reindex`.
"""

from alembic import op
import sqlalchemy as sa

revision = "a3f1c9e07b52"
down_revision = "5b7c1e9d2a40"
branch_labels = None
depends_on = None

LOCALES = ("en", "ja", "ar")
TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* M* Co'"


def _sqlite_statements() -> list[str]:
    statements = [
        f'CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, tags, summary, body, tokenize="{TOKENIZER}")',
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_vocab USING fts5vocab(search_fts, 'row')",
    ]
    for locale in LOCALES:
        statements += [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS search_titles_{locale} USING fts5(title, tokenize=\"{TOKENIZER}\", prefix='1 2 3 4')",
            f'CREATE VIRTUAL TABLE IF NOT EXISTS search_spell_{locale} USING fts5(spell, tokenize="{TOKENIZER}")',
            f"CREATE VIRTUAL TABLE IF NOT EXISTS search_spell_{locale}_vocab USING fts5vocab(search_spell_{locale}, 'row')",
        ]
    return statements


def upgrade():
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doc_id", sa.String(length=40), nullable=False),
        sa.Column("group_id", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("solved", sa.Boolean(), nullable=False),
        sa.Column("popularity", sa.Integer(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=True),
        sa.Column("prior", sa.Float(), nullable=False),
        sa.Column("analyzer_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_documents"),
        sa.UniqueConstraint("doc_id", name="uq_search_documents_doc_id"),
    )
    op.create_index("ix_search_documents_group_id", "search_documents", ["group_id"])
    op.create_index(
        "ix_search_documents_locale_version", "search_documents", ["locale", "analyzer_version"]
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in _sqlite_statements():
            op.execute(statement)
    op.drop_table("search_outbox")


def downgrade():
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("doc_pk", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    if op.get_bind().dialect.name == "sqlite":
        tables = ["search_fts_vocab", "search_fts"]
        for locale in LOCALES:
            tables += [f"search_spell_{locale}_vocab", f"search_spell_{locale}", f"search_titles_{locale}"]
        for table in tables:
            op.execute(f"DROP TABLE IF EXISTS {table}")
    op.drop_index("ix_search_documents_locale_version", table_name="search_documents")
    op.drop_index("ix_search_documents_group_id", table_name="search_documents")
    op.drop_table("search_documents")
