"""SQLite connection settings: WAL, synchronous=NORMAL and a busy timeout.

Without a busy timeout a second writer fails at once with "database is locked"; with it,
concurrent posts queue for the write lock instead. Nothing happens on other databases.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from app.extensions import db


def init_sqlite(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    on_disk = engine.url.database not in (None, "", ":memory:") and "mode=memory" not in str(
        engine.url
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        if on_disk:
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last
            # commits. It saves an fsync per commit (most of what recording a search costs).
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
