"""Whole posting lists as Python sets and dicts, fast enough to touch every match.

Totals and facet counts need *all* matches, and so does exact top-N ranking
when block-max skipping can't skip (common words in titles are everywhere).
Whoosh's matchers walk postings one at a time in Python (about a microsecond
each); here a term's postings are decoded a block at a time with C-speed
builtins (``accumulate``, ``dict(zip())``), and AND/OR become set
intersections and unions. Queries this module doesn't know (phrases) fall
back to Whoosh's ``docs_for_query``. These functions read Whoosh's W3 posting
blocks directly; ``tests/search/test_index.py`` checks them against Whoosh.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from functools import reduce
from itertools import accumulate

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Or, Query, Term
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher


class PostingCache:
    """Decoded posting lists of recently used terms for one searcher, bounded by size.

    Queries share words, and one query reads each term twice (to count, then
    to rank); decoding Whoosh's pickled blocks is most of that cost. Stored as
    arrays: about 8 bytes a posting.
    """

    def __init__(self, max_postings: int = 1_000_000) -> None:
        self.max_postings = max_postings
        self._entries: OrderedDict[tuple[str, str], tuple[array, array, frozenset[int]]] = (
            OrderedDict()
        )
        self._size = 0

    def get(self, searcher: Searcher, fieldname: str, text: str):
        """(ids, weights, deleted ids) of a term over the whole searcher."""
        key = (fieldname, text)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        ids, weights, deleted = array("l"), array("f"), set()
        for leaf_ids, leaf_weights, leaf_deleted in _leaf_postings(
            searcher, fieldname, text, weights=True
        ):
            ids.extend(leaf_ids)
            weights.extend(leaf_weights)
            deleted.update(leaf_deleted)
        entry = (ids, weights, frozenset(deleted))
        if len(ids) <= self.max_postings:
            self._entries[key] = entry
            self._size += len(ids)
            while self._size > self.max_postings:
                _, (old_ids, _, _) = self._entries.popitem(last=False)
                self._size -= len(old_ids)
        return entry


def matching_docs(searcher: Searcher, query: Query, cache: PostingCache | None = None) -> set[int]:
    """Docnums (over the whole searcher) of undeleted documents matching ``query``."""
    if isinstance(query, Term):
        return term_docs(searcher, query.fieldname, query.text, cache)
    if isinstance(query, And) and query.subqueries:
        sets = sorted((matching_docs(searcher, q, cache) for q in query.subqueries), key=len)
        return reduce(set.intersection, sets[1:], sets[0]) if sets[0] else set()
    if isinstance(query, Or):
        return set().union(*(matching_docs(searcher, q, cache) for q in query.subqueries))
    return set(searcher.docs_for_query(query))


def term_docs(
    searcher: Searcher, fieldname: str, text: str, cache: PostingCache | None = None
) -> set[int]:
    """Docnums of undeleted documents containing one term."""
    if cache is not None:
        ids, _, deleted = cache.get(searcher, fieldname, text)
        out = set(ids)
        return out - deleted if deleted else out
    out: set[int] = set()
    for ids, _, deleted in _leaf_postings(searcher, fieldname, text, weights=False):
        out.update(ids)
        if deleted:
            out.difference_update(deleted)
    return out


def term_weights(
    searcher: Searcher, fieldname: str, text: str, cache: PostingCache | None = None
) -> dict[int, float]:
    """Docnum → weight (boost-weighted term frequency) for one term; deleted docs included."""
    if cache is not None:
        ids, weights, _ = cache.get(searcher, fieldname, text)
        return dict(zip(ids, weights, strict=True))
    out: dict[int, float] = {}
    for ids, weights, _ in _leaf_postings(searcher, fieldname, text, weights=True):
        out.update(zip(ids, weights, strict=True))
    return out


def _leaf_postings(searcher: Searcher, fieldname: str, text: str, weights: bool):
    """(global ids, weights or None, global deleted ids) per segment holding the term."""
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
        ids, ws = _decode(matcher, weights)
        if offset:
            ids = [offset + i for i in ids]
        yield ids, ws, deleted


def _decode(matcher, weights: bool) -> tuple[list[int], list[float] | None]:
    if not isinstance(matcher, W3LeafMatcher):  # short lists are inlined in the term info
        ids, ws = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            if weights:
                ws.append(matcher.weight())
            matcher.next()
        return ids, ws if weights else None
    ids: list[int] = []
    ws: list[float] | array | None = [] if weights else None
    while True:
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        ids.extend(block_ids if matcher._byteids else accumulate(block_ids))
        if weights:
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
