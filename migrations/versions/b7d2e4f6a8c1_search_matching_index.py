"""search: a covering index for matching (facets, grouping, best row per result)

A search joins every matched token row to `search_documents` for its locale, result
(group_id), kind, category and doc_id. Read from the table, each lookup touches a row that
carries its title and body; `ix_search_documents_matching` holds just those columns, so the
join reads a narrow index (search/backends/tables.py).

Revision ID: b7d2e4f6a8c1
Revises: 33d2c3e997a0
Create Date: 2026-12-07 06:05:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d2e4f6a8c1"
down_revision = "33d2c3e997a0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_search_documents_matching",
        "search_documents",
        ["id", "locale", "group_id", "kind", "category", "doc_id"],
    )


def downgrade():
    op.drop_index("ix_search_documents_matching", table_name="search_documents")
