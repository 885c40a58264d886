"""Daily roll-ups (idempotent: a day is replaced, never added to) and pruning old raw events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.events import Event, delete_stale_pending
from app.extensions import db
from app.insights import customer_firsts, query_weeks, session_counts
from app.insights.facts import (
    EVENT_NAMES,
    LOOKAHEAD,
    SESSION_FLAGS,
    ArticleIndex,
    DayFacts,
    compute_day,
    day_bounds,
    load_events,
)
from app.insights.rollup_models import (
    DailyArticle,
    DailyCount,
    DailyQuery,
    DailySession,
    RolledDay,
)

ROLLUP_TABLES = (DailyCount, DailySession, DailyQuery, DailyArticle)
# A day is re-rolled this long after midnight at the earliest, so its look-ahead is complete.
SETTLED_AFTER = LOOKAHEAD


@dataclass(frozen=True)
class RollupReport:
    days: list[date]
    events: int


def first_event_day() -> date | None:
    first = db.session.scalar(
        sa.select(sa.func.min(Event.occurred_at)).where(Event.name.in_(sorted(EVENT_NAMES)))
    )
    return first.date() if first else None


def settled_until(now: datetime) -> date:
    """The last day that may be rolled up now (yesterday, once its look-ahead has passed)."""
    return (now - SETTLED_AFTER).date() - timedelta(days=1)


def days_to_roll(since: date | None, now: datetime, retention_days: int | None = None) -> list:
    """`since` .. the last settled day; by default from the day before the last rolled one.

    A day already rolled whose raw events may have been pruned is never rolled again: its
    roll-up is now the only record of it.
    """
    last = settled_until(now)
    if since is None:
        latest = db.session.scalar(sa.select(sa.func.max(RolledDay.day)))
        since = (latest - timedelta(days=1)) if latest else first_event_day()
    if since is None or since > last:
        return []
    days = [since + timedelta(days=n) for n in range((last - since).days + 1)]
    if retention_days:
        pruned_before = (now - timedelta(days=retention_days)).date() + timedelta(days=1)
        rolled = set(
            db.session.scalars(sa.select(RolledDay.day).where(RolledDay.day < pruned_before))
        )
        days = [d for d in days if d not in rolled]
    return days


def roll_up(
    since: date | None = None, now: datetime | None = None, retention_days: int | None = None
) -> RollupReport:
    """Roll up every settled day from `since`; re-running replaces the same rows."""
    now = now or utcnow()
    articles = ArticleIndex.load()
    days = days_to_roll(since, now, retention_days)
    total = 0
    for day in days:
        start, end = day_bounds(day)
        facts = compute_day(day, load_events(start, end + LOOKAHEAD), articles, now)
        write_day(facts, now)
        db.session.commit()
        total += facts.events
    return RollupReport(days, total)


def write_day(facts: DayFacts, now: datetime) -> None:
    """Replace the roll-up rows of one day with `facts`, and the aggregates built on them.

    The day's week of query sums is rebuilt. Its session counts are recounted, and so are
    those of later days sharing a session key with its old rows or its new ones: a key's
    previous day there may have been, or may now be, this one (session_counts.py).
    """
    day = facts.day
    keys = set(
        db.session.scalars(sa.select(DailySession.session_key).where(DailySession.day == day))
    )
    keys.update(key for _locale, key in facts.sessions)
    for table in ROLLUP_TABLES:
        db.session.execute(sa.delete(table).where(table.day == day))
    db.session.execute(sa.delete(RolledDay).where(RolledDay.day == day))
    rows = [
        {"day": day, "locale": locale, "category": category, "metric": metric, "value": value}
        for (locale, category, metric), value in facts.counts.items()
        if value
    ]
    _insert(DailyCount, rows)
    _insert(
        DailySession,
        [
            {
                "day": day,
                "locale": locale,
                "session_key": key,
                **{flag: flag in flags for flag in SESSION_FLAGS},
            }
            for (locale, key), flags in facts.sessions.items()
        ],
    )
    _insert(
        DailyQuery,
        [
            {
                "day": day,
                "locale": locale,
                "category": category,
                "normalized": normalized,
                "searches": q.searches,
                "zero_results": q.zero_results,
                "no_clicks": q.no_clicks,
                "clicks": q.clicks,
                "examples": [text for text, _n in q.examples.most_common(3)],
                "topic_ids": list(q.topic_ids),
                "clicked_articles": dict(q.clicked_articles),
            }
            for (locale, category, normalized), q in facts.queries.items()
        ],
    )
    query_weeks.refresh(query_weeks.week_of(day))
    _insert(
        DailyArticle,
        [
            {
                "day": day,
                "article_id": article_id,
                "views": a.views,
                "helpful": a.helpful,
                "not_helpful": a.not_helpful,
                "search_clicks": a.search_clicks,
            }
            for article_id, a in facts.articles.items()
            if article_id is not None
        ],
    )
    session_counts.refresh({day} | session_counts.later_days(day, keys))
    customer_firsts.record_day(day)
    db.session.add(RolledDay(day=day, events=facts.events, rolled_at=now))


def _insert(table, rows: list[dict], batch: int = 2000) -> None:
    for offset in range(0, len(rows), batch):
        db.session.execute(sa.insert(table), rows[offset : offset + batch])


def prune(retention_days: int, now: datetime | None = None) -> int:
    """Delete raw events older than the retention period; roll-ups stay. Returns the count."""
    if retention_days < 1:
        raise ValueError("retention must be at least one day")
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    result = db.session.execute(sa.delete(Event).where(Event.occurred_at < cutoff))
    # rows a crashed worker reserved for searches and never filled (app/events.py)
    stale = delete_stale_pending(now)
    db.session.commit()
    return (result.rowcount or 0) + (stale or 0)
