"""/insights/milestones: CS defines onboarding milestones; staff see who reached them.

Product and CS read the report; only CS (and admins) add or remove milestones.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.guards import role_required
from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.insights import milestone_targets, milestones
from app.insights.filters import FilterError, default_filters, parse_filters
from app.insights.milestone_forms import MilestoneForm, RemoveMilestoneForm
from app.insights.milestone_models import Milestone
from app.insights.views import CS_ROLES, PRODUCT_ROLES, category_slugs, filter_form, render_page
from app.pagination import page_number

bp = Blueprint("insights_milestones", __name__, url_prefix="/insights/milestones")

DEFAULT_SIGNUP_DAYS = 182  # the report's sign-up range when none is chosen: about 26 weeks
PER_PAGE = 50

MILESTONE_ERRORS = {
    "name": lambda: _("Give the milestone a name."),
    "target": lambda: _("Choose what reaching the milestone means."),
}
TARGET_GROUPS = {
    "event": lambda: _("Help center"),
    "forum": lambda: _("Forum"),
    "guide": lambda: _("Guides"),
    "step": lambda: _("Guide steps"),
}


def signup_filters():
    """The sign-up range (default: the last 26 weeks), the language, or defaults and a message."""
    today = utcnow().date()
    args = request.args.to_dict()
    if not (args.get("start") or "").strip():
        args["start"] = (today - timedelta(days=DEFAULT_SIGNUP_DAYS - 1)).isoformat()
    try:
        return parse_filters(args, today, current_app.config["LOCALES"], category_slugs()), None
    except FilterError as error:
        return default_filters(today), str(error)


def milestone_form(formdata=None) -> MilestoneForm:
    form = MilestoneForm(formdata=formdata)
    locale = str(get_locale() or "en")
    found = milestone_targets.targets(locale)
    form.target.choices = {
        TARGET_GROUPS[group](): [SelectChoice(t.value, t.label) for t in found if t.group == group]
        for group in TARGET_GROUPS
    }
    return form


def _page(form: MilestoneForm, status: int = 200):
    filters, error = signup_filters()
    report = None
    if not error:
        report = milestones.milestone_report(
            filters.start,
            filters.end,
            utcnow(),
            current_app.config["INSIGHTS_MILESTONE_STUCK_DAYS"],
            filters.locale,
        )
    page = page_number(request.args.get("page"))
    customers = report.customers if report else []
    pages = max((len(customers) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    locale = str(get_locale() or "en")
    html, code = render_page(
        "insights/milestones.html",
        error,
        form=filter_form(),
        filters=filters,
        report=report,
        milestone_form=form,
        remove_form=RemoveMilestoneForm(),
        labels=milestone_targets.target_labels(report.milestones if report else [], locale),
        customers=customers[(page - 1) * PER_PAGE : page * PER_PAGE],
        page=page,
        pages=pages,
        stuck_days=current_app.config["INSIGHTS_MILESTONE_STUCK_DAYS"],
    )
    return html, status if code == 200 else code


@bp.get("/")
@role_required(*PRODUCT_ROLES)
def report():
    return _page(milestone_form())


@bp.post("/")
@role_required(*CS_ROLES)
def add_milestone():
    form = milestone_form(request.form)
    if form.validate_on_submit():
        try:
            milestone = milestone_targets.create_milestone(
                form.name.data, form.target.data, current_user.id, str(get_locale() or "en")
            )
        except milestone_targets.MilestoneError as error:
            field = form.name if error.code == "name" else form.target
            field.errors = [MILESTONE_ERRORS[error.code]()]
        else:
            db.session.commit()
            flash(_("Milestone added: %(name)s", name=milestone.name), "success")
            return redirect(url_for("insights_milestones.report", **request.args), 303)
    db.session.rollback()
    return _page(form, 400)


@bp.post("/<int:milestone_id>/remove")
@role_required(*CS_ROLES)
def remove_milestone(milestone_id: int):
    if not RemoveMilestoneForm().validate_on_submit():
        abort(400)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        abort(404)
    db.session.delete(milestone)
    db.session.commit()
    flash(_("Milestone removed: %(name)s", name=milestone.name), "success")
    return redirect(url_for("insights_milestones.report"), 303)


@bp.get("/customers/<int:user_id>")
@role_required(*PRODUCT_ROLES)
def customer(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    found, defined, actions = milestones.customer_detail(
        user, utcnow(), current_app.config["INSIGHTS_MILESTONE_STUCK_DAYS"]
    )
    locale = str(get_locale() or "en")
    return render_page(
        "insights/milestone_customer.html",
        None,
        form=None,
        customer=found,
        milestones=defined,
        labels=milestone_targets.target_labels(defined, locale),
        actions=sorted(milestone_targets.action_label(a) for a in actions),
    )
