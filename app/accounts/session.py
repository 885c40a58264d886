"""Flask-Login wiring: how a session finds its user."""

from __future__ import annotations

from flask import Flask

from app.accounts.models import User
from app.extensions import db, login_manager


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None
