"""Phrase evidence in ranking: results whose title holds the query's words side by side first.

BM25 scores words one by one, so a query that is (almost) an article's whole
title can rank that article below a longer text that uses the words often but
apart. Among the best PROXIMITY_WINDOW results of a stage, those whose title
has every adjacent pair of query words adjacent too (after stop words,
stemming, kana keys and clitics: :func:`search.analysis.word_bigrams`) move
ahead, each side keeping its order. A one-word query has no pairs and
changes nothing. The titles are analyzed in Python (memoized): the same on
every backend, and no schema of its own; a backend may first leave out the
titles whose stored tokens lack a pair's words (:meth:`SearchBackend.pair_titles`),
which cannot hold it, so those are never analyzed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from search.analysis import BIGRAM_JOINER, word_bigrams
from search.backends.base import RankedGroup

PROXIMITY_WINDOW = 20
"""How many of a stage's best results may be reordered by title phrase evidence."""


def query_pairs(text: str, locale: str) -> list[frozenset[str]]:
    """The query's adjacent word pairs, each as the pair tokens any of which meets it."""
    return [frozenset(pair) for pair in word_bigrams(text, locale, mode="query")]


def pair_words(pairs: Sequence[frozenset[str]]) -> list[list[tuple[str, str]]]:
    """Per query pair, its alternatives as (first word's token, second word's token); a pair
    whose tokens do not split in two is left out (nothing is asked of it)."""
    split = [[tuple(token.split(BIGRAM_JOINER)) for token in sorted(pair)] for pair in pairs]
    return [alternatives for alternatives in split if all(len(p) == 2 for p in alternatives)]


@functools.lru_cache(maxsize=20_000)
def _title_pairs(title: str, locale: str) -> frozenset[str]:
    return frozenset(token for pair in word_bigrams(title, locale) for token in pair)


def title_holds(title: str, locale: str, pairs: Sequence[frozenset[str]]) -> bool:
    """Whether every query pair is a pair of adjacent words in the title."""
    found = _title_pairs(title, locale)
    return all(not pair.isdisjoint(found) for pair in pairs)


def title_phrase_first(
    groups: Sequence[RankedGroup],
    titles: Mapping[str, str],
    locale: str,
    pairs: Sequence[frozenset[str]],
) -> list[RankedGroup]:
    """The groups with those whose title holds the query pairs first, within the window."""
    if not pairs:
        return list(groups)
    window, rest = list(groups[:PROXIMITY_WINDOW]), list(groups[PROXIMITY_WINDOW:])
    near = [g for g in window if title_holds(titles.get(g.group_id, ""), locale, pairs)]
    if not near or len(near) == len(window):
        return list(groups)
    held = {id(g) for g in near}
    return near + [g for g in window if id(g) not in held] + rest
