"""A time limit on the database work of one request (the query explorer's), on both databases.

PostgreSQL cancels a statement past `statement_timeout`; SQLite has no such setting, so a
progress handler interrupts it once the deadline passes. Either way QueryTooSlow is raised
and the session is rolled back, so the page can say so instead of answering a 5xx.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from app.extensions import db

SQLITE_CHECK_EVERY = 1000  # SQLite virtual-machine steps between deadline checks
# How each database says it stopped a statement: SQLite "interrupted", PostgreSQL
# "canceling statement due to statement timeout".
STOPPED_WORDS = ("interrupted", "statement timeout")


class QueryTooSlow(RuntimeError):
    """The database work did not finish within the time limit."""


@contextmanager
def database_time_limit(milliseconds: int) -> Iterator[None]:
    """Statements run inside stop after `milliseconds` in total (0: no limit)."""
    if milliseconds <= 0:
        yield
        return
    connection = db.session.connection()
    deadline = time.monotonic() + milliseconds / 1000
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")
    else:
        raw = connection.connection.driver_connection
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), SQLITE_CHECK_EVERY)
    try:
        yield
    except DBAPIError as error:
        message = str(error.orig).lower()
        if time.monotonic() < deadline and not any(w in message for w in STOPPED_WORDS):
            raise
        db.session.rollback()  # PostgreSQL's transaction is aborted; SET LOCAL ends with it
        raise QueryTooSlow(message) from error
    else:
        if postgres:
            connection.exec_driver_sql("SET LOCAL statement_timeout = DEFAULT")
    finally:
        if not postgres:
            raw.set_progress_handler(None, 0)
