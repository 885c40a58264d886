"""Daily roll-ups of the event log: what dashboards read for past days instead of raw events."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class RolledDay(db.Model):
    """A day whose events have been rolled up; days without a row are computed from raw events."""

    __tablename__ = "insights_rolled_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    events: Mapped[int] = mapped_column(default=0)
    rolled_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyCount(db.Model):
    """An additive counter for one day, locale and knowledge-base category ('' when none)."""

    __tablename__ = "insights_daily_count"
    __table_args__ = (
        sa.UniqueConstraint("day", "locale", "category", "metric", name="uq_insights_daily_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="")
    category: Mapped[str] = mapped_column(sa.String(80), default="")
    metric: Mapped[str] = mapped_column(sa.String(40))
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class DailySession(db.Model):
    """What one anonymous session did on one day; distinct-session metrics count these rows."""

    __tablename__ = "insights_daily_session"
    __table_args__ = (
        sa.UniqueConstraint("day", "locale", "session_key", name="uq_insights_daily_session"),
        sa.Index("ix_insights_daily_session_day", "day", "locale"),
        # A key's other days: finding its previous day, and live keys already rolled.
        sa.Index("ix_insights_daily_session_key", "session_key", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(8), default="")
    session_key: Mapped[str] = mapped_column(sa.String(64))
    read_help: Mapped[bool] = mapped_column(default=False)
    posted_question: Mapped[bool] = mapped_column(default=False)
    ask_opened: Mapped[bool] = mapped_column(default=False)
    suggestions_shown: Mapped[bool] = mapped_column(default=False)
    suggestion_opened: Mapped[bool] = mapped_column(default=False)


class DailySessionCount(db.Model):
    """DailySession rows with one flag, counted per day, scope and the key's previous day.

    `previous_day` is the last earlier rolled day the same key had the flag in the same scope
    (NULL: none), so a range's distinct sessions are a sum; see session_counts.py. `locale`
    is a locale or ALL_LOCALES ("*"), where a key that used two locales counts once.
    """

    __tablename__ = "insights_daily_session_count"
    __table_args__ = (sa.Index("ix_insights_daily_session_count_scope", "locale", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(8))
    flag: Mapped[str] = mapped_column(sa.String(40))
    previous_day: Mapped[date | None] = mapped_column()
    sessions: Mapped[int] = mapped_column(default=0)


class DailyQuery(db.Model):
    """Searches for one normalized query on one day, with examples and the questions after."""

    __tablename__ = "insights_daily_query"
    __table_args__ = (
        sa.UniqueConstraint(
            "day", "locale", "category", "normalized", name="uq_insights_daily_query"
        ),
        sa.Index("ix_insights_daily_query_day", "day", "locale"),
        # Covers a gap's trend and first day (gaps.py) without reading the wide rows.
        sa.Index(
            "ix_insights_daily_query_member", "normalized", "locale", "day", "no_clicks", "category"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(8), default="")
    category: Mapped[str] = mapped_column(sa.String(80), default="")
    normalized: Mapped[str] = mapped_column(sa.String(200))
    searches: Mapped[int] = mapped_column(default=0)
    zero_results: Mapped[int] = mapped_column(default=0)
    no_clicks: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    examples: Mapped[list] = mapped_column(sa.JSON, default=list)
    topic_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    # {article id (as a string, JSON keys are strings): clicks from this query}
    clicked_articles: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class WeeklyQuery(db.Model):
    """DailyQuery summed over a week (from Monday) and every category; see query_weeks.py."""

    __tablename__ = "insights_weekly_query"
    __table_args__ = (
        sa.UniqueConstraint("week", "locale", "normalized", name="uq_insights_weekly_query"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(8), default="")
    normalized: Mapped[str] = mapped_column(sa.String(200))
    searches: Mapped[int] = mapped_column(default=0)
    zero_results: Mapped[int] = mapped_column(default=0)
    no_clicks: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)


class DailyArticle(db.Model):
    """One article's views, votes and search clicks on one day."""

    __tablename__ = "insights_daily_article"
    __table_args__ = (sa.UniqueConstraint("day", "article_id", name="uq_insights_daily_article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    article_id: Mapped[int] = mapped_column(index=True)
    views: Mapped[int] = mapped_column(default=0)
    helpful: Mapped[int] = mapped_column(default=0)
    not_helpful: Mapped[int] = mapped_column(default=0)
    search_clicks: Mapped[int] = mapped_column(default=0)


class CustomerFirstEvent(db.Model):
    """A signed-in user's first event of one name over the rolled days (customer_firsts.py).

    Kept by the nightly roll-up, so onboarding milestones outlive the pruning of raw events.
    """

    __tablename__ = "insights_customer_first_event"
    __table_args__ = (
        # Many customers: one read of the wanted names' rows, in this index's order.
        sa.Index("ix_insights_customer_first_event_name", "name", "user_id", "first_at"),
    )

    user_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    first_at: Mapped[datetime] = mapped_column()
