"""What a search returns: plain dataclasses, safe to cache and to serialize."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchHit:
    """One result. ``snippet`` is safe HTML: escaped text with only ``<mark>`` added."""

    doc_id: str
    type: str
    id: str
    title: str
    url: str
    snippet: str
    score: float
    kind: str
    category: str
    solved: bool
    locale: str


@dataclass(frozen=True)
class SearchResults:
    """One page of results with the total, facet counts and a spelling suggestion.

    ``facets`` are disjunctive, as in most faceted search UIs: the ``kind``
    counts apply the query and the category filter but not the kind filter,
    and the ``category`` counts apply the query and the kind filter but not
    the category filter, so every count is the total one would get by
    clicking that value. ``used_fallback`` is true when all terms together
    found nothing and the results come from a looser stage (typo-tolerant
    and/or any term), or when fewer than three documents had all the words
    and documents with only some of them were appended below those.
    ``matched_all`` counts the documents with every word as typed (after
    filters; 0 when a looser stage answered); ``total`` includes appended ones.
    """

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    did_you_mean: str | None = None
    page: int = 1
    per_page: int = 10
    used_fallback: bool = False
    matched_all: int | None = None

    @property
    def pages(self) -> int:
        """How many pages the total fills."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Suggestion:
    """An as-you-type suggestion: enough to link to the document."""

    doc_id: str
    type: str
    title: str
    url: str
    kind: str


EMPTY_FACETS: dict[str, dict[str, int]] = {"kind": {}, "category": {}}
