"""The editor's routes, gathered on one blueprint, and its wiring into the app."""

from __future__ import annotations

from flask import Flask

from app.editor import (  # noqa: F401  (each module adds its routes to bp)
    article_views,
    capture_views,
    history_views,
    library_views,
    translation_views,
)
from app.editor.blueprint import bp
from app.editor.cli import editor_cli
from app.editor.media_views import media_bp
from app.editor.scheduling import init_scheduling

__all__ = ["bp", "init_editor", "media_bp"]


def init_editor(app: Flask) -> None:
    """Register the editor, the public /media/ route, the CLI and lazy scheduled publishing."""
    app.register_blueprint(bp)
    app.register_blueprint(media_bp)
    app.cli.add_command(editor_cli)
    init_scheduling(app)
