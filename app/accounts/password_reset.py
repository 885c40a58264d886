"""Password reset by a single-use, expiring link; only a SHA-256 of the token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts import services
from app.accounts.models import PasswordResetToken, User
from app.clock import utcnow
from app.extensions import db
from app.mail import send_mail

# At most this many links per account per hour, so nobody can flood a mailbox.
MAX_LINKS_PER_HOUR = 5
TOKEN_BYTES = 32


class ResetLinkError(ValueError):
    """The link cannot be used: "unknown", "expired" or "used" (safe to act on, not to show)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def valid_for() -> timedelta:
    return timedelta(hours=float(current_app.config["PASSWORD_RESET_HOURS"]))


def create_reset_token(email: str, now: datetime | None = None) -> tuple[User, str] | None:
    """A new raw token for the account with this email, or None (no such active account,
    or too many links asked for lately). The caller must not tell the difference apart."""
    user = services.find_by_email(email)
    if user is None or user.is_suspended:
        return None
    now = now or utcnow()
    recent = db.session.scalar(
        select(func.count(PasswordResetToken.id)).where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.created_at > now - timedelta(hours=1),
        )
    )
    if recent >= MAX_LINKS_PER_HOUR:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + valid_for(),
        )
    )
    db.session.commit()
    return user, token


def token_from_link(token: str, now: datetime | None = None) -> PasswordResetToken:
    """The stored token a link names; ResetLinkError if it is unknown, used or expired."""
    if not token or len(token) > 200:
        raise ResetLinkError("unknown")
    found = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    )
    if found is None:
        raise ResetLinkError("unknown")
    if found.used_at is not None:
        raise ResetLinkError("used")
    if found.expires_at <= (now or utcnow()):
        raise ResetLinkError("expired")
    user = db.session.get(User, found.user_id)
    if user is None or user.is_suspended:
        raise ResetLinkError("used")
    return found


def complete_reset(token: str, new_password: str, now: datetime | None = None) -> User:
    """Set the new password and use up this link and every other outstanding one.

    ResetLinkError for a link that cannot be used, AccountError for a refused password.
    Two requests racing with the same link: the conditional UPDATE lets only one win.
    """
    now = now or utcnow()
    stored = token_from_link(token, now)
    services.check_new_password(new_password)
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == stored.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ResetLinkError("used")
    user = db.session.get(User, stored.user_id)
    user.set_password(new_password)
    services.invalidate_reset_tokens(user)
    db.session.commit()
    return user


def mail_reset_link(user: User, link: str) -> None:
    """Queue the link, in the user's language, for the mail worker."""
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        subject = _("Reset your %(site)s password", site=current_app.config["SITE_NAME"])
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                _("To choose a new password for your account, open this link:"),
                link,
                ngettext(
                    "The link works once and expires in %(num)d hour.",
                    "The link works once and expires in %(num)d hours.",
                    hours,
                ),
                _("If you did not ask for this, ignore this email: your password stays the same."),
            ]
        )
    send_mail(user.email, subject, body)
    db.session.commit()


def mail_password_changed(user: User) -> None:
    """Tell the account owner their password changed, in their language."""
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        subject = _("Your %(site)s password was changed", site=current_app.config["SITE_NAME"])
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                _("Your password was just changed. Other devices were signed out."),
                _("If this was not you, reset your password now and contact support."),
            ]
        )
    send_mail(user.email, subject, body)
    db.session.commit()
