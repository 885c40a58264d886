"""Account logic: registering and authenticating users."""

from __future__ import annotations

import unicodedata
from functools import cache

from sqlalchemy import func, select, update

from app.accounts.models import PasswordResetToken, Role, User
from app.clock import utcnow
from app.extensions import db

# The most common leaked passwords that pass a length check; refused outright.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "1111111111", "qwertyuiop", "password12",
        "password123", "password1234", "passw0rd123", "iloveyou12", "abcdefghij", "qwerty1234",
        "1q2w3e4r5t", "1qaz2wsx3edc", "letmein123", "welcome123", "administrator", "football12",
        "baseball12", "sunshine12", "princess12", "starwars12", "trustno1234", "qwertyuiop123",
        "zaq12wsxcde", "monkey1234", "dragon1234", "master1234", "changeme123", "superman12",
    }
)  # fmt: skip


EMAIL_MAX = 254
DISPLAY_NAME_MAX = 80
PASSWORD_MIN = 10
PASSWORD_MAX = 200


class AccountError(ValueError):
    """A sign-up or sign-in that cannot proceed; the message is safe to show."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def clean_display_name(name: str) -> str:
    """NFC, no control or bidi-override characters, collapsed spaces."""
    name = unicodedata.normalize("NFC", name)
    kept = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Co", "Cs"})
    return " ".join(kept.split())


def is_common_password(password: str) -> bool:
    return password.lower() in COMMON_PASSWORDS or len(set(password)) < 4


@cache
def _timing_dummy() -> User:
    user = User()
    user.set_password("timing-dummy-password")
    return user


def storable_email(email: str) -> str | None:
    """The normalized email, or None if it could never be stored (NUL, too long once lowered)."""
    email = normalize_email(email)
    if not email or "\x00" in email or len(email) > EMAIL_MAX:
        return None
    return email


def find_by_email(email: str) -> User | None:
    normalized = storable_email(email)
    if normalized is None:  # PostgreSQL refuses NUL in a query; no such account anyway
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == normalized))


def display_name_or_error(display_name: str) -> str:
    """The cleaned display name (no bidi overrides or controls); AccountError if nothing is left."""
    # NFC can lengthen a few scripts' text, so cut after cleaning to fit the column.
    name = clean_display_name(display_name)[:DISPLAY_NAME_MAX].strip()
    if not name:
        raise AccountError("empty_name")
    return name


def check_new_password(password: str) -> None:
    """AccountError("too_short" / "too_long" / "common_password") for a password we refuse."""
    if len(password) < PASSWORD_MIN:
        raise AccountError("too_short")
    if len(password) > PASSWORD_MAX:
        raise AccountError("too_long")
    if is_common_password(password):
        raise AccountError("common_password")


def register(email: str, display_name: str, password: str, locale: str | None = None) -> User:
    """Create a customer account; raises AccountError for a taken email or a weak password."""
    check_new_password(password)
    name = display_name_or_error(display_name)
    normalized = storable_email(email)
    if normalized is None:
        raise AccountError("invalid_email")
    if find_by_email(normalized):
        raise AccountError("email_taken")
    user = User(email=normalized, display_name=name, role=Role.CUSTOMER.value, locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def update_profile(
    user: User, display_name: str, locale: str | None, email_notifications: bool
) -> User:
    """Save the profile settings; AccountError("empty_name") if the name cleans to nothing."""
    user.display_name = display_name_or_error(display_name)
    user.locale = locale or None
    user.email_notifications = bool(email_notifications)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """Re-hash with the new password; AccountError("wrong_password") or a weak-password error.

    Outstanding reset links stop working, and the new hash changes the session
    fingerprint, which signs out every other session (app/accounts/session.py).
    """
    if not user.check_password(current_password):
        raise AccountError("wrong_password")
    check_new_password(new_password)
    user.set_password(new_password)
    invalidate_reset_tokens(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if email and password match and the account is active; None otherwise."""
    user = find_by_email(email)
    if user is None:
        _timing_dummy().check_password(password)  # same work whether or not the email exists
        return None
    if not user.check_password(password) or user.is_suspended:
        return None
    return user


def invalidate_reset_tokens(user: User) -> None:
    """Mark every outstanding reset link of the user as used (caller commits)."""
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
