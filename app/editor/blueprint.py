"""The editor blueprint and the checks every editor page shares: role, article lookup."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.accounts.models import Role
from app.extensions import db, login_manager
from app.kb.models import Article

bp = Blueprint("editor", __name__, url_prefix="/editor")
EDITOR_ROLES = (Role.CS_EDITOR.value,)  # admin passes every has_role check


@bp.before_request
def require_editor():
    """Anonymous visitors sign in first; other roles get 403 on every editor URL."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*EDITOR_ROLES):
        abort(403)
    return None


def get_article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        abort(404)
    return article


def render_with_status(template: str, status: int = 200, **context):
    return render_template(template, **context), status
