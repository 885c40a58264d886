"""Distinct-session counts kept at roll-up time: a range's count is a sum, not a COUNT DISTINCT.

A session (anonymous key) that read help on two days of a range is one reader. Counting
distinct keys over 90 days of DailySession rows took over a second per request, so each
roll-up also records, per day, scope and flag, how many keys had the flag, split by the
previous rolled day each key had it (`previous_day`, NULL when never). A key then counts in
[start, end] exactly once: on its first day there, whose previous day is NULL or < start.

Scopes are each locale and ALL_LOCALES: with no language filter a key that used two languages
is still one session, so that scope has previous days of its own.

Keys rotate (SESSION_KEY_ROTATION_HOURS), so few of them span days, but the counts do not
rely on it: previous days are looked up over all rolled history, by the key's index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.insights.facts import SESSION_FLAGS
from app.insights.rollup_models import DailySession, DailySessionCount

ALL_LOCALES = "*"
_CHUNK = 500


def count_statement(flag: str, per_locale: bool, days: list[date]):
    """INSERT the DailySessionCount rows of `flag` in one scope kind (each locale, or all
    locales together) for `days`."""
    table = DailySession.__table__
    row, earlier = table.alias("row"), table.alias("earlier")
    same_key = [
        earlier.c.session_key == row.c.session_key,
        earlier.c.day < row.c.day,
        earlier.c[flag].is_(True),
    ]
    if per_locale:
        same_key.append(earlier.c.locale == row.c.locale)
    previous = sa.select(sa.func.max(earlier.c.day)).where(*same_key).scalar_subquery()
    if per_locale:  # one row per (day, locale, key) already
        keys = sa.select(row.c.day, row.c.locale, previous.label("previous_day"))
    else:  # one per (day, key), whatever locales it used
        keys = sa.select(row.c.day, row.c.session_key, previous.label("previous_day")).distinct()
    keys = keys.where(row.c[flag].is_(True), row.c.day.in_(days)).subquery()
    locale = keys.c.locale if per_locale else sa.literal(ALL_LOCALES, sa.String)
    grouping = [keys.c.day, keys.c.previous_day] + ([keys.c.locale] if per_locale else [])
    counted = sa.select(
        keys.c.day, locale, sa.literal(flag, sa.String), keys.c.previous_day, sa.func.count()
    ).group_by(*grouping)
    columns = ["day", "locale", "flag", "previous_day", "sessions"]
    return sa.insert(DailySessionCount).from_select(columns, counted)


def refresh(days: Iterable[date]) -> None:
    """Recount `days` from the DailySession rows as they are now."""
    days = sorted(set(days))
    if not days:
        return
    db.session.execute(sa.delete(DailySessionCount).where(DailySessionCount.day.in_(days)))
    for flag in SESSION_FLAGS:
        for per_locale in (True, False):
            db.session.execute(count_statement(flag, per_locale, days))


def later_days(day: date, keys: Iterable[str]) -> set[date]:
    """Rolled days after `day` with any of `keys`: their previous days may point at `day`."""
    keys = sorted(keys)
    found: set[date] = set()
    for offset in range(0, len(keys), _CHUNK):
        found.update(
            db.session.scalars(
                sa.select(DailySession.day)
                .distinct()
                .where(DailySession.session_key.in_(keys[offset : offset + _CHUNK]))
                .where(DailySession.day > day)
            )
        )
    return found


@dataclass(frozen=True)
class RolledSessions:
    """Distinct rolled sessions per flag: over the whole range, and per day."""

    totals: dict[str, int]
    by_day: dict[date, dict[str, int]]


def rolled_sessions(start: date, end: date, locale: str | None) -> RolledSessions:
    """Sessions with each flag on rolled days in [start, end] (`locale` None: all locales)."""
    scope = ALL_LOCALES if locale is None else locale
    rows = db.session.execute(
        sa.select(
            DailySessionCount.day,
            DailySessionCount.flag,
            DailySessionCount.previous_day,
            DailySessionCount.sessions,
        ).where(DailySessionCount.locale == scope, DailySessionCount.day.between(start, end))
    )
    totals = dict.fromkeys(SESSION_FLAGS, 0)
    by_day: dict[date, dict[str, int]] = {}
    for day, flag, previous, sessions in rows:
        by_day.setdefault(day, dict.fromkeys(SESSION_FLAGS, 0))[flag] += sessions
        if previous is None or previous < start:  # the key's first day in the range
            totals[flag] += sessions
    return RolledSessions(totals, by_day)


def rolled_flags(keys: set[str], start: date, end: date, locale: str | None) -> dict:
    """key → the flags it had on rolled days in [start, end], for those of `keys` that did:
    live days' keys a rolled day already counted (one pass over the key index for all flags).
    """
    ordered = sorted(keys)
    flags = [getattr(DailySession, flag) for flag in SESSION_FLAGS]
    found: dict[str, set[str]] = {}
    for offset in range(0, len(ordered), _CHUNK):
        query = (
            sa.select(DailySession.session_key, *flags)
            .where(DailySession.session_key.in_(ordered[offset : offset + _CHUNK]))
            .where(DailySession.day.between(start, end))
        )
        if locale is not None:
            query = query.where(DailySession.locale == locale)
        for key, *values in db.session.execute(query):
            had = found.setdefault(key, set())
            had.update(flag for flag, value in zip(SESSION_FLAGS, values, strict=True) if value)
    return found
