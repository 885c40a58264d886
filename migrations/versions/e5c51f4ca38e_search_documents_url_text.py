"""search rows: the result URL is text, not varchar(500)

Revision ID: e5c51f4ca38e
Revises: 9c4e2b7f1d35
Create Date: 2026-12-07 09:15:00

A topic's URL carries its percent-encoded slug: a Japanese or Arabic title of about
fifty characters or more (titles may have 200) gave a URL over 500 characters, and on
PostgreSQL the topic could not be posted at all (the search row is written in the
poster's transaction). SQLite never enforced the length; its table is rebuilt so the
schema matches the model.
"""

import sqlalchemy as sa
from alembic import op

revision = "e5c51f4ca38e"
down_revision = "9c4e2b7f1d35"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_documents") as batch:
        batch.alter_column(
            "url", type_=sa.Text(), existing_type=sa.String(500), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table("search_documents") as batch:
        batch.alter_column(
            "url", type_=sa.String(500), existing_type=sa.Text(), existing_nullable=False
        )
