"""The one role guard every area's views use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login_manager


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Anonymous visitors go to sign-in; signed in without one of `roles` → 403.

    Admins pass every check (User.has_role). Decorate a view, or a blueprint's
    `before_request` function to guard every URL of the blueprint.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
