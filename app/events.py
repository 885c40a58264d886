"""The first-party event log: `Event` rows, `record_event`, `buffer_event`, the session key.

Every area records events here; insights only reads them. No IPs, no personal data.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import secrets
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, session
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

log = logging.getLogger(__name__)
SESSION_KEY = "tp_sk"
SESSION_KEY_BORN = "tp_sk_born"


class Event(db.Model):
    """One first-party event (article_view, search, click, ...); see app/insights/EVENTS.md."""

    __tablename__ = "insights_event"
    __table_args__ = (
        sa.Index("ix_insights_event_name_time", "name", "occurred_at"),
        # A signed-in customer's history (onboarding milestones): only rows with a user.
        sa.Index(
            "ix_insights_event_user_name_time",
            "user_id",
            "name",
            "occurred_at",
            sqlite_where=sa.text("user_id IS NOT NULL"),
            postgresql_where=sa.text("user_id IS NOT NULL"),
        ),
        sa.Index("ix_insights_event_user_time", "user_id", "occurred_at", "name"),  # surveys
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    subject_type: Mapped[str | None] = mapped_column(sa.String(20))
    subject_id: Mapped[int | None] = mapped_column()
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)


def anonymous_session_key() -> str:
    """A random key for this browser session that rotates; never derived from the IP."""
    hours = current_app.config["SESSION_KEY_ROTATION_HOURS"]
    born = session.get(SESSION_KEY_BORN, 0)
    if SESSION_KEY not in session or time.time() - born > hours * 3600:
        session[SESSION_KEY] = secrets.token_urlsafe(16)
        session[SESSION_KEY_BORN] = int(time.time())
    return session[SESSION_KEY]


VISITOR_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def visitor_session_key(sent: str | None) -> str:
    """The session key for a counting request (a beacon), without starting a session.

    The browser's session key if it has a session; else the key static JS keeps in the
    browser's storage and sends along (`sent`); else (no JS, no session) a key of its own.
    """
    if SESSION_KEY in session:
        return anonymous_session_key()
    if sent and VISITOR_KEY.fullmatch(sent):
        return sent
    return secrets.token_urlsafe(16)


def record_event(
    name: str,
    *,
    locale: str | None = None,
    subject: tuple[str, int] | None = None,
    session_key: str | None = None,
    **data: Any,
) -> Event:
    """Add an event to the current transaction; the caller commits."""
    user_id = current_user.id if current_user.is_authenticated else None
    event = Event(
        name=name,
        session_key=session_key or anonymous_session_key(),
        user_id=user_id,
        locale=locale,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        data=data,
    )
    db.session.add(event)
    return event


# Buffered writes (counting requests: page-view beacons). The row's id is never needed, so
# it is queued in this process and written with others in one transaction, off the
# request's path: when EVENT_BUFFER_SIZE rows are waiting, or the oldest has waited
# EVENT_BUFFER_SECONDS (a background thread), and at a clean exit (atexit). A crash loses
# at most what is waiting: EVENT_BUFFER_SIZE rows, or EVENT_BUFFER_SECONDS of them, per
# process. Counters (an article's view_count) ride along, applied by handlers each area
# registers (`register_counter`), so the ground layer imports no area.
#
# A page that links to its event (a search results page: its result links and beacon carry
# the event's id) takes a row reserved ahead: the buffer inserts EVENT_BUFFER_SIZE rows named
# PENDING at a time, each with its own random one-off session key, in one transaction (a
# background thread tops them up when half are taken). The page gets an id and key that
# exist in the database at once (a click or a re-keying beacon finds the row), and its
# content (name, time, data) is written with the next batch as an UPDATE that leaves the
# session key alone. A clean exit deletes the reserved rows nobody took; a crash leaves
# fewer than 2 x EVENT_BUFFER_SIZE of them per process (a top-up lands before half are
# gone), named PENDING, which no metric reads and `flask insights prune` deletes
# (`delete_stale_pending`).
BUFFER_KEY = "event_buffer"
PENDING = "pending"  # a reserved event row whose content is not written yet
RESERVED_SECONDS = 30 * 60  # a reserved row not taken by then is given back
STALE_PENDING = timedelta(hours=1)  # a PENDING row this old was left by a crashed process
CounterHandler = Callable[[sa.Connection, dict[int, int]], None]


class EventBuffer:
    """Events and counter increments waiting to be written, for one app in one process."""

    def __init__(self, app: Flask):
        self.app = app
        self.size = app.config["EVENT_BUFFER_SIZE"]
        self.seconds = app.config["EVENT_BUFFER_SECONDS"]
        self.lock = threading.Lock()
        self.rows: list[dict] = []
        self.pending = 0  # rows and counter increments waiting
        self.counters: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.oldest = 0.0
        self.handlers: dict[str, CounterHandler] = {}
        self.fills: dict[int, dict] = {}  # reserved id -> the event's content, waiting
        # (id, one-off key, when reserved) of rows not taken yet, the oldest first
        self.reserved: list[tuple[int, str, float]] = []
        self.refill = False  # the writer thread is asked to reserve more
        self.reserved_pid = os.getpid()  # a forked child must not use its parent's rows
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()

    def add(self, row: dict | None, counter: tuple[str, int] | None) -> None:
        with self.lock:
            if not self.pending:
                self.oldest = time.monotonic()
            self.pending += 1
            if row is not None:
                self.rows.append(row)
            if counter is not None:
                self.counters[counter[0]][counter[1]] += 1
            full = self.pending >= self.size
        if full:
            self.flush()
        else:
            self._ensure_thread()

    def take_reserved(self) -> tuple[int, str]:
        """A reserved row's (id, one-off session key), reserving more when none is left.

        Rows reserved more than RESERVED_SECONDS ago are given back instead (`flask insights
        prune` deletes PENDING rows older than STALE_PENDING, so a quiet process never fills
        a row that may be gone).
        """
        while True:
            with self.lock:
                if self.reserved_pid != os.getpid():
                    self.reserved, self.reserved_pid = [], os.getpid()
                stale = self.reserved and time.monotonic() - self.reserved[0][2] > RESERVED_SECONDS
                if not stale and self.reserved:
                    event_id, key, _ = self.reserved.pop(0)
                    low = len(self.reserved) < self.size // 2
                    break
            if stale:
                self.release_reserved()
            self.reserve()  # none left: this request waits for one INSERT
        if low and not self.refill:
            self.refill = True
            self._ensure_thread()
            self.wake.set()  # the writer thread tops them up
        return event_id, key

    def fill(self, event_id: int, row: dict) -> None:
        """Queue the content of the reserved row `event_id` (its session key is kept)."""
        with self.lock:
            if not self.pending:
                self.oldest = time.monotonic()
            self.pending += 1
            self.fills[event_id] = row
            full = self.pending >= self.size
        if full:
            self.flush()
        else:
            self._ensure_thread()

    def reserve(self) -> None:
        """Insert EVENT_BUFFER_SIZE PENDING rows, each with its own one-off key."""
        now = utcnow()
        rows = [
            {"name": PENDING, "occurred_at": now, "session_key": secrets.token_urlsafe(16),
             "data": {}}
            for _ in range(self.size)
        ]  # fmt: skip
        table = Event.__table__
        with self.app.app_context(), db.engine.begin() as connection:
            got = connection.execute(
                sa.insert(table).returning(table.c.id, table.c.session_key), rows
            ).all()
        with self.lock:
            if self.reserved_pid == os.getpid():
                at = time.monotonic()
                self.reserved += [(row.id, row.session_key, at) for row in got]

    def release_reserved(self) -> None:
        """Delete the reserved rows nobody took (a clean exit)."""
        with self.lock:
            ids = [row[0] for row in self.reserved] if self.reserved_pid == os.getpid() else []
            self.reserved = []
        if not ids:
            return
        table = Event.__table__
        try:
            with self.app.app_context(), db.engine.begin() as connection:
                connection.execute(
                    sa.delete(table).where(table.c.id.in_(ids), table.c.name == PENDING)
                )
        except Exception:  # the database is away: `flask insights prune` deletes them later
            log.exception("giving back %d reserved event rows failed", len(ids))

    def close(self) -> None:
        """Write what waits and give back the unused reserved rows (atexit)."""
        self.flush()
        self.release_reserved()

    def _ensure_thread(self) -> None:
        if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
            return
        self.pid = os.getpid()  # a forked worker starts its own writer
        self.thread = threading.Thread(target=self._run, name="event-buffer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            self.wake.wait(self.seconds / 2)
            self.wake.clear()
            with self.lock:
                due = self.pending and time.monotonic() - self.oldest >= self.seconds
                refill, self.refill = self.refill, False
            if due:
                self.flush()
            if refill:
                try:
                    self.reserve()
                except Exception:  # the database is away: a page reserves its own later
                    log.exception("reserving event rows failed")

    def flush(self) -> int:
        """Write everything waiting in one transaction; on failure keep it for the next try."""
        with self.lock:
            rows, counters, fills, pending = self.rows, self.counters, self.fills, self.pending
            self.rows, self.fills, self.pending = [], {}, 0
            self.counters = defaultdict(lambda: defaultdict(int))
        if not pending:
            return 0
        try:
            with self.app.app_context(), db.engine.begin() as connection:
                if rows:
                    connection.execute(sa.insert(Event.__table__), rows)
                if fills:
                    connection.execute(
                        _FILL_EVENT,
                        [_fill_parameters(event_id, row) for event_id, row in fills.items()],
                    )
                for name, increments in counters.items():
                    self.handlers[name](connection, dict(increments))
        except Exception:  # the database is away: keep the rows (bounded) and retry later
            log.exception("writing %d buffered events failed; will retry", len(rows) + len(fills))
            with self.lock:
                self.rows = (rows + self.rows)[-self.size * 10 :]
                self.fills = dict(list({**fills, **self.fills}.items())[-self.size * 10 :])
                for name, increments in counters.items():
                    for key, n in increments.items():
                        self.counters[name][key] += n
                self.pending += pending
                self.oldest = time.monotonic()
            return 0
        return pending


_events = Event.__table__
_FILLED = ("name", "occurred_at", "user_id", "locale", "subject_type", "subject_id", "data")
# A reserved row's content; its session key stays (a beacon may have re-keyed it already).
_FILL_EVENT = (
    sa.update(_events)
    .where(_events.c.id == sa.bindparam("filled_id"), _events.c.name == PENDING)
    .values({column: sa.bindparam(f"filled_{column}") for column in _FILLED})
)


def _fill_parameters(event_id: int, row: dict) -> dict:
    return {"filled_id": event_id, **{f"filled_{column}": row[column] for column in _FILLED}}


def event_buffer(app: Flask | None = None) -> EventBuffer:
    app = app or current_app._get_current_object()
    buffer = app.extensions.get(BUFFER_KEY)
    if buffer is None:
        buffer = app.extensions[BUFFER_KEY] = EventBuffer(app)
        atexit.register(_close_at_exit, weakref.ref(buffer))
    return buffer


def _close_at_exit(buffer_ref: weakref.ref[EventBuffer]) -> None:
    """Close the buffer if it is still alive at exit. A weak reference, so that an app
    dropped before the exit (each test's) is not kept for the whole process; a served
    app lives until the exit, and a buffer with rows waiting is held by its writer thread."""
    buffer = buffer_ref()
    if buffer is not None:
        buffer.close()


def register_counter(app: Flask, name: str, handler: CounterHandler) -> None:
    """An area applies its counter increments (e.g. view counts) when the buffer is written."""
    event_buffer(app).handlers[name] = handler


def buffer_event(
    name: str,
    *,
    session_key: str,
    locale: str | None = None,
    subject: tuple[str, int] | None = None,
    counter: str | None = None,
    **data: Any,
) -> None:
    """Queue an event whose id nobody needs (a page view); written soon, in a batch.

    `counter` names a registered counter incremented for the subject's id with it.
    """
    row = _event_row(name, session_key, locale, subject, data)
    event_buffer().add(row, (counter, subject[1]) if counter and subject else None)


def buffer_linked_event(
    name: str,
    *,
    locale: str | None = None,
    subject: tuple[str, int] | None = None,
    **data: Any,
) -> tuple[int, str]:
    """Queue an event a page links to, for a reader without a session: its id and session key.

    The row exists at once (reserved ahead, with a one-off session key: the page's beacon may
    re-key it to the browser's visitor key); its content is written with the next batch.
    """
    buffer = event_buffer()
    event_id, key = buffer.take_reserved()
    buffer.fill(event_id, _event_row(name, key, locale, subject, data))
    return event_id, key


def delete_stale_pending(now: datetime) -> int:
    """Delete reserved rows a crashed process never filled; the caller commits."""
    result = db.session.execute(
        sa.delete(Event).where(Event.name == PENDING, Event.occurred_at < now - STALE_PENDING),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount


def _event_row(
    name: str, session_key: str, locale: str | None, subject: tuple[str, int] | None, data: dict
) -> dict:
    return {
        "name": name,
        "occurred_at": utcnow(),
        "session_key": session_key,
        "user_id": current_user.id if current_user.is_authenticated else None,
        "locale": locale,
        "subject_type": subject[0] if subject else None,
        "subject_id": subject[1] if subject else None,
        "data": data,
    }


def buffer_count(counter: str, key: int) -> None:
    """Queue one increment of a registered counter (a topic's views) with no event row."""
    event_buffer().add(None, (counter, key))
