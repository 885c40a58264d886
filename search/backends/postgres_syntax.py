"""PostgreSQL ``tsvector`` and ``tsquery`` literals built from analyzed tokens, never parsed text.

Both are written in the types' own input syntax, with every token quoted
whole (``'…'``, a quote doubled, a backslash escaped), so a token is stored
and matched exactly as the analyzer emitted it: ``outlook.com``,
``two-factor``, ``don't``, Japanese and Arabic words stay one lexeme, and
``&``, ``|``, ``!``, ``<->``, ``:`` or ``*`` in a token are just characters.
No text-search configuration ever sees them (``to_tsvector('simple', …)``
would split ``outlook.com``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from search.match import And, Node, Or, Phrase, Prefix, Term

FIELD_LETTERS = {"title": "A", "tags": "B", "summary": "C", "body": "D"}
"""``setweight`` letter per field; ranking weights are given per letter (see postgres.py)."""

MAX_POSITION = 16383
"""PostgreSQL's largest tsvector position; later ones are stored as this."""

MAX_LEXEME_BYTES = 2047
"""PostgreSQL refuses longer lexemes; such a token (a pasted blob) is not indexed."""

_SURELY_SHORT = MAX_LEXEME_BYTES // 4

FIELD_GAP = 10
"""Positions left empty between fields, so a phrase never spans two of them."""


def quote(token: str) -> str:
    """A token as one quoted lexeme in tsvector/tsquery input syntax."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def indexable(token: str) -> bool:
    """Whether PostgreSQL can store the token as a lexeme (non-empty, short enough)."""
    # a character is at most 4 UTF-8 bytes: a short token needs no encoding to know
    return bool(token) and (
        len(token) <= _SURELY_SHORT or len(token.encode("utf-8")) <= MAX_LEXEME_BYTES
    )


def tsvector_literal(fields: Mapping[str, Sequence[str]]) -> str:
    """The weighted, positioned tsvector of a row's field tokens (title A … body D).

    Positions follow list order within a field, fields one after another with
    FIELD_GAP between them; each occurrence carries its field's weight letter.
    """
    occurrences: dict[str, list[str]] = {}
    position = 1
    for field, letter in FIELD_LETTERS.items():
        tokens = fields.get(field) or ()
        for at, token in enumerate(tokens, position):
            if indexable(token):
                found = occurrences.get(token)
                if found is None:
                    found = occurrences[token] = []
                found.append(f"{at if at < MAX_POSITION else MAX_POSITION}{letter}")
        position += len(tokens) + FIELD_GAP
    return " ".join([f"{quote(token)}:{','.join(at)}" for token, at in occurrences.items()])


def words_of(tokens: Iterable[str]) -> list[str]:
    """Distinct indexable tokens, sorted (for ``array_to_tsvector`` and the vocabulary)."""
    return sorted({t for t in tokens if indexable(t)})


def tsquery_literal(node: Node) -> str:
    """The tsquery matching what ``node`` matches; an empty string if it can match nothing."""
    if isinstance(node, Term):
        return quote(node.token) if indexable(node.token) else ""
    if isinstance(node, Prefix):
        return f"{quote(node.token)}:*" if indexable(node.token) else ""
    if isinstance(node, Phrase):
        if not node.tokens or not all(indexable(t) for t in node.tokens):
            return ""
        return "(" + " <-> ".join(quote(t) for t in node.tokens) + ")"
    parts = [tsquery_literal(child) for child in node.children]
    if isinstance(node, And):
        return "" if not all(parts) or not parts else "(" + " & ".join(parts) + ")"
    assert isinstance(node, Or)
    parts = [p for p in parts if p]
    return "(" + " | ".join(parts) + ")" if parts else ""


def title_pairs_query(pairs: Sequence[Sequence[tuple[str, str]]]) -> str:
    """The tsquery a row whose title holds both tokens of an alternative of every pair matches
    (``'a':A & 'b':A``, weight A being the title's); an empty string if no pair can be asked.

    A pair with a token PostgreSQL cannot store is left out (the title may hold it unseen),
    so the query stays a necessary condition: a row that fails it holds no such title.
    """
    asked = []
    for alternatives in pairs:
        if not alternatives or not all(indexable(t) for pair in alternatives for t in pair):
            continue
        either = [" & ".join(f"{quote(t)}:A" for t in pair) for pair in alternatives]
        asked.append("(" + " | ".join(f"({one})" for one in either) + ")")
    return " & ".join(asked)


def ranking_terms(node: Node) -> dict[str, tuple[str, float]]:
    """One-lexeme tsquery → (token, boost) for every token of the tree, for per-term scoring.

    A row's score sums each token's BM25 term (postgres.py): every token of the
    tree counts (phrase words too), a typo candidate (boost 0.5) at its lower
    weight, a token that occurs twice with its highest boost.
    """
    boosts: dict[str, tuple[str, float]] = {}
    _collect_boosts(node, boosts)
    return dict(sorted(boosts.items()))


def _collect_boosts(node: Node, boosts: dict[str, tuple[str, float]]) -> None:
    """Each term's literal with its highest boost in the tree."""
    if isinstance(node, Term | Prefix | Phrase):
        weighted = [(t, node.boost if isinstance(node, Term) else 1.0) for t in _tokens(node)]
        for token, boost in weighted:
            if indexable(token):
                literal = quote(token) + (":*" if isinstance(node, Prefix) else "")
                known = boosts.get(literal, ("", 0.0))[1]
                boosts[literal] = (token, max(known, boost))
    else:
        for child in node.children:
            _collect_boosts(child, boosts)


def _tokens(node: Term | Prefix | Phrase) -> tuple[str, ...]:
    return node.tokens if isinstance(node, Phrase) else (node.token,)
