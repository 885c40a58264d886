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
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache, partial

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
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


@lru_cache(maxsize=256)
def _levenshtein_dfa(word: str, maxdist: int, prefix: int):
    """Whoosh's Levenshtein DFA for a word; building one costs about a millisecond."""
    return levenshtein_automaton(word, maxdist, prefix).to_dfa()


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
        self._numeric: dict[str, object] = {}  # NumPy forms of the arrays, by name
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

    def codes(self, fieldname: str) -> tuple[np.ndarray, list]:
        """A sortable field as (small-int code by docnum, the value of each code).

        Facet counts become one ``bincount`` over the matches' codes.
        """
        key = "codes:" + fieldname
        cached = self._numeric.get(key)
        if cached is None:
            values = self.column(fieldname)
            labels = sorted(set(values), key=lambda v: (v is None, str(v)))
            code_of = {label: i for i, label in enumerate(labels)}
            codes = np.fromiter(map(code_of.__getitem__, values), np.int32, count=len(values))
            cached = self._numeric[key] = (codes, labels)
        return cached

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's token count in a field (Whoosh's quantized length), by docnum."""

        def build(leaf) -> list[int]:
            return [
                leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all())
            ]

        key = "lengths:" + fieldname
        cached = self._numeric.get(key)
        if cached is None:
            cached = self._numeric[key] = np.array(self._array(key, build), dtype=np.float64)
        return cached

    def latin_terms(self, fieldname: str) -> list[str]:
        """The field's terms that start with a letter a-z, sorted (typo correction's vocabulary).

        Held in memory because Whoosh walks its Levenshtein automaton over the
        on-disk term table with a seek and a read per probe: thousands for one
        misspelled word, which made typo queries the slowest ones by far.
        """
        key = "latin_terms:" + fieldname
        merged = self._arrays.get(key)
        if merged is None:

            def build(leaf) -> list[str]:
                if fieldname not in leaf.schema:
                    return []
                field = leaf.schema[fieldname]
                return [
                    t for t in map(field.from_bytes, leaf.lexicon(fieldname)) if "a" <= t[:1] <= "z"
                ]

            parts = [
                self._segments.get(segment_id, key, partial(build, leaf))
                for leaf, segment_id in self._leaves
            ]
            merged = parts[0] if len(parts) == 1 else sorted(set().union(*parts))
            self._arrays[key] = merged
        return merged

    def terms_within(self, fieldname: str, word: str, maxdist: int, prefix: int = 1) -> list[str]:
        """Terms of ``fieldname`` within ``maxdist`` edits of ``word`` sharing ``prefix`` letters.

        The same set as Whoosh's ``terms_within`` (its Levenshtein automaton with a
        prefix): candidates sharing the prefix, measured with RapidFuzz's C++
        Levenshtein distance. Two strings sharing a prefix are as far apart as their
        rests, so this equals walking the automaton, which in Python cost tens of
        milliseconds for a long misspelled word. Sorted, as the automaton yields them.
        """
        if len(word) < prefix:
            return []  # no term shares more letters than the word has (Whoosh would raise)
        if prefix < 1:
            vocabulary = self.latin_terms(fieldname)
            dfa = _levenshtein_dfa(word, maxdist, prefix)

            def lookup(text: str) -> str | None:
                i = bisect_left(vocabulary, text)
                return vocabulary[i] if i < len(vocabulary) else None

            return list(find_all_matches(dfa, lookup))
        start = word[:prefix]
        candidates = self._by_first_letter(fieldname).get(word[0], ())
        if prefix > 1:
            candidates = [t for t in candidates if t.startswith(start)]
        found = process.extract(
            word, candidates, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None
        )
        return sorted(term for term, _distance, _index in found)

    def _by_first_letter(self, fieldname: str) -> dict[str, list[str]]:
        key = "by_first_letter:" + fieldname
        buckets = self._numeric.get(key)
        if buckets is None:
            buckets = {}
            for term in self.latin_terms(fieldname):
                buckets.setdefault(term[0], []).append(term)
            self._numeric[key] = buckets
        return buckets

    def suggestion_priors(self) -> np.ndarray:
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

        cached = self._numeric.get("priors")
        if cached is None:
            cached = self._numeric["priors"] = np.array(
                self._array("priors", build), dtype=np.float64
            )
        return cached
