"""Whole posting lists as NumPy arrays of docnums, fast enough to touch every match.

Totals and facet counts need *all* matches, and so does exact top-N ranking
when block-max skipping can't skip (common words in titles are everywhere).
Whoosh's matchers walk postings one at a time in Python (about a microsecond
each); here a term's postings are decoded a block at a time with C-speed
builtins into NumPy arrays of sorted docnums, and AND/OR become array
intersections and unions in C. Queries this module doesn't know (phrases) fall
back to Whoosh's ``docs_for_query``. These functions read Whoosh's W3 posting
blocks directly; ``tests/search/test_index.py`` checks them against Whoosh.
"""

from __future__ import annotations

from collections import OrderedDict
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Or, Query, Term
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

DOCNUM = np.int32
"""Docnums as stored in sorted arrays (a searcher never holds 2**31 documents)."""

EMPTY = np.empty(0, dtype=DOCNUM)
_NO_WEIGHTS = np.empty(0, dtype=np.float32)


class PostingCache:
    """Decoded posting lists of recently used terms for one searcher, bounded by size.

    Queries share words, and one query reads each term twice (to match, then
    to rank); decoding Whoosh's pickled blocks is most of that cost. Entries
    are NumPy arrays, about 8 bytes a posting: live docnums (sorted) and
    their weights. A searcher never sees new deletions, so deleted documents
    are dropped once, when a list is decoded.
    """

    def __init__(self, max_postings: int = 1_000_000) -> None:
        self.max_postings = max_postings
        self._entries: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0

    def get(self, searcher: Searcher, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of a term's undeleted postings over the whole searcher."""
        key = (fieldname, text)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        entry = term_postings(searcher, fieldname, text)
        size = len(entry[0])
        if size <= self.max_postings:
            self._entries[key] = entry
            self._size += size
            while self._size > self.max_postings:
                _, (old_ids, _) = self._entries.popitem(last=False)
                self._size -= len(old_ids)
        return entry


def term_postings(searcher: Searcher, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted docnums, weights) of one term's undeleted postings, decoded from every segment."""
    ids_parts, weight_parts = [], []
    for ids, weights, deleted in _leaf_postings(searcher, fieldname, text):
        ids_array = np.fromiter(ids, dtype=DOCNUM, count=len(ids))
        weight_array = np.fromiter(weights, dtype=np.float32, count=len(weights))
        if deleted:
            keep = ~np.isin(ids_array, np.fromiter(deleted, dtype=DOCNUM, count=len(deleted)))
            ids_array, weight_array = ids_array[keep], weight_array[keep]
        ids_parts.append(ids_array)
        weight_parts.append(weight_array)
    if not ids_parts:
        return EMPTY, _NO_WEIGHTS
    if len(ids_parts) == 1:
        return ids_parts[0], weight_parts[0]
    return np.concatenate(ids_parts), np.concatenate(weight_parts)


def matching_docs(
    searcher: Searcher, query: Query, cache: PostingCache | None = None
) -> np.ndarray:
    """Sorted docnums (over the whole searcher) of undeleted documents matching ``query``."""
    if isinstance(query, Term):
        return term_docs(searcher, query.fieldname, query.text, cache)
    if isinstance(query, And) and query.subqueries:
        arrays = sorted((matching_docs(searcher, q, cache) for q in query.subqueries), key=len)
        found = arrays[0]
        for other in arrays[1:]:
            if not len(found):
                break
            found = other[_mask(found, searcher.doc_count_all())[other]]
        return found
    if isinstance(query, Or):
        arrays = [matching_docs(searcher, q, cache) for q in query.subqueries]
        arrays = [a for a in arrays if len(a)]
        if len(arrays) <= 1:
            return arrays[0] if arrays else EMPTY
        mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        for array in arrays:
            mask[array] = True
        return np.flatnonzero(mask).astype(DOCNUM)
    found = sorted(set(searcher.docs_for_query(query)))
    return np.fromiter(found, dtype=DOCNUM, count=len(found))


def _mask(docnums: np.ndarray, size: int) -> np.ndarray:
    """A boolean array over all docnums, True at ``docnums``.

    Intersections and unions through a mask cost one pass over the arrays and
    the mask (C loops, no sorting): 30× faster than ``np.unique`` on a
    concatenation for lists of tens of thousands of postings.
    """
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return mask


def term_docs(
    searcher: Searcher, fieldname: str, text: str, cache: PostingCache | None = None
) -> np.ndarray:
    """Sorted docnums of undeleted documents containing one term."""
    if cache is not None:
        return cache.get(searcher, fieldname, text)[0]
    return term_postings(searcher, fieldname, text)[0]


def _leaf_postings(searcher: Searcher, fieldname: str, text: str):
    """(global ids, weights, global deleted ids) per segment holding the term."""
    for leaf, offset in searcher.reader().leaf_readers():
        try:
            matcher = leaf.postings(fieldname, text)
        except TermNotFound:
            continue
        deleted: frozenset[int] | set[int] = frozenset()
        if isinstance(matcher, FilterMatcher):  # the segment has deletions
            deleted = {offset + d for d in matcher._ids}
            matcher = matcher.child
            matcher.reset()
        ids, ws = _decode(matcher)
        if offset:
            ids = [offset + i for i in ids]
        yield ids, ws, deleted


def _decode(matcher) -> tuple[list[int], list[float]]:
    if not isinstance(matcher, W3LeafMatcher):  # short lists are inlined in the term info
        ids, ws = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            ws.append(matcher.weight())
            matcher.next()
        return ids, ws
    ids: list[int] = []
    ws: list[float] = []
    while True:
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        ids.extend(block_ids if matcher._byteids else accumulate(block_ids))
        count = matcher._blocklength
        if block_weights is None:
            ws.extend([1.0] * count)
        elif isinstance(block_weights, float):
            ws.extend([block_weights] * count)
        else:
            ws.extend(block_weights)
        if matcher._lastblock:
            return ids, ws
        matcher._goto(matcher._nextoffset)
