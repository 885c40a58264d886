"""From what a customer typed to match trees: parsing, clauses, synonyms, typos, stages.

User text is never engine syntax. It is read as words and "quoted phrases"
only; everything else (operators, wildcards, field prefixes, control
characters) is just text for the analyzer, which drops what isn't a word.
The result is backend-neutral: :mod:`search.match` trees of analyzed tokens,
and the typo stage asks its vocabulary questions through a
:class:`Vocabulary` the store binds to its backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Protocol

from search.analysis import word_groups
from search.match import Node, Or, Phrase, Term, all_of, any_of

MAX_QUERY_CHARS = 256
"""Longer input is cut: nobody types more, and it bounds the work per query."""

MAX_CLAUSES = 12
"""At most this many words/phrases take part; the rest are ignored."""

MAX_PAGE = 100
MAX_PER_PAGE = 50
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "＂": '"', "«": '"', "»": '"'})


@dataclass
class SearchQuery:
    """One search request. ``page`` and ``per_page`` are clamped to sane ranges."""

    text: str
    locale: str
    kind: str | None = None
    category: str | None = None
    page: int = 1
    per_page: int = 10
    synonyms: Mapping[str, list[str]] | None = None

    def __post_init__(self) -> None:
        self.text = self.text or ""
        self.page = min(max(_as_int(self.page, 1), 1), MAX_PAGE)
        self.per_page = min(max(_as_int(self.per_page, 10), 1), MAX_PER_PAGE)
        self.kind = self.kind or None
        self.category = self.category or None

    def cache_key(self) -> tuple:
        """A hashable identity of everything that changes the results."""
        return (
            self.text,
            self.locale,
            self.kind,
            self.category,
            self.page,
            self.per_page,
            synonym_key(self.synonyms),
        )


def _as_int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class Segment:
    """A run of plain words, or the inside of a "quoted phrase"."""

    text: str
    phrase: bool = False


def clean_user_text(text: str) -> str:
    """Text cut to MAX_QUERY_CHARS with control and other unprintable characters as spaces."""
    text = (text or "")[:MAX_QUERY_CHARS]
    return "".join(c if c.isprintable() else " " for c in text).translate(_QUOTES)


def parse_user_text(text: str) -> list[Segment]:
    """Words and "quoted phrases"; an unbalanced quote is just a space."""
    text = clean_user_text(text)
    parts = text.split('"')
    if len(parts) % 2 == 0:  # odd number of quotes: the last one opens nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    segments = []
    for i, part in enumerate(parts):
        if part.strip():
            segments.append(Segment(part.strip(), phrase=i % 2 == 1))
    return segments


def _tokens(analyzer, text: str) -> list[str]:
    """The words of a text, each once, in order (compound parts left out)."""
    return [word for word, _ in word_groups(analyzer, text)]


def synonym_key(synonyms: Mapping[str, list[str]] | None) -> tuple:
    if not synonyms:
        return ()
    return tuple(sorted((str(k), tuple(str(v) for v in vs)) for k, vs in synonyms.items()))


_SYNONYM_CACHE_SIZE = 32
# Values keep the analyzer alive, so an id() in a key is never reused while cached.
_synonym_cache: dict[tuple[int, tuple], tuple[object, dict]] = {}


def compiled_synonyms(analyzer, key: tuple) -> dict:
    """Synonyms as analyzed token tuples, symmetric: each entry is one equivalence set."""
    cache_key = (id(analyzer), key)
    cached = _synonym_cache.get(cache_key)
    if cached is not None and cached[0] is analyzer:
        return cached[1]
    groups = {}
    for head, alternatives in key:
        members = {tuple(_tokens(analyzer, text)) for text in (head, *alternatives)}
        members.discard(())
        for member in members:
            groups.setdefault(member, set()).update(members - {member})
    if len(_synonym_cache) >= _SYNONYM_CACHE_SIZE:
        _synonym_cache.clear()
    _synonym_cache[cache_key] = (analyzer, groups)
    return groups


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
    less than ``node``: a compound's parts each on their own. ``word`` is the
    token of a one-word clause as the index stores it first at its position,
    and ``segment`` the part of the query it came from: side by side in one
    segment, two clauses' words make a pair for proximity (:func:`adjacent_pairs`).
    """

    node: Node
    fuzzy_token: str | None = None
    terms: frozenset[str] = field(default_factory=frozenset)
    loose: Node | None = None
    word: str | None = None
    segment: int = 0


def build_clauses(
    segments: list[Segment], analyzer, synonyms: Mapping[str, list[str]] | None = None
) -> list[Clause]:
    """The clauses of a query, in order, with synonyms folded in."""
    synonym_map = compiled_synonyms(analyzer, synonym_key(synonyms)) if synonyms else {}
    longest = max((len(k) for k in synonym_map), default=1)
    clauses: list[Clause] = []
    for number, segment in enumerate(segments):
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
                clause = _word_clause(tokens[i], parts_of[tokens[i]], synonym_map)
                clauses.append(replace(clause, word=tokens[i], segment=number))
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
    return replace(
        clause,
        node=Or((clause.node, *terms)),
        fuzzy_token=None,
        terms=clause.terms | frozenset(candidates),
    )


@dataclass(frozen=True)
class Stage:
    """One attempt: the match tree, the terms to highlight, and whether it's a fallback.

    ``any_word`` marks the last, loosest stage (any word of the query);
    ``near``, on that stage only, is the query's adjacent word pairs
    (:func:`adjacent_pairs`), which rank the rows that hold them side by side
    higher: among texts that each have some of the words (a long question),
    word order is evidence; when every word matches, the words alone rank and
    the title's phrase evidence (:mod:`search.proximity`) decides.
    """

    node: Node
    terms: frozenset[str]
    fallback: bool
    any_word: bool = False
    near: Node | None = None


def adjacent_pairs(clauses: list[Clause]) -> Node | None:
    """The two-word phrases of words typed side by side (stop words between them are gone),
    ORed; None for fewer than two such words.

    BM25 scores words one by one; a text that says "reset your password"
    answers "password reset" better than one using the words paragraphs apart.
    """
    pairs: dict[Phrase, None] = {}
    for before, after in pairwise(clauses):
        same_segment = before.segment == after.segment
        if before.word and after.word and same_segment and before.word != after.word:
            pairs[Phrase((before.word, after.word))] = None
    return any_of(list(pairs)) if pairs else None


def stages(clauses: list[Clause], vocabulary: Vocabulary | None) -> Iterator[Stage]:
    """AND of exact clauses; then AND with typo tolerance; then OR of everything.

    The OR stage exists when it asks for less than the AND: several clauses,
    or a compound whose parts may then match on their own. Without a
    vocabulary there is no typo stage.
    """
    if not clauses:
        return
    near = adjacent_pairs(clauses)
    exact_terms = frozenset().union(*(c.terms for c in clauses))
    yield Stage(all_of([c.node for c in clauses]), exact_terms, False)
    fuzzed = clauses if vocabulary is None else [fuzzy_clause(c, vocabulary) for c in clauses]
    fuzzed_terms = frozenset().union(*(c.terms for c in fuzzed))
    if fuzzed_terms != exact_terms:
        yield Stage(all_of([c.node for c in fuzzed]), fuzzed_terms, True)
    if len(clauses) > 1 or any(c.loose is not None for c in fuzzed):
        loose = [c.loose if c.loose is not None else c.node for c in fuzzed]
        yield Stage(any_of(loose), fuzzed_terms, True, any_word=True, near=near)
