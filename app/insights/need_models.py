"""One need in every language: CS-curated synonym groups and hand-made merges and splits."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class NeedSynonymGroup(db.Model):
    """Terms that name the same need in several languages: {"en": ["dark mode"], "ja": [...]}."""

    __tablename__ = "insights_need_synonym_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NeedLinkKind(enum.StrEnum):
    MERGE = "merge"  # `part` and `other` are one need, whatever the automatic links say
    SPLIT = "split"  # `part` stands alone: no automatic link reaches it


class NeedLink(db.Model):
    """A remembered hand merge or split; a part is "gap:<locale>:<key>" or "topic:<id>"."""

    __tablename__ = "insights_need_link"
    __table_args__ = (sa.Index("ix_insights_need_link_part", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    part: Mapped[str] = mapped_column(sa.String(260))
    other: Mapped[str | None] = mapped_column(sa.String(260))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
