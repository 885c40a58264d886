"""ask flow drafts

Revision ID: db0542d5a720
Revises: 8e2cce420b11
Create Date: 2026-11-23 11:00:34.308774

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'db0542d5a720'
down_revision = '8e2cce420b11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_ask_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['forum_category.id'], name=op.f('fk_forum_ask_draft_category_id_forum_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['forum_topic.id'], name=op.f('fk_forum_ask_draft_topic_id_forum_topic'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['account_user.id'], name=op.f('fk_forum_ask_draft_user_id_account_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_ask_draft')),
    sa.UniqueConstraint('token', name=op.f('uq_forum_ask_draft_token'))
    )
    with op.batch_alter_table('forum_ask_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_ask_draft_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_ask_draft_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('forum_ask_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_ask_draft_user_id'))
        batch_op.drop_index(batch_op.f('ix_forum_ask_draft_updated_at'))

    op.drop_table('forum_ask_draft')
