"""Serving uploaded article images at /media/<name>: the right type, nosniff, long cache."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from app.editor.media import find_media, media_dir

media_bp = Blueprint("media", __name__)


@media_bp.get("/media/<name>")
def media_file(name: str):
    stored = find_media(name)
    if stored is None or not (media_dir() / stored.name).is_file():
        abort(404)
    response = send_from_directory(
        media_dir(), stored.name, mimetype=stored.content_type, max_age=31_536_000
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
