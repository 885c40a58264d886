"""insights: each customer's first event of a name, kept by the nightly roll-up

Onboarding milestones read a customer's first event of a name from this table (rolled days)
plus the raw events of the days not rolled yet (app/insights/customer_firsts.py), so they no
longer group the whole raw event log, and stay reached after raw events are pruned. Filled
here from the raw events of the days already rolled.

Revision ID: a3f9c1e5d7b2
Revises: b7d2e4f6a8c1
Create Date: 2026-12-07 06:20:00.000000

"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3f9c1e5d7b2"
down_revision = "b7d2e4f6a8c1"
branch_labels = None
depends_on = None

# app/insights/milestone_targets.py EVENT_ACTIONS, as of this revision
NAMES = (
    "article_feedback",
    "article_view",
    "ask_deflected",
    "ask_opened",
    "ask_posted",
    "ask_suggestion_opened",
    "search",
    "search_click",
)


def upgrade():
    op.create_table(
        "insights_customer_first_event",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "name", name=op.f("pk_insights_customer_first_event")),
    )
    op.create_index(
        "ix_insights_customer_first_event_name",
        "insights_customer_first_event",
        ["name", "user_id", "first_at"],
    )
    # The rolled days' first events (up to the end of the last rolled day); later days are
    # read from raw events until the roll-up records them.
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT MAX(day) FROM insights_rolled_day")).scalar()
    if last is None:
        return
    last = last if isinstance(last, date) else date.fromisoformat(str(last))
    end = datetime.combine(last + timedelta(days=1), datetime.min.time())
    op.execute(
        sa.text(
            "INSERT INTO insights_customer_first_event (user_id, name, first_at) "
            "SELECT user_id, name, MIN(occurred_at) FROM insights_event "
            "WHERE user_id IS NOT NULL AND name IN :names AND occurred_at < :end "
            "GROUP BY user_id, name"
        ).bindparams(
            sa.bindparam("names", NAMES, expanding=True),
            sa.bindparam("end", end, type_=sa.DateTime()),
        )
    )


def downgrade():
    op.drop_index(
        "ix_insights_customer_first_event_name", table_name="insights_customer_first_event"
    )
    op.drop_table("insights_customer_first_event")
