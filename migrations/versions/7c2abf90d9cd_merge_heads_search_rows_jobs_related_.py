"""merge heads: search rows, jobs, related articles

Revision ID: 7c2abf90d9cd
Revises: b3323dd7b1a0, b7772ff543f1, e5b8d2c4f7a1
Create Date: 2026-12-07 02:39:16.217637

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2abf90d9cd'
down_revision = ('b3323dd7b1a0', 'b7772ff543f1', 'e5b8d2c4f7a1')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
