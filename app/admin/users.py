"""Administering accounts: the searchable user list and role changes, each one logged.

A role change is written to the audit log (area "admin", target "user", action
"role_change", the reason "<old> → <new>"); the moderation log shows it with who and
when beside suspensions. Two rules keep the site administrable: an admin never changes
their own role, and the last admin is never demoted. The second holds under
concurrency too: two admins demoting each other at the same moment must not leave
nobody in charge (see :func:`change_role`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from app import audit
from app.accounts.models import Role, User
from app.extensions import db

PAGE_SIZE = 50
PAGE_MAX = 10_000  # an absurd ?page= stays an empty page, never an SQL overflow
SEARCH_MAX = 254  # the longest email; nothing longer can match
ROLE_VALUES = tuple(role.value for role in Role)
ROLE_CHANGE = "role_change"
ARROW = " → "


class RoleChangeError(Exception):
    """A role change that cannot proceed; `.code` is stable, `.message` is localized."""

    def __init__(self, code: str, message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class UserFilter:
    """What the list shows: a search text, one role or all, and a page."""

    text: str = ""
    role: str | None = None
    page: int = 1


def clean_search(text: str | None) -> str:
    """The search as used: no NUL (PostgreSQL refuses it), spaces collapsed, cut to SEARCH_MAX."""
    return " ".join((text or "").replace("\x00", "").split())[:SEARCH_MAX]


def user_filter(text: str | None, role: str | None, page: int | None) -> UserFilter:
    """A filter from raw request values; an unknown role means every role."""
    return UserFilter(
        text=clean_search(text),
        role=role if role in ROLE_VALUES else None,
        page=min(max(page or 1, 1), PAGE_MAX),
    )


def list_users(chosen: UserFilter, per_page: int | None = None) -> Pagination:
    """Matching users, newest first; the text is a case-insensitive substring of email or name."""
    query = sa.select(User)
    if chosen.text:
        query = query.where(
            sa.or_(
                User.email.icontains(chosen.text, autoescape=True),
                User.display_name.icontains(chosen.text, autoescape=True),
            )
        )
    if chosen.role:
        query = query.where(User.role == chosen.role)
    query = query.order_by(User.created_at.desc(), User.id.desc())
    per_page = per_page or PAGE_SIZE
    return db.paginate(query, page=chosen.page, per_page=per_page, error_out=False, count=True)


def _locked_admin_ids() -> set[int]:
    """The admins' ids, their rows locked until commit (PostgreSQL; SQLite has one writer).

    Concurrent role changes that touch admins queue here, and the second one sees
    the first one's result instead of a stale count.
    """
    query = sa.select(User.id).where(User.role == Role.ADMIN.value).with_for_update()
    return set(db.session.scalars(query))


def _apply(admin: User, user: User, old_role: str, new_role: str) -> bool:
    """Set the role only if nothing moved since the checks; True when the row changed.

    The conditions are repeated in the UPDATE so that SQLite, which reads outside a
    transaction, cannot demote the last admin between the checks and the write either.
    """
    others, actor = aliased(User), aliased(User)
    admins_left = (
        sa.select(sa.func.count(others.id)).where(others.role == Role.ADMIN.value).scalar_subquery()
    )
    actor_is_admin = (
        sa.select(actor.id).where(actor.id == admin.id, actor.role == Role.ADMIN.value).exists()
    )
    statement = (
        sa.update(User)
        .where(User.id == user.id, User.role == old_role, actor_is_admin)
        .values(role=new_role)
        .execution_options(synchronize_session=False)
    )
    if old_role == Role.ADMIN.value:
        statement = statement.where(admins_left > 1)
    changed = db.session.execute(statement).rowcount == 1
    db.session.expire(user, ["role"])
    return changed


def change_role(admin: User, user: User, new_role: str) -> str:
    """Give `user` the role `new_role` and log it; returns the old role. The caller commits.

    Raises RoleChangeError: bad_role, self, no_change, last_admin, forbidden (the
    acting account is no longer an admin) or conflict (the account changed meanwhile).
    """
    if new_role not in ROLE_VALUES:
        raise RoleChangeError("bad_role", _l("Choose a role from the list."))
    if user.id == admin.id:
        raise RoleChangeError("self", _l("You cannot change your own role."))
    old_role = user.role
    if old_role == new_role:
        raise RoleChangeError("no_change", _l("This account already has that role."))
    admin_ids = _locked_admin_ids()
    if old_role == Role.ADMIN.value and admin_ids <= {user.id}:
        raise RoleChangeError(
            "last_admin", _l("This is the last administrator; their role cannot be changed.")
        )
    if admin.id not in admin_ids:
        raise RoleChangeError("forbidden", _l("Only an administrator can change roles."))
    if not _apply(admin, user, old_role, new_role):
        raise RoleChangeError(
            "conflict", _l("This account changed in the meantime. Reload the page and try again.")
        )
    audit.record_action(
        audit.ADMIN,
        admin.id,
        ROLE_CHANGE,
        target=("user", user.id),
        reason=f"{old_role}{ARROW}{new_role}",
    )
    return old_role


def parse_role_change(reason: str) -> tuple[str, str] | None:
    """(old, new) from a role_change log reason, or None when it is not in that form."""
    old, arrow, new = reason.partition(ARROW)
    return (old, new) if arrow and old and new else None
