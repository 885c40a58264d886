"""Topic view counts, added up in the event buffer and written with its batch."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from app.events import register_counter
from app.forum.models import Topic

TOPIC_VIEWS = "topic_views"


def add_views(connection: sa.Connection, views: dict[int, int]) -> None:
    """One UPDATE per topic with its views since the last batch (no search re-index)."""
    table = Topic.__table__
    connection.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("topic_id"))
        .values(view_count=table.c.view_count + sa.bindparam("views")),
        [{"topic_id": key, "views": n} for key, n in views.items()],
    )


def init_view_counts(app: Flask) -> None:
    register_counter(app, TOPIC_VIEWS, add_views)
