"""The editor blueprint and the checks every editor page shares: role, article lookup."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.accounts.guards import role_required
from app.accounts.models import Role
from app.extensions import db
from app.kb.models import Article
from app.page_slots import add_to_slot

bp = Blueprint("editor", __name__, url_prefix="/editor")
add_to_slot(bp, "accepted_answer", "editor/_capture_button.html")
EDITOR_ROLES = (Role.CS_EDITOR.value,)  # admin passes every has_role check


@bp.before_request
@role_required(*EDITOR_ROLES)
def require_editor():
    """Every editor URL: editors (and admins) only."""


def get_article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        abort(404)
    return article


def render_with_status(template: str, status: int = 200, **context):
    return render_template(template, **context), status
