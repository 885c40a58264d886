"""The editor's routes, gathered on `bp` (and the public `media_bp`), and its other wiring."""

from __future__ import annotations

from flask import Flask

from app.editor import (  # noqa: F401  (each module adds its routes to bp)
    article_views,
    attachment_views,
    capture_views,
    history_views,
    library_views,
    translation_views,
)
from app.editor.attachments import init_attachments
from app.editor.blueprint import bp
from app.editor.media_views import media_bp
from app.editor.scheduling import init_scheduling

__all__ = ["bp", "init_editor", "media_bp"]


def init_editor(app: Flask) -> None:
    """The editor's wiring beyond its routes: lazy scheduled publishing, attachment files
    that leave the disk with their rows."""
    init_scheduling(app)
    init_attachments(app)
