"""The one clock every area stamps rows with, and how its timestamps are written out."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def atom_date(value: datetime | None) -> str:
    """RFC 3339 in UTC, as Atom and `<time datetime>` want; stored times are naive UTC."""
    value = value or datetime(2000, 1, 1)
    return value.replace(microsecond=0).isoformat() + "Z"
