"""survey responses (NPS, CSAT) and an index of events by user

`survey_response` holds every survey shown, answered or dismissed (app/surveys/models.py);
`ix_insights_event_user_time` lets the survey dashboard read what respondents did.

Revision ID: c4e1f7a9b2d3
Revises: a3d5e7f90b12
Create Date: 2026-12-07 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e1f7a9b2d3"
down_revision = "a3d5e7f90b12"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("person", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("session_key", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("shown_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["account_user.id"],
            name=op.f("fk_survey_response_user_id_account_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index("ix_survey_response_person", ["person", "kind", "shown_at"])
        batch_op.create_index("ix_survey_response_answered", ["kind", "state", "answered_at"])
    with op.batch_alter_table("insights_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insights_event_user_time", ["user_id", "occurred_at", "name"]
        )


def downgrade():
    with op.batch_alter_table("insights_event", schema=None) as batch_op:
        batch_op.drop_index("ix_insights_event_user_time")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_answered")
        batch_op.drop_index("ix_survey_response_person")
    op.drop_table("survey_response")
