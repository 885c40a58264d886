"""Account logic: registering and authenticating users."""

from __future__ import annotations

import unicodedata
from functools import cache

from sqlalchemy import func, select

from app.accounts.models import Role, User
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


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def register(email: str, display_name: str, password: str) -> User:
    """Create a customer account; raises AccountError for a taken email or a weak password."""
    if is_common_password(password):
        raise AccountError("common_password")
    name = clean_display_name(display_name)
    if not name:
        raise AccountError("empty_name")
    if find_by_email(email):
        raise AccountError("email_taken")
    user = User(email=normalize_email(email), display_name=name, role=Role.CUSTOMER.value)
    user.set_password(password)
    db.session.add(user)
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
