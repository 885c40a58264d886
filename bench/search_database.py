"""The search bench's database: a SQLite file (default), or a fresh schema of a PostgreSQL database.

``--database-url postgresql://…`` makes a schema ``bench_<pid>`` there (the
app's connections get it as their ``search_path``) and drops it at the end;
with ``--keep-schema NAME`` the schema is ``NAME``, kept after the run, and a
run that finds it already built measures it without building it again (after a
VACUUM ANALYZE of its tables: earlier runs wrote replies and events into it).
After the build the search tables are compacted the way each database does
it in production (FTS5 ``optimize`` + WAL checkpoint; ``VACUUM ANALYZE``, as
autovacuum would), and their size is reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import sqlalchemy as sa

POSTGRES_SEARCH_TABLES = (
    "search_pg_terms",
    "search_pg_term_changes",
    "search_documents",
    "search_pg_tokens",
    "search_pg_titles",
    "search_pg_words",
)


@dataclass
class BenchDatabase:
    """Where the bench app keeps its data: ``url`` for TOUCHPOINT_DATABASE_URL."""

    url: str
    dialect: str
    schema: str | None = None
    admin_url: str | None = None

    @classmethod
    def sqlite_file(cls, path: str) -> BenchDatabase:
        if os.path.exists(path):
            os.unlink(path)
        return cls(f"sqlite:///{path}", "sqlite")

    keep: bool = False
    """A named schema kept after the run (``--keep-schema``), not dropped."""

    @classmethod
    def postgres_schema(cls, url: str, keep: str | None = None) -> BenchDatabase:
        """A fresh ``bench_<pid>`` schema, or the schema ``keep`` (made if missing, kept)."""
        schema = keep or f"bench_{os.getpid()}"
        admin = _psycopg(url)
        engine = sa.create_engine(admin)
        with engine.begin() as conn:
            if not keep:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        engine.dispose()
        separator = "&" if "?" in url else "?"
        search_path = f"{url}{separator}options=-csearch_path%3D{schema}"
        return cls(search_path, "postgresql", schema, admin, keep=bool(keep))

    def built(self, engine: sa.Engine) -> int:
        """Search rows a kept schema already holds (0 for a fresh one: build it)."""
        if not self.keep:
            return 0
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM search_documents")).scalar()

    def compact(self, engine: sa.Engine) -> None:
        """What production does to the tables after a bulk write (or to a kept schema's
        before it is measured again)."""
        if self.dialect == "sqlite":
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        # Every table of the schema, as autovacuum would: a kept schema also holds the
        # replies, events and jobs of earlier runs (this machine's PostgreSQL runs with
        # autovacuum off; after a dozen runs a bloated statistics table made API search's
        # p95 56-64 ms instead of 45).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            tables = conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": self.schema},
            ).scalars()
            for table in list(tables):
                conn.exec_driver_sql(f'VACUUM ANALYZE "{self.schema}"."{table}"')

    def size_mb(self, engine: sa.Engine) -> float:
        """The SQLite file, or the PostgreSQL search tables with their indexes and TOAST."""
        if self.dialect == "sqlite":
            return round(os.path.getsize(engine.url.database) / 2**20, 1)
        with engine.connect() as conn:
            total = sum(
                conn.execute(sa.text(f"SELECT pg_total_relation_size('{t}')")).scalar()
                for t in POSTGRES_SEARCH_TABLES
            )
        return round(total / 2**20, 1)

    def drop(self) -> None:
        if self.schema and self.admin_url and not self.keep:
            engine = sa.create_engine(self.admin_url)
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)
