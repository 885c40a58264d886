"""Serving uploaded files: article images at /media/<name> (the right type, nosniff, long
cache) and attachments at /attachments/<id>/<name> (always a download, nosniff)."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from flask_login import current_user

from app.accounts.models import Role
from app.editor.attachments import attachment_dir, find_attachment
from app.editor.media import find_media, media_dir
from app.extensions import db
from app.kb.models import Article

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


def _may_download(article: Article | None) -> bool:
    """A published article's files are public; a draft's, for editors only."""
    if article is None:
        return False
    if article.is_published:
        return True
    return current_user.is_authenticated and current_user.has_role(Role.CS_EDITOR.value)


@media_bp.get("/attachments/<int:attachment_id>/<name>")
def attachment_file(attachment_id: int, name: str):
    stored = find_attachment(attachment_id, name)
    article = db.session.get(Article, stored.article_id) if stored is not None else None
    if not _may_download(article) or not (attachment_dir() / stored.name).is_file():
        abort(404)
    response = send_from_directory(
        attachment_dir(),
        stored.name,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = (
        "public, max-age=3600" if article.is_published else "private, no-store"
    )
    return response
