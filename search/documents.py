"""What the application hands the search engine: one plain document per article or topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

DOC_TYPES = ("article", "topic")
KINDS = ("faq", "guide", "topic")


@dataclass
class SearchDocument:
    """One searchable thing. ``body`` is plain text: the caller strips HTML first."""

    doc_id: str
    type: str
    locale: str
    kind: str
    category: str
    title: str
    summary: str
    body: str
    tags: list[str] = field(default_factory=list)
    url: str = ""
    solved: bool = False
    updated: datetime | None = None
    popularity: int = 0


def make_doc_id(doc_type: str, pk: int | str) -> str:
    """The index key for an article or topic: ``"article:12"``, ``"topic:7"``."""
    return f"{doc_type}:{pk}"
