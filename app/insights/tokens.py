"""Personal API tokens for /api/v1/insights/...: shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.insights.task_models import ApiToken
from app.pagination import paginate

TOKEN_PREFIX = "tpi_"
MAX_TOKENS_PER_USER = 10


class TokenError(ValueError):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored."""
    name = " ".join(name.split())[:80]
    if not name:
        raise TokenError("name")
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_TOKENS_PER_USER:
        raise TokenError("too_many")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.commit()
    return token, plain


TOKENS_PER_PAGE = 25


def user_tokens(user: User, page: int = 1) -> Pagination:
    """One page of the user's tokens (revoked ones stay listed), newest first."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return paginate(query, page, TOKENS_PER_PAGE)


def revoke_token(user: User, token_id: int) -> bool:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return True


def user_for_token(plain: str) -> User | None:
    """The active user a presented token belongs to, or None."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    digest = _digest(plain)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.token_hash, digest) or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.user
