"""Search outbox rows and CS-managed synonyms."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class SearchOutbox(db.Model):
    """A change the index has not applied yet; written in the same transaction as the change."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(sa.String(20))
    doc_pk: Mapped[int] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class Synonym(db.Model):
    """Words a locale treats as the same in search, e.g. 2fa ↔ two-factor; applied at query time."""

    __tablename__ = "search_synonym"
    __table_args__ = (sa.UniqueConstraint("locale", "term", name="uq_search_synonym_term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    term: Mapped[str] = mapped_column(sa.String(80))
    synonyms: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
