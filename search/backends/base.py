"""The search backend interface: what SQLite FTS5 and PostgreSQL full-text each implement.

A backend stores analyzed tokens beside the shared ``search_documents`` table
(:mod:`search.backends.tables`) and answers matching, ranking, vocabulary and
suggestion questions about them. It never analyzes text (``search.indexing``
does, in Python, the same for both backends) and never sees user text (only
:mod:`search.match` trees of tokens). Every method takes a SQLAlchemy
``Connection``: writes run in the caller's transaction (the writer's own,
through ``session.connection()``), so index rows commit or roll back with
the data they index. See search/backends/README.md for the contract.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection

from search.backends.tables import search_documents
from search.match import Node

FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "tags": 2.0, "summary": 1.5, "body": 1.0}
"""Ranking weight of a match in each field; the fields every backend indexes, in this order."""

FIELDS: tuple[str, ...] = tuple(FIELD_WEIGHTS)

PROXIMITY_WEIGHT = 0.5
"""How much the query's adjacent word pairs, found side by side in a row, add to its score:
this times their own score (:meth:`SearchBackend.ranked_near`)."""

PairWords = Sequence[Sequence[tuple[str, str]]]
"""Per adjacent word pair of a query, its alternatives as (first word's token, second's)."""

VOCABULARIES = ("content", "spell")
"""``content``: the analyzed (stemmed) tokens of all fields, for typo candidates.
``spell``: unstemmed words of curated text, for did-you-mean."""


@dataclass(frozen=True)
class IndexRow:
    """One row to store: the ``search_documents`` columns plus the analyzed tokens.

    ``group_id`` is the result the row belongs to: the row's own ``doc_id``
    for an article or topic, the topic's for a forum reply (``post:N`` rows),
    so a reply is indexed on its own and found as its topic.
    """

    doc_id: str
    group_id: str
    locale: str
    type: str
    kind: str
    category: str
    title: str
    summary: str
    body: str
    url: str
    solved: bool
    popularity: int
    updated: datetime | None
    prior: float
    analyzer_version: int
    tokens: dict[str, list[str]] = field(default_factory=dict)
    """field (FIELDS) → analyzed tokens in order; a Japanese compound's sub-words follow
    the field's words, so a phrase of words stays adjacent."""
    title_words: list[str] = field(default_factory=list)
    """Unstemmed title words, for suggest (empty for a reply)."""
    spell_words: list[str] = field(default_factory=list)
    """Unstemmed words of title, summary, tags and (articles only) body: did-you-mean's words."""


@dataclass(frozen=True)
class RankedGroup:
    """A result: its group, its score (higher is better) and the row that scored it."""

    group_id: str
    score: float
    doc_id: str


