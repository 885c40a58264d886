"""User accounts and roles."""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

_hasher = PasswordHasher()


class Role(enum.StrEnum):
    CUSTOMER = "customer"
    MODERATOR = "moderator"
    CS_EDITOR = "cs_editor"
    PRODUCT = "product"
    ADMIN = "admin"


# How staff pages name each role; an unknown value shows as it is.
ROLE_LABELS = {
    Role.CUSTOMER.value: _l("Customer"),
    Role.MODERATOR.value: _l("Moderator"),
    Role.CS_EDITOR.value: _l("Customer success editor"),
    Role.PRODUCT.value: _l("Product team"),
    Role.ADMIN.value: _l("Administrator"),
}


class User(UserMixin, db.Model):
    __tablename__ = "account_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.CUSTOMER.value)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    is_suspended: Mapped[bool] = mapped_column(default=False)
    email_notifications: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        """Store an Argon2id hash of the password, never the password."""
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def password_fingerprint(self) -> str:
        """A short keyed digest of the password hash: changes whenever the password does."""
        key = str(current_app.secret_key or "").encode()
        digest = hmac.new(key, (self.password_hash or "").encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def get_id(self) -> str:
        """What the session and remember-me cookie hold: "<id>.<password fingerprint>".

        A password change or reset gives a new fingerprint, so every other session and
        remember-me cookie stops matching (see app/accounts/session.py).
        """
        return f"{self.id}.{self.password_fingerprint()}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses suspended users
        return not self.is_suspended

    def has_role(self, *roles: str) -> bool:
        return self.role == Role.ADMIN.value or self.role in roles


class PasswordResetToken(db.Model):
    """A single-use, expiring password-reset link; only a hash of the token is stored."""

    __tablename__ = "account_password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
