"""search on PostgreSQL: tsvector token storage, GIN indexes, pg_trgm vocabulary

Revision ID: e5b8d2c4f7a1
Revises: a3f1c9e07b52
Create Date: 2026-12-07 03:00:00

PostgreSQL only (on SQLite this revision does nothing): the tables of
search/backends/postgres.py. Needs the pg_trgm extension; it is created
here when this database user may (pg_trgm is a trusted extension: the
database owner may), otherwise the upgrade stops and says what to ask a
superuser. Rows are written by `flask search reindex`.
"""

from alembic import op
import sqlalchemy as sa

revision = "e5b8d2c4f7a1"
down_revision = "a3f1c9e07b52"
branch_labels = None
depends_on = None

MISSING_TRGM = (
    "The PostgreSQL search backend needs the pg_trgm extension, and this database user "
    "may not create it. Ask a superuser to run, in this database: CREATE EXTENSION pg_trgm; "
    "then run `flask db upgrade` again."
)


def _trgm_schema(bind) -> str | None:
    return bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.execute(sa.text("SELECT pg_advisory_xact_lock(7311911)"))
    schema = _trgm_schema(bind)
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        except sa.exc.DBAPIError as error:
            raise RuntimeError(f"{MISSING_TRGM} ({error.orig})") from error
        schema = _trgm_schema(bind)
    trgm = '"' + schema.replace('"', '""') + '"'
    op.execute(
        """CREATE TABLE search_pg_tokens (
            id integer PRIMARY KEY REFERENCES search_documents (id) ON DELETE CASCADE,
            locale varchar(8) NOT NULL,
            doc_id varchar(40) NOT NULL,
            group_id varchar(40) NOT NULL,
            type varchar(10) NOT NULL,
            kind varchar(10) NOT NULL,
            category varchar(80) NOT NULL,
            prior float8 NOT NULL,
            content tsvector NOT NULL,
            spell_words tsvector NOT NULL
        )"""
    )
    op.execute("CREATE INDEX ix_search_pg_tokens_content ON search_pg_tokens USING gin (content)")
    op.execute(
        "CREATE INDEX ix_search_pg_tokens_spell_words ON search_pg_tokens USING gin (spell_words)"
    )
    # suggest reads only this narrow table (articles and topics, not replies)
    op.execute(
        """CREATE TABLE search_pg_titles (
            id integer PRIMARY KEY REFERENCES search_documents (id) ON DELETE CASCADE,
            locale varchar(8) NOT NULL,
            doc_id varchar(40) NOT NULL,
            prior float8 NOT NULL,
            title_words tsvector NOT NULL
        )"""
    )
    op.execute(
        "CREATE INDEX ix_search_pg_titles_title_words ON search_pg_titles USING gin (title_words)"
    )
    # search_documents columns copied for matching without a join, kept in step on update
    op.execute(
        """CREATE OR REPLACE FUNCTION search_pg_tokens_follow() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE search_pg_tokens SET group_id = NEW.group_id, type = NEW.type,
                kind = NEW.kind, category = NEW.category, prior = NEW.prior
            WHERE id = NEW.id;
            UPDATE search_pg_titles SET prior = NEW.prior WHERE id = NEW.id;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        """CREATE TRIGGER search_pg_tokens_follow
        AFTER UPDATE OF group_id, type, kind, category, prior ON search_documents
        FOR EACH ROW WHEN ((OLD.group_id, OLD.type, OLD.kind, OLD.category, OLD.prior)
            IS DISTINCT FROM (NEW.group_id, NEW.type, NEW.kind, NEW.category, NEW.prior))
        EXECUTE FUNCTION search_pg_tokens_follow()"""
    )
    op.execute(
        """CREATE TABLE search_pg_words (
            locale varchar(8) NOT NULL,
            vocabulary varchar(8) NOT NULL,
            word text NOT NULL,
            PRIMARY KEY (locale, vocabulary, word)
        )"""
    )
    op.execute(
        f"CREATE INDEX ix_search_pg_words_trgm ON search_pg_words USING gin (word {trgm}.gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS search_pg_tokens_follow ON search_documents")
    op.execute("DROP FUNCTION IF EXISTS search_pg_tokens_follow()")
    op.execute("DROP TABLE IF EXISTS search_pg_words")
    op.execute("DROP TABLE IF EXISTS search_pg_titles")
    op.execute("DROP TABLE IF EXISTS search_pg_tokens")
