"""From what a customer typed to Whoosh queries: parsing, synonyms, fuzziness, stages.

User text is never Whoosh query syntax. It is read as words and "quoted
phrases" only; everything else (operators, wildcards, field prefixes, control
characters) is just text for the analyzer, which drops what isn't a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from whoosh.query import And, FuzzyTerm, Or, Phrase, Query, Term

from search.analysis import word_groups

MAX_QUERY_CHARS = 256
"""Longer input is cut: nobody types more, and it bounds the work per query."""

MAX_CLAUSES = 12
"""At most this many words/phrases take part; the rest are ignored."""

MAX_PAGE = 100
MAX_PER_PAGE = 50
FUZZY_BOOST = 0.5
"""A typo-corrected term counts half as much as an exact one."""

MAX_FUZZY_CHARS = 30
"""Longer words are never typo-corrected: none is that long, and the automaton grows with length."""

FUZZY_EXPANSIONS = 8
"""At most this many index terms (the most frequent) stand in for one misspelled word."""

CONTENT = "content"
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "＂": '"', "«": '"', "»": '"'})
_LATIN_TOKEN = re.compile(r"[a-z][a-z0-9'.]*\Z")


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


@dataclass
class Clause:
    """One required unit of the query: a word, a phrase, or a word with its synonyms.

    ``loose`` is what the clause asks for in the any-word stage when that is
    less than ``query``: a compound's parts each on their own.
    """

    query: Query
    fuzzy_token: str | None = None
    terms: frozenset[str] = field(default_factory=frozenset)
    loose: Query | None = None


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
            clauses.append(Clause(_sequence(tokens), terms=frozenset(tokens)))
            continue
        parts_of = dict(groups)
        i = 0
        while i < len(tokens):
            span, alternatives = _synonyms_at(tokens, i, synonym_map, longest)
            if alternatives:
                options = [span, *sorted(alternatives)]
                clauses.append(
                    Clause(
                        Or([_sequence(o) for o in options]),
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
        part_queries, terms = [], {word, *parts}
        for part in parts:
            alternatives = sorted((synonym_map or {}).get((part,), ()))
            terms.update(t for alternative in alternatives for t in alternative)
            options = [Term(CONTENT, part), *(_sequence(a) for a in alternatives)]
            part_queries.append(options[0] if len(options) == 1 else Or(options))
        query = Or([Term(CONTENT, word), And(part_queries)])
        loose = Or([Term(CONTENT, word), *part_queries])
        return Clause(query, None, frozenset(terms), loose)
    fuzzy = word if _LATIN_TOKEN.match(word) else None
    return Clause(Term(CONTENT, word), fuzzy, frozenset([word]))


def _tokens(analyzer, text: str) -> list[str]:
    """The words of a text, each once, in order (compound parts left out)."""
    return [word for word, _ in word_groups(analyzer, text)]


def _sequence(tokens: tuple[str, ...] | list[str]) -> Query:
    if len(tokens) == 1:
        return Term(CONTENT, tokens[0])
    return Phrase(CONTENT, list(tokens))


def _synonyms_at(tokens, i, synonym_map, longest):
    """The longest synonym entry starting at ``tokens[i]`` and its alternatives."""
    for size in range(min(longest, len(tokens) - i), 0, -1):
        span = tuple(tokens[i : i + size])
        alternatives = synonym_map.get(span)
        if alternatives:
            return span, alternatives
    return (tokens[i],), None


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


def fuzzy_distance(token: str) -> int:
    """Edits allowed for a Latin word, as Elasticsearch's AUTO: 0 / 1 (3–5) / 2 (6–30)."""
    if len(token) < 3 or len(token) > MAX_FUZZY_CHARS:
        return 0
    return 1 if len(token) < 6 else 2


def _whoosh_terms_within(reader, fieldname: str, word: str, maxdist: int, prefix: int):
    return FuzzyTerm(fieldname, word, maxdist=maxdist, prefixlength=prefix)._btexts(reader)


def fuzzy_clause(clause: Clause, reader, terms_within=None) -> Clause:
    """The clause OR'd with index terms within a few edits (as Whoosh's FuzzyTerm, prefix 1).

    Only words the index doesn't contain are expanded: a known word that
    simply isn't in the matching documents is no typo. ``terms_within(field,
    word, maxdist, prefix)`` finds the candidates (default: Whoosh's own,
    which reads the on-disk term table; see ``SearcherState.terms_within``).
    """
    token = clause.fuzzy_token
    if token is None or reader.doc_frequency(CONTENT, token):
        return clause
    distance = fuzzy_distance(token)
    if not distance:
        return clause
    if terms_within is None:
        found = _whoosh_terms_within(reader, CONTENT, token, distance, 1)
    else:
        found = terms_within(CONTENT, token, distance, 1)
    candidates = sorted(
        (t for t in found if t != token),
        key=lambda t: (-reader.doc_frequency(CONTENT, t), t),
    )[:FUZZY_EXPANSIONS]
    if not candidates:
        return clause
    terms = [Term(CONTENT, t, boost=FUZZY_BOOST) for t in candidates]
    return Clause(Or([clause.query, *terms]), None, clause.terms | frozenset(candidates))


@dataclass(frozen=True)
class Stage:
    """One attempt: the Whoosh query, the terms to highlight, and whether it's a fallback.

    ``any_word`` marks the last, loosest stage (any word of the query).
    """

    query: Query
    terms: frozenset[str]
    fallback: bool
    any_word: bool = False


def stages(clauses: list[Clause], reader, terms_within=None) -> Iterator[Stage]:
    """AND of exact clauses; then AND with typo tolerance; then OR of everything.

    The OR stage exists when it asks for less than the AND: several clauses,
    or a compound whose parts may then match on their own.
    """
    if not clauses:
        return
    exact_terms = frozenset().union(*(c.terms for c in clauses))
    yield Stage(_all(clauses), exact_terms, False)
    fuzzed = [fuzzy_clause(c, reader, terms_within) for c in clauses]
    fuzzed_terms = frozenset().union(*(c.terms for c in fuzzed))
    if fuzzed_terms != exact_terms:
        yield Stage(_all(fuzzed), fuzzed_terms, True)
    if len(clauses) > 1 or any(c.loose is not None for c in fuzzed):
        loose = [c.loose if c.loose is not None else c.query for c in fuzzed]
        query = loose[0] if len(loose) == 1 else Or(loose)
        yield Stage(query, fuzzed_terms, True, any_word=True)


def _all(clauses: list[Clause]) -> Query:
    if len(clauses) == 1:
        return clauses[0].query
    return And([c.query for c in clauses])


def filter_query(kind: str | None, category: str | None) -> Query | None:
    """The kind/category restriction, or None."""
    terms = []
    if kind:
        terms.append(Term("kind", kind))
    if category:
        terms.append(Term("category", category))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(terms)
