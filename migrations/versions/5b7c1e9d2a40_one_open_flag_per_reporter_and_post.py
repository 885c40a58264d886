"""one open flag per reporter and post

Revision ID: 5b7c1e9d2a40
Revises: 13348806888f
Create Date: 2026-11-23 14:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b7c1e9d2a40"
down_revision = "13348806888f"
branch_labels = None
depends_on = None

OPEN = sa.text("resolved_at IS NULL")


def upgrade():
    # Duplicates a race may already have stored: keep each reporter's oldest open flag.
    op.execute(
        """
        DELETE FROM forum_flag
        WHERE resolved_at IS NULL
          AND id NOT IN (
            SELECT MIN(id) FROM forum_flag WHERE resolved_at IS NULL
            GROUP BY post_id, reporter_id
          )
        """
    )
    op.create_index(
        "uq_forum_flag_open",
        "forum_flag",
        ["post_id", "reporter_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade():
    op.drop_index("uq_forum_flag_open", table_name="forum_flag")
