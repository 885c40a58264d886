"""Flask-Login wiring: how a session finds its user."""

from __future__ import annotations

import hmac

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.extensions import db, login_manager


def user_from_session_id(session_id: str) -> User | None:
    """The user a session or remember-me cookie names, if it is still valid.

    The id carries a fingerprint of the password hash (User.get_id): after a password
    change every older session stops matching. A suspended user is signed out at once.
    """
    user_id, _, fingerprint = session_id.partition(".")
    if not user_id.isdigit() or not fingerprint:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.is_suspended:
        return None
    if not hmac.compare_digest(user.password_fingerprint(), fingerprint):
        return None
    return user


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Sign in to see that page.")
    login_manager.localize_callback = str  # translate the lazy message in the request's locale
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return user_from_session_id(session_id)
