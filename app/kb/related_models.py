"""Tables that keep public pages cheap: related articles stored at publish, a content version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class ArticleTerm(db.Model):
    """One tag, category or title word of a published article: the index related articles use."""

    __tablename__ = "kb_article_term"
    __table_args__ = (sa.Index("ix_kb_article_term_lookup", "locale", "term", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    weight: Mapped[int] = mapped_column(default=1)


class RelatedArticle(db.Model):
    """An article's related articles in order, computed when it (or a neighbour) is published."""

    __tablename__ = "kb_related_article"

    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    related_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )


class ContentVersion(db.Model):
    """One row counting published-content changes: page caches and ETags key on it."""

    __tablename__ = "kb_content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)  # Last-Modified of KB pages
