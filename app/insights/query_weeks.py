"""Searches per week across categories: long ranges read weeks, not days, of query sums.

Content gaps sum every normalized query's searches over the whole range. A day has about a
thousand DailyQuery rows (one per locale, category and query), so 90 days meant grouping
over 100,000 rows on every request. WeeklyQuery holds the same sums per week (Monday to
Sunday) across categories, about a quarter of the rows: a range without a category filter
reads its whole weeks from it and only the days at its two ends from DailyQuery. A week is
rebuilt from DailyQuery whenever one of its days is rolled up, so the two always agree.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.insights.filters import Filters
from app.insights.rollup_models import DailyQuery, WeeklyQuery

SUMS = ("searches", "zero_results", "no_clicks", "clicks")
_WEEK = timedelta(days=7)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def refresh(week: date) -> None:
    """Rebuild one week's rows from its DailyQuery rows."""
    db.session.execute(sa.delete(WeeklyQuery).where(WeeklyQuery.week == week))
    summed = (
        sa.select(
            sa.literal(week, sa.Date),
            DailyQuery.locale,
            DailyQuery.normalized,
            *(sa.func.sum(getattr(DailyQuery, column)) for column in SUMS),
        )
        .where(DailyQuery.day.between(week, week + _WEEK - timedelta(days=1)))
        .group_by(DailyQuery.locale, DailyQuery.normalized)
    )
    columns = ["week", "locale", "normalized", *SUMS]
    db.session.execute(sa.insert(WeeklyQuery).from_select(columns, summed))


def whole_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The first and last Monday of the weeks lying wholly in [start, end], if any."""
    first = week_of(start + timedelta(days=6))
    last = week_of(end + timedelta(days=1)) - _WEEK
    return (first, last) if first <= last else None


def query_rows(filters: Filters):
    """(locale, normalized, searches, zero_results, no_clicks, clicks) rows summing, per
    query, to its rolled searches over the filters' range; several rows per query."""

    def daily(*where):
        columns = (getattr(DailyQuery, column) for column in SUMS)
        query = sa.select(DailyQuery.locale, DailyQuery.normalized, *columns).where(*where)
        if filters.locale is not None:
            query = query.where(DailyQuery.locale == filters.locale)
        if filters.category is not None:
            query = query.where(DailyQuery.category == filters.category)
        return query

    weeks = None if filters.category is not None else whole_weeks(filters.start, filters.end)
    if weeks is None:
        return daily(DailyQuery.day.between(filters.start, filters.end))
    first, last = weeks
    weekly = sa.select(
        WeeklyQuery.locale,
        WeeklyQuery.normalized,
        *(getattr(WeeklyQuery, column) for column in SUMS),
    ).where(WeeklyQuery.week.between(first, last))
    if filters.locale is not None:
        weekly = weekly.where(WeeklyQuery.locale == filters.locale)
    ends = sa.or_(
        DailyQuery.day.between(filters.start, first - timedelta(days=1)),
        DailyQuery.day.between(last + _WEEK, filters.end),
    )
    return sa.union_all(weekly, daily(ends))
