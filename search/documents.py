"""What the application hands the search engine: one plain document per article or topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

DOC_TYPES = ("article", "topic", "post")
KINDS = ("faq", "guide", "topic")


@dataclass
class SearchDocument:
    """One searchable thing. ``body`` is plain text: the caller strips HTML first.

    ``group_id`` is the result the document is found as when it is part of
    another (a forum reply: its topic's doc_id); empty for itself.
    """

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
    group_id: str = ""


def make_doc_id(doc_type: str, pk: int | str) -> str:
    """The index key for an article or topic: ``"article:12"``, ``"topic:7"``."""
    return f"{doc_type}:{pk}"


@dataclass
class IndexChanges:
    """What one flush changes in search: documents to (re)write, rows and whole results to
    remove, and columns to set on every row of a result (a moved topic's replies)."""

    write: list[SearchDocument] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    remove_groups: list[str] = field(default_factory=list)
    update_groups: dict[str, dict] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.write or self.remove or self.remove_groups or self.update_groups)
