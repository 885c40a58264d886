"""Who may do what in the forum: one place for the role rules views and services share."""

from __future__ import annotations

from app.accounts.models import Role, User

# May accept answers on any topic and start topics in staff-only categories.
STAFF_ROLES = (Role.MODERATOR.value, Role.CS_EDITOR.value, Role.ADMIN.value)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_staff(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(*STAFF_ROLES)


def is_moderator(user: User | None) -> bool:
    """Moderators (and admins) see hidden posts and may edit anyone's post."""
    return _signed_in(user) and user.has_role(Role.MODERATOR.value)


def can_edit(user: User | None, post) -> bool:
    if not _signed_in(user):
        return False
    if is_moderator(user):
        return True
    return post.author_id == user.id and not post.topic.is_locked


def can_accept(user: User | None, topic) -> bool:
    """The asker or staff mark the accepted answer."""
    return _signed_in(user) and (topic.author_id == user.id or is_staff(user))


def can_see_hidden(user: User | None) -> bool:
    return is_moderator(user)
