"""one audit log for moderation, admin and editor actions

Moves the forum's moderation log (role changes in it become area "admin") and the
editor's audit into `audit_log` (app/audit.py); the downgrade moves them back.

Revision ID: a3d5e7f90b12
Revises: 7c2abf90d9cd
Create Date: 2026-12-07 02:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3d5e7f90b12"
down_revision = "7c2abf90d9cd"
branch_labels = None
depends_on = None

ROLE_CHANGE = "role_change"


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["account_user.id"], name=op.f("fk_audit_log_actor_id_account_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_area_time", ["area", "created_at"], unique=False)
        batch_op.create_index("ix_audit_log_target", ["target_type", "target_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)

    op.execute(
        f"""
        INSERT INTO audit_log
            (area, actor_id, action, target_type, target_id, subject, reason, detail, created_at)
        SELECT CASE WHEN action = '{ROLE_CHANGE}' THEN 'admin' ELSE 'moderation' END,
               moderator_id, action, target_type, target_id, '', reason, '{{}}', created_at
        FROM forum_moderation_action
        ORDER BY id
        """
    )
    op.execute(
        """
        INSERT INTO audit_log
            (area, actor_id, action, target_type, target_id, subject, reason, detail, created_at)
        SELECT 'editor', actor_id, action,
               CASE WHEN article_id IS NULL THEN '' ELSE 'article' END, article_id,
               subject, '', detail, created_at
        FROM editor_audit
        ORDER BY id
        """
    )
    op.drop_table("forum_moderation_action")
    with op.batch_alter_table("editor_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_editor_audit_created_at"))
        batch_op.drop_index("ix_editor_audit_article")
    op.drop_table("editor_audit")


def downgrade():
    op.create_table(
        "editor_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["account_user.id"], name=op.f("fk_editor_audit_actor_id_account_user")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_editor_audit_article_id_kb_article"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_audit")),
    )
    with op.batch_alter_table("editor_audit", schema=None) as batch_op:
        batch_op.create_index("ix_editor_audit_article", ["article_id", "created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_editor_audit_created_at"), ["created_at"], unique=False
        )
    op.create_table(
        "forum_moderation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["account_user.id"],
            name=op.f("fk_forum_moderation_action_moderator_id_account_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_moderation_action")),
    )
    op.execute(
        """
        INSERT INTO forum_moderation_action
            (moderator_id, action, target_type, target_id, reason, created_at)
        SELECT actor_id, action, target_type, target_id, reason, created_at
        FROM audit_log
        WHERE area IN ('moderation', 'admin') AND actor_id IS NOT NULL
        ORDER BY id
        """
    )
    op.execute(
        """
        INSERT INTO editor_audit (actor_id, action, article_id, subject, detail, created_at)
        SELECT actor_id, action,
               CASE WHEN target_type = 'article' THEN target_id END,
               subject, detail, created_at
        FROM audit_log
        WHERE area = 'editor'
        ORDER BY id
        """
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))
        batch_op.drop_index("ix_audit_log_target")
        batch_op.drop_index("ix_audit_log_area_time")
    op.drop_table("audit_log")
