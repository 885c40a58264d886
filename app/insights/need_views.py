"""/insights/needs: gaps and feature requests as one row per need, with a part per language.

CS (and admins) merge rows, split items off and keep the cross-language synonym groups;
product reads the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.guards import role_required
from app.clock import utcnow
from app.extensions import db
from app.insights import needs
from app.insights.need_forms import NeedForm
from app.insights.need_models import NeedSynonymGroup
from app.insights.source import RangeData
from app.insights.views import CS_ROLES, PRODUCT_ROLES, current_filters, render_page

bp = Blueprint("insights_needs", __name__, url_prefix="/insights/needs")

NEED_ERRORS = {
    "two_languages": lambda: _("Give terms in at least two languages."),
    "too_many": lambda: _("Give at most %(num)d terms per language.", num=needs.MAX_TERMS),
    "term_length": lambda: _(
        "Please keep each term under %(num)d characters.", num=needs.MAX_TERM_LENGTH
    ),
    "merge_two": lambda: _("Choose at least two rows to merge."),
}
REASONS = {
    needs.SYNONYMS: lambda: _("synonym group"),
    needs.ARTICLE: lambda: _("led to the same article"),
    needs.FOLLOWED: lambda: _("searches followed by the request"),
    needs.LATIN: lambda: _("same Latin-script words"),
    needs.HAND: lambda: _("merged by hand"),
}


def _page(status: int = 200, terms: dict[str, str] | None = None):
    filters, error = current_filters()
    found = [] if error else needs.needs(RangeData(filters, utcnow()))
    html, code = render_page(
        "insights/needs.html",
        error,
        filters=filters,
        needs=found,
        groups=needs.synonym_groups(),
        need_form=NeedForm(),
        reasons={key: label() for key, label in REASONS.items()},
        locales=current_app.config["LOCALES"],
        terms=terms or {},
    )
    return html, status if code == 200 else code


@bp.get("/")
@role_required(*PRODUCT_ROLES)
def need_list():
    return _page()


def _back():
    return redirect(url_for("insights_needs.need_list", **request.args), 303)


def _checked_form():
    if not NeedForm().validate_on_submit():
        abort(400)


@bp.post("/merge")
@role_required(*CS_ROLES)
def merge():
    _checked_form()
    try:
        needs.merge(request.form.getlist("row"), current_user.id)
    except needs.NeedError as error:
        flash(NEED_ERRORS[error.code](), "error")
        return _page(400)
    db.session.commit()
    flash(_("The rows are one need now."), "success")
    return _back()


@bp.post("/split")
@role_required(*CS_ROLES)
def split():
    _checked_form()
    ref = (request.form.get("item") or "").strip()
    if not ref or len(ref) > 260:
        abort(400)
    needs.split(ref, current_user.id)
    db.session.commit()
    flash(_("Split off into a row of its own."), "success")
    return _back()


@bp.post("/synonyms")
@role_required(*CS_ROLES)
def add_group():
    _checked_form()
    raw = {
        locale: request.form.get(f"terms_{locale}", "") for locale in current_app.config["LOCALES"]
    }
    try:
        needs.add_synonym_group(raw, current_user.id)
    except needs.NeedError as error:
        flash(NEED_ERRORS[error.code](), "error")
        return _page(400, raw)
    db.session.commit()
    flash(_("Synonym group added."), "success")
    return _back()


@bp.post("/synonyms/<int:group_id>/remove")
@role_required(*CS_ROLES)
def remove_group(group_id: int):
    _checked_form()
    group = db.session.get(NeedSynonymGroup, group_id)
    if group is None:
        abort(404)
    db.session.delete(group)
    db.session.commit()
    flash(_("Synonym group removed."), "success")
    return _back()
