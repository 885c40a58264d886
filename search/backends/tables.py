"""The one table every backend shares: what a result shows, and what each row was analyzed with.

Backends keep their tokens beside it (SQLite: FTS5 tables whose rowid is
``search_documents.id``; PostgreSQL: a ``tsvector`` column or table keyed by
it). Hits, facets' (kind, category), suggestion priors and ``flask search
status`` read this table, the same SQL on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

TOKEN_TABLE_PREFIXES = (
    "search_fts",
    "search_titles_",
    "search_spell_",
    "search_vocab",
    "search_pg_",
)
"""Names of tables a backend keeps beside search_documents (with their shadow tables):
schema comparisons leave them to the backend's own migration."""


def is_token_table(name: str) -> bool:
    """Whether a table is a backend's token storage (FTS5 tables and their shadows)."""
    return name.startswith(TOKEN_TABLE_PREFIXES)


search_documents = sa.Table(
    "search_documents",
    metadata,
    sa.Column("id", sa.Integer, autoincrement=True),
    # "article:12", "topic:7", "post:99"
    sa.Column("doc_id", sa.String(40), nullable=False),
    # the result the row is found as: its own doc_id, or its topic's for a post
    sa.Column("group_id", sa.String(40), nullable=False),
    sa.Column("locale", sa.String(8), nullable=False),
    sa.Column("type", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("category", sa.String(80), nullable=False, default=""),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("summary", sa.Text, nullable=False, default=""),
    # the start of the body, for snippets (all of it is indexed)
    sa.Column("body", sa.Text, nullable=False, default=""),
    # a topic's URL carries its percent-encoded slug: 9 characters per kana
    sa.Column("url", sa.Text, nullable=False, default=""),
    sa.Column("solved", sa.Boolean, nullable=False, default=False),
    sa.Column("popularity", sa.Integer, nullable=False, default=0),
    sa.Column("updated", sa.DateTime, nullable=True),
    # static rank of the row's title among suggestions (search.indexing.suggestion_prior)
    sa.Column("prior", sa.Float, nullable=False, default=0.0),
    # search.analysis.ANALYZER_VERSION when the tokens were written
    sa.Column("analyzer_version", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_search_documents"),
    sa.UniqueConstraint("doc_id", name="uq_search_documents_doc_id"),
    sa.Index("ix_search_documents_group_id", "group_id"),
    sa.Index("ix_search_documents_locale_version", "locale", "analyzer_version"),
    # covers what matching reads per matched row (facets, grouping, the best row) and what
    # suggest orders by (prior), so a search joins a narrow index instead of rows that carry
    # titles and bodies: at 10,000 articles per locale a one-word search's counts and ranking
    # took 3-4x as long without it, and a one-letter suggest 27-40 ms instead of 6-10 ms
    sa.Index(
        "ix_search_documents_matching",
        "id",
        "locale",
        "group_id",
        "kind",
        "category",
        "doc_id",
        "prior",
    ),
)
