"""CS-managed search synonyms; the shared search_documents table in the app's metadata."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from search.backends.tables import search_documents


class Synonym(db.Model):
    """Words a locale treats as the same in search, e.g. 2fa ↔ two-factor; applied at query time."""

    __tablename__ = "search_synonym"
    __table_args__ = (sa.UniqueConstraint("locale", "term", name="uq_search_synonym_term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    term: Mapped[str] = mapped_column(sa.String(80))
    synonyms: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


SearchDocumentRow = search_documents.to_metadata(db.metadata)
"""search_documents in the app's metadata, so create_all and migration checks know it."""
