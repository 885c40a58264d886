"""article attachments

Revision ID: f4c2a9d81e37
Revises: c4e1f7a9b2d3
Create Date: 2026-12-07 05:05:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4c2a9d81e37'
down_revision = 'c4e1f7a9b2d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('editor_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_editor_attachment_article_id_kb_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['account_user.id'], name=op.f('fk_editor_attachment_uploaded_by_id_account_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_editor_attachment')),
    sa.UniqueConstraint('name', name=op.f('uq_editor_attachment_name'))
    )
    with op.batch_alter_table('editor_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_editor_attachment_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('editor_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_editor_attachment_article_id'))

    op.drop_table('editor_attachment')
