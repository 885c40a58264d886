"""The pre-aggregated roll-ups (session counts, weekly query sums) agree with the raw events.

Distinct sessions are checked against an oracle: the union of each day's session keys as
compute_day finds them from raw events, for many sub-ranges of the scripted month, with
keys that come back on later days and in another language. Re-rolling one day must keep the
later days' counts right. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.events import Event
from app.extensions import db
from app.insights import query_weeks
from app.insights.facts import SESSION_FLAGS
from app.insights.filters import Filters
from app.insights.rollup_models import DailyQuery
from app.insights.rollups import roll_up
from app.insights.source import RangeData
from tests.insights.scenario import END, NOW, START, at, build_month

EDGES = [1, 2, 3, 4, 5, 10, 11, 12, 20, 21, 30, 31]
RANGES = [(date(2025, 3, s), date(2025, 3, e)) for s in EDGES for e in EDGES if s <= e]
SCOPES = [None, "en", "ja"]


def add_returning_keys(script) -> None:
    """Keys seen on several days, in two languages, and again on the live day."""
    a1, a3 = script.articles["A1"], script.articles["A3"]
    script.view("x1", "A1", at(3, "09:00"))
    script.event("article_view", at(4, "09:00"), "x1", "ja", subject=("article", a3.id))
    script.view("x1", "A1", at(12, "09:00"))
    script.ask("ask_opened", "x2", at(5, "09:00"))
    script.ask("ask_opened", "x2", at(5, "09:05"), locale="ja")
    script.ask("ask_opened", "x2", at(20, "09:00"), locale="ja")
    script.ask("ask_posted", "x3", at(30, "09:00"))
    script.ask("ask_posted", "x3", at(31, "09:00"))
    script.event("article_view", at(31, "09:30"), "x1", "en", subject=("article", a1.id))
    db.session.commit()


def raw_keys() -> dict:
    """(day, flag) → {(locale, key)} from raw events: the oracle."""
    data = RangeData(Filters(START, END), NOW)
    data.rolled_days, data.live_days = [], [d for d in Filters(START, END).days]
    found: dict = {}
    for facts in data.live:
        for (locale, key), flags in facts.sessions.items():
            for flag in flags:
                found.setdefault((facts.day, flag), set()).add((locale, key))
    return found


def expected(keys: dict, start: date, end: date, flag: str, locale: str | None) -> int:
    return len(
        {
            key
            for (day, f), pairs in keys.items()
            if f == flag and start <= day <= end
            for loc, key in pairs
            if locale is None or loc == locale
        }
    )


def assert_sessions_match_raw() -> None:
    keys = raw_keys()
    for start, end in RANGES:
        for locale in SCOPES:
            data = RangeData(Filters(start, end, locale=locale), NOW)
            for flag in SESSION_FLAGS:
                context = (start, end, locale, flag)
                assert data.distinct_sessions(flag) == expected(keys, start, end, flag, locale), (
                    context
                )
                by_day = data.distinct_sessions_by_day(flag)
                assert by_day == {
                    day: expected(keys, day, day, flag, locale) for day in Filters(start, end).days
                }, context


def assert_weeks_match_days() -> None:
    for start, end in RANGES:
        for locale in SCOPES:
            filters = Filters(start, end, locale=locale)
            rows = query_weeks.query_rows(filters).subquery()
            weekly: Counter = Counter()
            for loc, normalized, *sums in db.session.execute(sa.select(rows)):
                for name, value in zip(query_weeks.SUMS, sums, strict=True):
                    weekly[(loc, normalized, name)] += value
            daily: Counter = Counter()
            query = sa.select(DailyQuery).where(DailyQuery.day.between(start, end))
            for row in db.session.scalars(query):
                if locale is None or row.locale == locale:
                    for name in query_weeks.SUMS:
                        daily[(row.locale, row.normalized, name)] += getattr(row, name)
            assert +weekly == +daily, (start, end, locale)


@pytest.fixture
def rolled_month(any_db_app):
    script = build_month()
    add_returning_keys(script)
    roll_up(since=START, now=NOW)
    return script


def test_distinct_sessions_match_the_raw_events(rolled_month):
    assert_sessions_match_raw()
    # x1 read on the 3rd (en), 4th (ja), 12th (en) and today (en): one reader over the month
    whole = RangeData(Filters(START, END), NOW)
    en = RangeData(Filters(START, END, locale="en"), NOW)
    assert whole.distinct_sessions("read_help") == en.distinct_sessions("read_help") + 1


def test_weekly_sums_match_the_daily_rows(rolled_month):
    assert query_weeks.whole_weeks(date(2025, 3, 1), date(2025, 3, 31)) == (
        date(2025, 3, 3),
        date(2025, 3, 24),
    )
    assert query_weeks.whole_weeks(date(2025, 3, 3), date(2025, 3, 9)) == (
        date(2025, 3, 3),
        date(2025, 3, 3),
    )
    assert query_weeks.whole_weeks(date(2025, 3, 4), date(2025, 3, 10)) is None
    assert_weeks_match_days()


def roll_one_day(day: int) -> None:
    """Re-roll only March `day` (as if it were the night after it)."""
    report = roll_up(since=date(2025, 3, day), now=datetime(2025, 3, day + 1, 2, 0))
    assert report.days == [date(2025, 3, day)]


def test_rerolling_a_day_keeps_later_days_right(rolled_month):
    script = rolled_month
    # x1 now also read on the 2nd: the 3rd's row must learn that its previous day is the 2nd
    script.view("x1", "A1", at(2, "09:00"))
    script.search("x4", at(2, "10:00"), "export csv", 0)  # a new unanswered search, week 1
    db.session.commit()
    roll_one_day(2)
    assert_sessions_match_raw()
    # x1's read on the 4th (ja) disappears: the 12th's previous day becomes the 3rd
    db.session.execute(
        sa.delete(Event).where(Event.session_key == "x1", Event.occurred_at == at(4, "09:00"))
    )
    script.search("x5", at(4, "10:00"), "invoice pdf", 0)
    db.session.commit()
    roll_one_day(4)
    assert_sessions_match_raw()
    assert_weeks_match_days()
