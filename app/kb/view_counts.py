"""Article view counts, added up in the event buffer and written with its batch."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from app.events import register_counter
from app.kb.models import Article

ARTICLE_VIEWS = "article_views"


def add_views(connection: sa.Connection, views: dict[int, int]) -> None:
    """One UPDATE per article with its views since the last batch (no lost increments)."""
    connection.execute(
        sa.update(Article.__table__)
        .where(Article.__table__.c.id == sa.bindparam("article_id"))
        .values(view_count=Article.__table__.c.view_count + sa.bindparam("views")),
        [{"article_id": key, "views": n} for key, n in views.items()],
    )


def init_view_counts(app: Flask) -> None:
    register_counter(app, ARTICLE_VIEWS, add_views)
