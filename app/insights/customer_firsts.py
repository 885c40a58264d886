"""Each customer's first event of a name: the roll-up's table plus raw events on top.

`record_day` (called by the roll-up for each day it writes) keeps the earliest time per
(user, name) in `insights_customer_first_event`; `first_events` reads that table and adds the
raw events of the days not rolled yet (today, as the dashboards' live days do), so the live
figure is the one the next roll-up stores, and a milestone stays reached after raw events are
pruned (INSIGHTS_RETENTION_DAYS).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from itertools import pairwise

import sqlalchemy as sa

from app.events import Event
from app.extensions import db
from app.insights.facts import day_bounds
from app.insights.milestone_targets import EVENT_ACTIONS
from app.insights.rollup_models import CustomerFirstEvent, RolledDay

NAMES = tuple(sorted(EVENT_ACTIONS))  # the events milestones and outcomes are defined from
CHUNK = 2000  # user ids per IN list
SEEK_UP_TO = 500  # customers looked up one by one; more: one read of the names' rows

FirstEvents = dict[tuple[int, str], datetime]


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _raw_firsts(start: datetime | None, end: datetime | None, names: Iterable[str], ids=None):
    """(user id, name, first time) from raw events in [start, end), grouped."""
    query = (
        sa.select(Event.user_id, Event.name, sa.func.min(Event.occurred_at))
        .where(Event.user_id.is_not(None), Event.name.in_(sorted(set(names))))
        .group_by(Event.user_id, Event.name)
    )
    if start is not None:
        query = query.where(Event.occurred_at >= start)
    if end is not None:
        query = query.where(Event.occurred_at < end)
    if ids is not None:
        query = query.where(Event.user_id.in_(ids))
    return db.session.execute(query)


def record_day(day: date) -> None:
    """Fold one day's first events into the table (earliest wins; re-rolling is harmless)."""
    start, end = day_bounds(day)
    found = {(u, n): _as_datetime(w) for u, n, w in _raw_firsts(start, end, NAMES) if w}
    if not found:
        return
    users = sorted({user_id for user_id, _name in found})
    known: FirstEvents = {}
    for offset in range(0, len(users), CHUNK):
        rows = db.session.execute(
            sa.select(
                CustomerFirstEvent.user_id, CustomerFirstEvent.name, CustomerFirstEvent.first_at
            ).where(CustomerFirstEvent.user_id.in_(users[offset : offset + CHUNK]))
        )
        known.update({(u, n): _as_datetime(w) for u, n, w in rows})
    new = [
        {"user_id": u, "name": n, "first_at": w}
        for (u, n), w in found.items()
        if (u, n) not in known
    ]
    for offset in range(0, len(new), CHUNK):
        db.session.execute(sa.insert(CustomerFirstEvent), new[offset : offset + CHUNK])
    table = CustomerFirstEvent.__table__
    for (user_id, name), when in found.items():
        if (user_id, name) in known and when < known[(user_id, name)]:
            db.session.execute(
                sa.update(table)
                .where(table.c.user_id == user_id, table.c.name == name)
                .values(first_at=when)
            )


def unrolled_spans() -> list[tuple[datetime | None, datetime | None]]:
    """The [start, end) spans of time no rolled day covers (None: open-ended)."""
    rolled = sorted(db.session.scalars(sa.select(RolledDay.day)))
    if not rolled:
        return [(None, None)]
    spans: list[tuple[datetime | None, datetime | None]] = [(None, day_bounds(rolled[0])[0])]
    for before, after in pairwise(rolled):
        if (after - before).days > 1:
            spans.append((day_bounds(before)[1], day_bounds(after)[0]))
    spans.append((day_bounds(rolled[-1])[1], None))
    return spans


def first_events(names: Iterable[str], user_ids: list[int]) -> FirstEvents:
    """(user id, event name) → the customer's first such event: rolled days from the table,
    the days not rolled from raw events."""
    names = sorted(set(names))
    wanted = set(user_ids)
    found: FirstEvents = {}

    def keep(user_id, name, when):
        if user_id in wanted and when is not None:
            when = _as_datetime(when)
            if (user_id, name) not in found or when < found[(user_id, name)]:
                found[(user_id, name)] = when

    if not wanted or not names:
        return found
    table = CustomerFirstEvent
    # Core rows (the ORM's row loading doubled the time), the time as text for fromisoformat.
    first_at = sa.type_coerce(table.first_at, sa.String)
    query = sa.select(table.user_id, table.name, first_at).where(table.name.in_(names))
    ids = sorted(wanted)
    chunks = [ids[o : o + CHUNK] for o in range(0, len(ids), CHUNK)]
    few = len(wanted) <= SEEK_UP_TO
    for chunk in chunks if few else [None]:
        scoped = query if chunk is None else query.where(table.user_id.in_(chunk))
        rows = db.session.connection().execute(scoped).fetchall()
        if rows and not isinstance(rows[0][2], datetime):
            rows = [(u, n, datetime.fromisoformat(w)) for u, n, w in rows]
        found.update({(u, n): w for u, n, w in rows if u in wanted})
    for start, end in unrolled_spans():
        for chunk in chunks if few else [None]:
            for row in _raw_firsts(start, end, names, chunk):
                keep(*row)
    return found


def backfill() -> int:
    """Fill the table from the raw events of every rolled day (after the migration that made
    it, or for a database rolled before it); returns the rows written."""
    rolled = sorted(db.session.scalars(sa.select(RolledDay.day)))
    for day in rolled:
        record_day(day)
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(CustomerFirstEvent)) or 0
