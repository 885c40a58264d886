"""Admin pages under /admin/: the user list with search and filters, and role changes."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.guards import role_required
from app.accounts.models import ROLE_LABELS, Role, User
from app.admin import users as admin
from app.errors import render_error
from app.extensions import db
from app.flashes import flash_message

bp = Blueprint("admin", __name__, url_prefix="/admin")

ERROR_STATUS = {"bad_role": 400, "self": 403, "forbidden": 403, "last_admin": 409, "conflict": 409}


@bp.before_request
@role_required(Role.ADMIN.value)
def require_admin():
    """Every admin URL: admins only."""


@bp.app_template_global()
def role_label(role: str) -> str:
    """A role by its translated name; an unknown value shows as it is."""
    return str(ROLE_LABELS.get(role, role))


@bp.app_template_global()
def role_change_summary(reason: str) -> str:
    """How the moderation log words a role change: both roles by their translated names."""
    change = admin.parse_role_change(reason)
    if change is None:
        return reason
    old, new = change
    return _("From %(old)s to %(new)s", old=role_label(old), new=role_label(new))


def filter_from(values, role_key: str = "role") -> admin.UserFilter:
    """The list filter from query arguments, or from the hidden fields of a role form."""
    return admin.user_filter(values.get("q"), values.get(role_key), values.get("page", 1, type=int))


def back_to_list():
    """After a role form: the list as it was, with the same search, filter and page."""
    return redirect(list_url(filter_from(request.form, role_key="filter_role")), 303)


def list_url(chosen: admin.UserFilter) -> str:
    return url_for(
        "admin.users",
        q=chosen.text or None,
        role=chosen.role,
        page=chosen.page if chosen.page > 1 else None,
    )


@bp.get("/users")
def users():
    chosen = filter_from(request.args)
    pagination = admin.list_users(chosen)
    return render_template(
        "admin/users.html",
        chosen=chosen,
        pagination=pagination,
        roles=admin.ROLE_VALUES,
        page_url=lambda page: list_url(admin.UserFilter(chosen.text, chosen.role, page)),
    )


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    member = db.session.get(User, user_id)
    if member is None:
        return render_error(404, _("That account does not exist."))
    try:
        admin.change_role(current_user._get_current_object(), member, request.form.get("role", ""))
    except admin.RoleChangeError as error:
        db.session.rollback()
        if error.code == "no_change":  # a resubmitted form: nothing to do, nothing wrong
            flash_message(str(error.message), "info")
            return back_to_list()
        return render_error(ERROR_STATUS.get(error.code, 400), str(error.message))
    db.session.commit()
    flash_message(
        _(
            "%(name)s now has the role %(role)s.",
            name=member.display_name,
            role=role_label(member.role),
        ),
        "success",
    )
    return back_to_list()
