"""Reads from a PostgreSQL streaming replica (``TOUCHPOINT_DATABASE_READ_URL``), writes never.

When a read URL is configured, the session of a GET/HEAD request to one of
the endpoints the app factory lists (search, suggest, public pages) reads
from the replica. Everything else uses the primary:

- any write: from the first flush or INSERT/UPDATE/DELETE on, the rest of
  the request's statements go to the primary (a search page that records
  its event reads on the replica, then writes the event on the primary);
- requests outside a listed endpoint, requests that are not GET/HEAD, and
  work outside a request (CLI, background jobs);
- a visitor's requests for READ_AFTER_WRITE_SECONDS after one of their
  POST/PUT/PATCH/DELETE requests wrote, so someone who just posted sees
  the post on the next page even if the replica has not replayed it yet.

The replica only ever runs SELECTs; a replica that lags shows slightly
older search results and pages, never loses or misplaces a write.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request, session
from flask_sqlalchemy.session import Session
from sqlalchemy.sql.dml import UpdateBase

EXTENSION_KEY = "touchpoint_read_replica"
READ_AFTER_WRITE_SECONDS = 10
"""How long after a visitor's own write their reads stay on the primary."""

_PRIMARY_UNTIL = "_read_primary_until"
_WROTE = "touchpoint_wrote"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ReadReplica:
    """The replica engine and the endpoints whose reads may use it."""

    def __init__(self, engine: sa.Engine, endpoints: Iterable[str]) -> None:
        self.engine = engine
        self.endpoints = frozenset(endpoints)


def init_read_replica(app: Flask, database_uri: str, endpoints: Iterable[str]) -> None:
    """Route the listed endpoints' reads to ``DATABASE_READ_URL`` when it is set.

    ``database_uri`` is the SQLAlchemy URI of the read URL (see app.config.database_uri).
    """
    if not app.config["DATABASE_READ_URL"]:
        return
    primary = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    replica = sa.engine.make_url(database_uri)
    if primary.get_backend_name() != "postgresql" or replica.get_backend_name() != "postgresql":
        raise ValueError(
            "TOUCHPOINT_DATABASE_READ_URL is for a PostgreSQL streaming replica of a "
            "PostgreSQL TOUCHPOINT_DATABASE_URL"
        )
    engine = sa.create_engine(
        replica, pool_pre_ping=True, pool_size=app.config["DATABASE_POOL_SIZE"]
    )
    app.extensions[EXTENSION_KEY] = ReadReplica(engine, endpoints)
    app.after_request(_remember_write)


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, reading from the replica where the module docstring says."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None:
            if self._flushing or isinstance(clause, UpdateBase):
                self.info[_WROTE] = True
            else:
                replica = _replica_for_this_read(self)
                if replica is not None:
                    return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _replica_for_this_read(db_session: Session) -> sa.Engine | None:
    if db_session.info.get(_WROTE) or not has_request_context():
        return None
    replica: ReadReplica | None = current_app.extensions.get(EXTENSION_KEY)
    if replica is None or request.method not in ("GET", "HEAD"):
        return None
    if request.endpoint not in replica.endpoints:
        return None
    if session.get(_PRIMARY_UNTIL, 0) > time.time():
        return None
    return replica.engine


def _remember_write(response):
    """After a visitor's write request, keep their reads on the primary for a while."""
    db = current_app.extensions["sqlalchemy"]
    if request.method in _WRITE_METHODS and db.session().info.get(_WROTE):
        session[_PRIMARY_UNTIL] = int(time.time()) + READ_AFTER_WRITE_SECONDS
    return response
