"""A searcher and the per-document arrays searching needs, cached per segment.

Facets, ranking and suggestions read small arrays indexed by docnum: a
field's values, a field's lengths, a suggestion prior. Building them for
110k documents takes a fifth of a second, and after every write a new
searcher needs them again. A segment never changes once written (deletions
don't matter: deleted documents never reach these arrays through a match),
so each array is built per segment, kept by segment id, and the searcher's
array is the concatenation in docnum order — after a small write, only the
new small segment is computed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from functools import partial

from whoosh.searching import Searcher

from search.docsets import PostingCache
from search.schema import suggestion_prior

POSTING_CACHE_POSTINGS = 1_000_000
"""Decoded postings kept per searcher (8 bytes each); 0 turns the cache off."""


def term_docs_of_leaf(leaf, fieldname: str, text) -> list[int]:
    """Segment-local docnums containing a term (deleted ones included)."""
    if (fieldname, leaf.schema[fieldname].to_bytes(text)) not in leaf:
        return []
    return list(leaf.postings(fieldname, text).all_ids())


class SegmentArrays:
    """Per-segment arrays of one index, shared by every thread's searchers."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, str], list] = {}
        self._lock = threading.Lock()

    def get(self, segment_id: str, name: str, build: Callable[[], list]) -> list:
        key = (segment_id, name)
        values = self._arrays.get(key)
        if values is None:
            values = build()
            with self._lock:
                self._arrays[key] = values
        return values

    def keep_only(self, segment_ids: set[str]) -> None:
        """Forget the arrays of segments that no longer exist (merged away)."""
        with self._lock:
            for key in [k for k in self._arrays if k[0] not in segment_ids]:
                del self._arrays[key]


class SearcherState:
    """A searcher plus what is cached for exactly its generation of the index."""

    def __init__(self, searcher: Searcher, segments: SegmentArrays | None = None) -> None:
        self.searcher = searcher
        # Segment files are plain open files: close them when this state goes
        # away with its thread or its SearchIndex, not whenever the GC gets to them.
        self.close = weakref.finalize(self, searcher.close)
        self.generation = searcher.reader().generation()
        self.postings = PostingCache(POSTING_CACHE_POSTINGS)
        self._segments = segments if segments is not None else SegmentArrays()
        self._arrays: dict[str, list] = {}
        self._leaves = [
            (leaf, leaf.segment().segment_id() if leaf.segment() else f"leaf{i}")
            for i, (leaf, _) in enumerate(searcher.reader().leaf_readers())
        ]
        if segments is not None:
            segments.keep_only({segment_id for _, segment_id in self._leaves})

    def _array(self, name: str, build_for_leaf: Callable) -> list:
        values = self._arrays.get(name)
        if values is None:
            values = []
            for leaf, segment_id in self._leaves:
                values.extend(self._segments.get(segment_id, name, partial(build_for_leaf, leaf)))
            self._arrays[name] = values
        return values

    def column(self, fieldname: str) -> list:
        """All values of a sortable field, indexed by docnum."""

        def build(leaf) -> list:
            if leaf.has_column(fieldname):
                return list(leaf.column_reader(fieldname, translate=True))
            return [None] * leaf.doc_count_all()

        return self._array("column:" + fieldname, build)

    def lengths(self, fieldname: str) -> list[int]:
        """Each document's token count in a field (Whoosh's quantized length), by docnum."""

        def build(leaf) -> list[int]:
            return [
                leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all())
            ]

        return self._array("lengths:" + fieldname, build)

    def suggestion_priors(self) -> list[float]:
        """Each document's suggestion prior, by docnum."""

        def build(leaf) -> list[float]:
            kinds = list(leaf.column_reader("kind", translate=True))
            popularity = list(leaf.column_reader("popularity", translate=True))
            solved = set(term_docs_of_leaf(leaf, "solved", True))
            title_chars = [
                leaf.doc_field_length(d, "title_prefix", 0) or 0 for d in range(len(kinds))
            ]
            return [
                suggestion_prior(kind != "topic", d in solved, popularity[d] or 0, title_chars[d])
                for d, kind in enumerate(kinds)
            ]

        return self._array("priors", build)