class SearchBackend(ABC):
    """Token storage, matching and ranking inside the application's database."""

    dialect: str = ""

    @abstractmethod
    def create_schema(self, conn: Connection, locales: Sequence[str]) -> None:
        """Create this backend's tables/indexes if missing (idempotent; tests and reindex)."""

    @abstractmethod
    def write_tokens(self, conn: Connection, rows: Sequence[tuple[int, IndexRow]]) -> None:
        """Store the tokens of rows whose ``search_documents`` row (id given) was just written.

        Any tokens stored before under the same id are replaced.
        """

    @abstractmethod
    def delete_tokens(self, conn: Connection, rows: Iterable[tuple[int, str]]) -> None:
        """Forget the tokens of (id, locale) rows, before their ``search_documents`` rows go."""

    @abstractmethod
    def match_counts(self, conn: Connection, locale: str, node: Node) -> dict[tuple[str, str], int]:
        """Distinct matching groups per (kind, category), no filter applied.

        Facets, totals and filtered totals are all sums over this: one pass over the matches.
        """

    def matches_more_than(self, conn: Connection, locale: str, node: Node, n: int) -> bool:
        """Whether more than ``n`` groups match ``node``; a backend may stop at the n+1st."""
        return sum(self.match_counts(conn, locale, node).values()) > n

    @abstractmethod
    def ranked(
        self,
        conn: Connection,
        locale: str,
        node: Node,
        *,
        kind: str | None,
        category: str | None,
        exclude: frozenset[str],
        limit: int,
        offset: int = 0,
        matched: int | None = None,
    ) -> list[RankedGroup]:
        """The best groups matching ``node`` (and the filters), a group's score being its best
        row's; ties to the smaller group_id; groups in ``exclude`` left out. ``matched``: how
        many groups match, when the caller has counted them (a backend may then skip work)."""

    def ranked_near(
        self,
        conn: Connection,
        locale: str,
        node: Node,
        near: Node,
        *,
        kind: str | None,
        category: str | None,
        exclude: frozenset[str],
        limit: int,
        offset: int = 0,
        matched: int | None = None,
    ) -> list[RankedGroup]:
        """:meth:`ranked`, with rows that also match ``near`` (an Or of the query's adjacent word
        pairs as phrases) scoring more: PROXIMITY_WEIGHT times that match's own score.

        A backend that cannot add it ranks by ``node`` alone (this default).
        """
        return self.ranked(
            conn,
            locale,
            node,
            kind=kind,
            category=category,
            exclude=exclude,
            limit=limit,
            offset=offset,
            matched=matched,
        )

    def pair_titles(
        self, conn: Connection, group_ids: Sequence[str], pairs: PairWords, analyzer_version: int
    ) -> dict[str, str]:
        """group_id → title for the groups whose title may hold every entry of ``pairs`` (each
        entry: its (first, second) token alternatives, one of which the title must hold both
        tokens of). A group left out cannot: its row's title tokens, written by
        ``analyzer_version``, lack them. Title phrase evidence analyzes only these titles.

        A backend that cannot tell gives every group's title (this default).
        """
        c = search_documents.c
        wanted = sorted(set(group_ids))
        return dict(conn.execute(sa.select(c.doc_id, c.title).where(c.doc_id.in_(wanted))).all())

    @abstractmethod
    def doc_frequencies(
        self, conn: Connection, locale: str, vocabulary: str, tokens: Iterable[str]
    ) -> dict[str, int]:
        """How many rows hold each token (absent tokens: 0 or missing) in a VOCABULARIES entry."""

    def known(
        self, conn: Connection, locale: str, vocabulary: str, tokens: Iterable[str]
    ) -> set[str]:
        """The tokens at least one row holds in a VOCABULARIES entry: a yes or no per token
        (did-you-mean's "is this word known?"), which a backend may answer without counting."""
        found = self.doc_frequencies(conn, locale, vocabulary, tokens)
        return {token for token, rows in found.items() if rows}

    @abstractmethod
    def words(self, conn: Connection, locale: str, vocabulary: str) -> dict[str, int]:
        """Every word of a VOCABULARIES entry with its row count (did-you-mean by spelling key:
        Japanese kana and Arabic words, whose typos share no first letter or length)."""

    @abstractmethod
    def typo_candidates(
        self, conn: Connection, locale: str, vocabulary: str, word: str, max_distance: int
    ) -> dict[str, int]:
        """Vocabulary words within ``max_distance`` Levenshtein edits of ``word`` sharing its
        first character (``word`` itself excluded), each with its row count."""

    def nearest_words(
        self, conn: Connection, locale: str, vocabulary: str, word: str, max_distance: int
    ) -> dict[str, int]:
        """The :meth:`typo_candidates` at the fewest edits any of them is from ``word``, each
        with its row count (did-you-mean picks the most frequent of them); a backend may
        count only those."""
        found = self.typo_candidates(conn, locale, vocabulary, word, max_distance)
        if not found:
            return {}
        nearest = min(Levenshtein.distance(word, w) for w in found)
        return {w: n for w, n in found.items() if Levenshtein.distance(word, w) == nearest}

    @abstractmethod
    def suggest(
        self, conn: Connection, locale: str, prefixes: Sequence[str], limit: int
    ) -> list[str]:
        """doc_ids of articles/topics whose title words start with every prefix, best ``prior``
        first (ties to the smaller doc_id)."""
