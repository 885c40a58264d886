"""From parsed user text to match trees: clauses (words, phrases, compounds, synonyms) and stages.

Everything here is backend-neutral: a clause is a :mod:`search.match` tree of
analyzed tokens, and the vocabulary questions the typo stage asks go
through a :class:`Vocabulary` the store binds to its backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from search.analysis import word_groups
from search.match import Node, Or, Phrase, Term, all_of, any_of
from search.query import MAX_CLAUSES, Segment, compiled_synonyms, synonym_key

FUZZY_BOOST = 0.5
"""A typo-corrected term counts half as much as an exact one (where the backend can weight)."""

MAX_FUZZY_CHARS = 30
"""Longer words are never typo-corrected: none is that long."""

FUZZY_EXPANSIONS = 8
"""At most this many index terms (the most frequent) stand in for one misspelled word."""

_LATIN_TOKEN = re.compile(r"[a-z][a-z0-9'.]*\Z")


class Vocabulary(Protocol):
    """One locale's indexed tokens, as the typo stage needs them."""

    def doc_frequency(self, token: str) -> int: ...

    def terms_within(self, word: str, max_distance: int) -> dict[str, int]: ...


@dataclass
class Clause:
    """One required unit of the query: a word, a phrase, or a word with its synonyms.

    ``loose`` is what the clause asks for in the any-word stage when that is
    less than ``node``: a compound's parts each on their own.
    """

    node: Node
    fuzzy_token: str | None = None
    terms: frozenset[str] = field(default_factory=frozenset)
    loose: Node | None = None


def build_clauses(
    segments: list[Segment], analyzer, synonyms: Mapping[str, list[str]] | None = None
) -> list[Clause]:
    """The clauses of a query, in order, with synonyms folded in."""
    synonym_map = compiled_synonyms(analyzer, synonym_key(synonyms)) if synonyms else {}
    longest = max((len(k) for k in synonym_map), default=1)
    clauses: list[Clause] = []
    for segment in segments:
        groups = word_groups(analyzer, segment.text)
        tokens = [word for word, _ in groups]
        if not tokens:
            continue
        if segment.phrase and len(tokens) > 1:
            clauses.append(Clause(Phrase(tuple(tokens)), terms=frozenset(tokens)))
            continue
        parts_of = dict(groups)
        i = 0
        while i < len(tokens):
            span, alternatives = _synonyms_at(tokens, i, synonym_map, longest)
            if alternatives:
                options = [span, *sorted(alternatives)]
                clauses.append(
                    Clause(
                        Or(tuple(_sequence(o) for o in options)),
                        terms=frozenset(t for o in options for t in o),
                    )
                )
            else:
                clauses.append(_word_clause(tokens[i], parts_of[tokens[i]], synonym_map))
            i += len(span)
    return clauses[:MAX_CLAUSES]


def _word_clause(word: str, parts: tuple[str, ...], synonym_map: Mapping | None = None) -> Clause:
    """One word; a compound matches itself or all of its parts (each part with its synonyms).

    スマホアプリ matches a text with スマホアプリ, or with both スマホ (or its
    synonym スマートフォン) and アプリ; in the any-word stage, any of them.
    """
    if parts:
        part_nodes, terms = [], {word, *parts}
        for part in parts:
            alternatives = sorted((synonym_map or {}).get((part,), ()))
            terms.update(t for alternative in alternatives for t in alternative)
            part_nodes.append(any_of([Term(part), *(_sequence(a) for a in alternatives)]))
        node = Or((Term(word), all_of(part_nodes)))
        loose = Or((Term(word), *part_nodes))
        return Clause(node, None, frozenset(terms), loose)
    fuzzy = word if _LATIN_TOKEN.match(word) else None
    return Clause(Term(word), fuzzy, frozenset([word]))


def _sequence(tokens: tuple[str, ...] | list[str]) -> Node:
    if len(tokens) == 1:
        return Term(tokens[0])
    return Phrase(tuple(tokens))


def _synonyms_at(tokens, i, synonym_map, longest):
    """The longest synonym entry starting at ``tokens[i]`` and its alternatives."""
    for size in range(min(longest, len(tokens) - i), 0, -1):
        span = tuple(tokens[i : i + size])
        alternatives = synonym_map.get(span)
        if alternatives:
            return span, alternatives
    return (tokens[i],), None


def fuzzy_distance(token: str) -> int:
    """Edits allowed for a Latin word, as Elasticsearch's AUTO: 0 / 1 (3–5) / 2 (6–30)."""
    if len(token) < 3 or len(token) > MAX_FUZZY_CHARS:
        return 0
    return 1 if len(token) < 6 else 2


def fuzzy_clause(clause: Clause, vocabulary: Vocabulary) -> Clause:
    """The clause OR'd with index terms within a few edits (prefix 1), the most frequent first.

    Only words the index doesn't contain are expanded: a known word that
    simply isn't in the matching documents is no typo.
    """
    token = clause.fuzzy_token
    if token is None:
        return clause
    distance = fuzzy_distance(token)
    if not distance or vocabulary.doc_frequency(token):
        return clause
    found = vocabulary.terms_within(token, distance)
    candidates = sorted((t for t in found if t != token), key=lambda t: (-found[t], t))
    candidates = candidates[:FUZZY_EXPANSIONS]
    if not candidates:
        return clause
    terms = [Term(t, FUZZY_BOOST) for t in candidates]
    return Clause(Or((clause.node, *terms)), None, clause.terms | frozenset(candidates))


@dataclass(frozen=True)
class Stage:
    """One attempt: the match tree, the terms to highlight, and whether it's a fallback.

    ``any_word`` marks the last, loosest stage (any word of the query).
    """

    node: Node
    terms: frozenset[str]
    fallback: bool
    any_word: bool = False


def stages(clauses: list[Clause], vocabulary: Vocabulary | None) -> Iterator[Stage]:
    """AND of exact clauses; then AND with typo tolerance; then OR of everything.

    The OR stage exists when it asks for less than the AND: several clauses,
    or a compound whose parts may then match on their own. Without a
    vocabulary there is no typo stage.
    """
    if not clauses:
        return
    exact_terms = frozenset().union(*(c.terms for c in clauses))
    yield Stage(all_of([c.node for c in clauses]), exact_terms, False)
    fuzzed = clauses if vocabulary is None else [fuzzy_clause(c, vocabulary) for c in clauses]
    fuzzed_terms = frozenset().union(*(c.terms for c in fuzzed))
    if fuzzed_terms != exact_terms:
        yield Stage(all_of([c.node for c in fuzzed]), fuzzed_terms, True)
    if len(clauses) > 1 or any(c.loose is not None for c in fuzzed):
        loose = [c.loose if c.loose is not None else c.node for c in fuzzed]
        yield Stage(any_of(loose), fuzzed_terms, True, any_word=True)
