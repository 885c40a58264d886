"""SearchStore: search inside the database — write rows, search, count, suggest, status.

The store owns the ``search_documents`` rows and everything that is the same
on every database (stages, top-up, disjunctive facets, snippets, suggestions;
did-you-mean's corrections are :mod:`search.spelling`'s); the backend
(:mod:`search.backends`) owns token storage, matching and ranking. Every method takes a SQLAlchemy
``Connection``: writes happen in the caller's transaction, reads see what
it has committed (or, inside a transaction, its own writes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from search.analysis import ANALYZER_VERSION
from search.backends.base import IndexRow, RankedGroup, SearchBackend
from search.backends.tables import search_documents as docs_table
from search.bulk import BulkAnalyzer
from search.documents import SearchDocument
from search.highlight import make_snippet
from search.indexing import index_row, locale_analyzers
from search.match import all_of, any_of, tokens_of
from search.proximity import PROXIMITY_WINDOW, pair_words, query_pairs, title_phrase_first
from search.query import (
    SearchQuery,
    Stage,
    build_clauses,
    clean_user_text,
    fuzzy_distance,
    parse_user_text,
    stages,
)
from search.results import EMPTY_FACETS, SearchHit, SearchResults, Suggestion
from search.spelling import DidYouMean

DEFAULT_LOCALES = ("en", "ja", "ar")

DID_YOU_MEAN_BELOW = 3
"""A spelling suggestion is offered when the query finds fewer results than this."""

TOP_UP_BELOW = 3
"""Fewer all-words matches than this get the any-word matches appended below them."""

RELATED_WORD_MAX_DOCS = 1_000
"""A word in more results than this is too common to find related results by on its own."""

RELATED_MAX_WORDS = 8
"""The rarest words of a text that find its related results beyond those with all its words."""

SUGGEST_MIN_ASCII_CHARS = 2
PREFIX_MAX_CHARS = 15
"""Typed words longer than this are cut (a longer title-word prefix narrows nothing)."""
MAX_SUGGEST_WORDS = 8

_ROW_COLUMNS = (
    "doc_id",
    "group_id",
    "locale",
    "type",
    "kind",
    "category",
    "title",
    "summary",
    "body",
    "url",
    "solved",
    "popularity",
    "updated",
    "prior",
    "analyzer_version",
)


class _BackendVocabulary:
    """One locale's content vocabulary through the backend, memoized for one search.

    The first frequency asked fetches those of ``expected`` too (the query's typo-tolerant
    words, which the typo stage asks about one by one): one lookup, not one per word.
    """

    def __init__(
        self, backend: SearchBackend, conn: Connection, locale: str, expected: Iterable[str] = ()
    ) -> None:
        self.backend, self.conn, self.locale = backend, conn, locale
        self._df: dict[str, int] = {}
        self._expected = list(expected)

    def doc_frequency(self, token: str) -> int:
        if token not in self._df:
            wanted = list(dict.fromkeys([token, *self._expected]))
            found = self.backend.doc_frequencies(self.conn, self.locale, "content", wanted)
            self._df.update((t, found.get(t, 0)) for t in wanted)
            self._expected = []
        return self._df[token]

    def terms_within(self, word: str, max_distance: int) -> dict[str, int]:
        return self.backend.typo_candidates(self.conn, self.locale, "content", word, max_distance)


@dataclass
class _Matched:
    """What a query matched, before ranking: one (stage, excluded groups) per tier."""

    chosen: Stage
    tiers: list[tuple[Stage, frozenset[str]]]
    total: int
    facets: dict[str, dict[str, int]]
    primary_total: int
    # the top-up's ranking of the first tier: every group it matched (fewer than TOP_UP_BELOW)
    first_ranked: list[RankedGroup] | None = None


class SearchStore:
    """Full-text search over articles, forum topics and their replies, in the database."""

    def __init__(self, backend: SearchBackend, locales: Iterable[str] = DEFAULT_LOCALES) -> None:
        self.backend = backend
        self.locales = tuple(locales)
        if not self.locales:
            raise ValueError("SearchStore needs at least one locale")
        self.did_you_mean = DidYouMean(backend)

    def create_schema(self, conn: Connection) -> None:
        """The shared table and the backend's token storage, if missing."""
        docs_table.create(conn, checkfirst=True)
        self.backend.create_schema(conn, self.locales)

    def resolve(self, locale: str | None) -> str:
        """The search locale serving ``locale`` ("en-US" → "en"); ValueError if none does."""
        if locale in self.locales:
            return locale
        language = (locale or "").replace("_", "-").split("-")[0].lower()
        if language in self.locales:
            return language
        raise ValueError(f"no search index for locale {locale!r}; have {', '.join(self.locales)}")

    # ---- writing (in the caller's transaction)

    def write(
        self,
        conn: Connection,
        docs: Iterable[SearchDocument],
        analyzer: BulkAnalyzer | None = None,
    ) -> int:
        """Index documents, replacing rows with the same doc_id; returns how many.

        With a :class:`BulkAnalyzer` (reindex, bulk builds) the analysis runs on its workers.
        """
        pairs = [(d, self.resolve(d.locale)) for d in docs]
        if analyzer is not None:
            return self.write_rows(conn, analyzer.rows(pairs))
        return self.write_rows(conn, [index_row(d, locale) for d, locale in pairs])

    def write_rows(self, conn: Connection, rows: Sequence[IndexRow]) -> int:
        """Store analyzed rows (see :func:`search.indexing.index_row`)."""
        if not rows:
            return 0
        rows = list({row.doc_id: row for row in rows}.values())
        existing = {
            doc_id: (row_id, locale)
            for doc_id, row_id, locale in conn.execute(
                sa.select(docs_table.c.doc_id, docs_table.c.id, docs_table.c.locale).where(
                    docs_table.c.doc_id.in_([r.doc_id for r in rows])
                )
            )
        }
        moved = [
            (existing[r.doc_id][0], existing[r.doc_id][1])
            for r in rows
            if r.doc_id in existing and existing[r.doc_id][1] != r.locale
        ]
        if moved:
            self.backend.delete_tokens(conn, moved)
        ids: dict[str, int] = {}
        new = []
        for row in rows:
            values = {name: getattr(row, name) for name in _ROW_COLUMNS}
            if row.doc_id in existing:
                row_id = ids[row.doc_id] = existing[row.doc_id][0]
                conn.execute(sa.update(docs_table).where(docs_table.c.id == row_id).values(values))
            else:
                new.append(values)
        if new:
            inserted = conn.execute(
                sa.insert(docs_table).returning(docs_table.c.id, docs_table.c.doc_id), new
            )
            ids.update((doc_id, row_id) for row_id, doc_id in inserted)
        self.backend.write_tokens(conn, [(ids[row.doc_id], row) for row in rows])
        return len(rows)

    def remove(self, conn: Connection, doc_ids: Iterable[str]) -> None:
        """Remove rows by doc_id; removing one that isn't there is fine."""
        self._remove_where(conn, docs_table.c.doc_id.in_(list(doc_ids)))

    def remove_groups(self, conn: Connection, group_ids: Iterable[str]) -> None:
        """Remove whole results: a topic's row and all its replies' rows."""
        self._remove_where(conn, docs_table.c.group_id.in_(list(group_ids)))

    def _remove_where(self, conn: Connection, condition) -> None:
        found = conn.execute(sa.select(docs_table.c.id, docs_table.c.locale).where(condition)).all()
        if not found:
            return
        self.backend.delete_tokens(conn, [(row_id, locale) for row_id, locale in found])
        conn.execute(sa.delete(docs_table).where(docs_table.c.id.in_([i for i, _ in found])))

    def update_group(self, conn: Connection, group_id: str, **values) -> None:
        """Change columns (kind, category, url, solved…) on every row of a result, no analysis."""
        conn.execute(
            sa.update(docs_table).where(docs_table.c.group_id == group_id).values(**values)
        )

    # ---- reading

    def search(self, conn: Connection, q: SearchQuery) -> SearchResults:
        """One page of results; never raises on what the user typed."""
        locale = self.resolve(q.locale)
        analyzer, plain = locale_analyzers(locale)
        clauses = build_clauses(parse_user_text(q.text), analyzer, q.synonyms)
        if not clauses:
            return SearchResults(0, [], _empty_facets(), None, q.page, q.per_page, False)
        m = self._match(conn, locale, clauses, q)
        hits = self._page_hits(conn, locale, analyzer, m, q) if m.total else []
        did_you_mean = None
        if m.primary_total < DID_YOU_MEAN_BELOW or m.chosen.fallback:
            candidate = self.did_you_mean.suggestion(conn, locale, plain, q.text)
            # Offer it only if it finds more with all its words than what was typed did.
            exact_total = 0 if m.chosen.fallback else m.primary_total
            if candidate and self._all_words_find_more(
                conn, locale, analyzer, candidate, exact_total
            ):
                did_you_mean = candidate
        return SearchResults(
            m.total,
            hits,
            m.facets,
            did_you_mean,
            q.page,
            q.per_page,
            m.chosen.fallback or len(m.tiers) > 1,
            0 if m.chosen.fallback else m.primary_total,
        )

    def related(
        self, conn: Connection, text: str, locale: str, limit: int, synonyms: dict | None = None
    ) -> list[SearchHit]:
        """The best results for a text (a title), for a "related" list: ranked rows only.

        No counts, facets, spelling or snippets. Results with all the words rank first; the
        rest of ``limit`` comes from any of the text's distinctive words (in at most
        RELATED_WORD_MAX_DOCS results; the RELATED_MAX_WORDS rarest), so ranking never reads
        the long lists of words most results have. ``snippet`` is empty.
        """
        locale = self.resolve(locale)
        analyzer, _ = locale_analyzers(locale)
        clauses = build_clauses(parse_user_text(text), analyzer, synonyms or {})
        if not clauses:
            return []
        loose = [c.loose if c.loose is not None else c.node for c in clauses]
        tokens = sorted({t for node in loose for t in tokens_of(node)})
        df = self.backend.doc_frequencies(conn, locale, "content", tokens)
        spread = [(sum(df.get(t, 0) for t in tokens_of(node)), i) for i, node in enumerate(loose)]
        rare = sorted((n, i) for n, i in spread if 0 < n <= RELATED_WORD_MAX_DOCS)
        tiers = [all_of([c.node for c in clauses])]
        if rare and len(clauses) > 1:
            tiers.append(any_of([loose[i] for _, i in rare[:RELATED_MAX_WORDS]]))
        ranked: list[RankedGroup] = []
        for node in tiers:
            if len(ranked) >= limit:
                break
            ranked += self.backend.ranked(
                conn,
                locale,
                node,
                kind=None,
                category=None,
                exclude=frozenset(g.group_id for g in ranked),
                limit=limit - len(ranked),
            )
        return self._plain_hits(conn, ranked)

    def _plain_hits(self, conn: Connection, ranked: Sequence[RankedGroup]) -> list[SearchHit]:
        """Hits for ranked groups with what a link needs (no snippet), in ranked order."""
        if not ranked:
            return []
        c = docs_table.c
        columns = (c.doc_id, c.type, c.title, c.url, c.kind, c.category, c.solved, c.locale)
        query = sa.select(*columns).where(c.doc_id.in_(sorted({g.group_id for g in ranked})))
        rows = {r.doc_id: r for r in conn.execute(query)}
        return [
            _hit(row, group.score, "")
            for group in ranked
            if (row := rows.get(group.group_id)) is not None
        ]

    def count(self, conn: Connection, q: SearchQuery) -> int:
        """The ``total`` :meth:`search` would give, without ranking, snippets or spelling."""
        locale = self.resolve(q.locale)
        analyzer, _ = locale_analyzers(locale)
        clauses = build_clauses(parse_user_text(q.text), analyzer, q.synonyms)
        return self._match(conn, locale, clauses, q).total if clauses else 0

    def _match(self, conn: Connection, locale: str, clauses, q: SearchQuery) -> _Matched:
        """AND, then typo-tolerant AND, then OR, until one finds something; then the top-up.

        When an all-words stage finds fewer than TOP_UP_BELOW results, the
        any-word stage's other matches are appended, ranked below them: a
        query with one word the right article doesn't use ("file too big to
        upload") still reaches it, and what matched every word stays on top.
        """
        typo_words = [
            c.fuzzy_token for c in clauses if c.fuzzy_token and fuzzy_distance(c.fuzzy_token)
        ]
        vocabulary = _BackendVocabulary(self.backend, conn, locale, typo_words)
        all_stages = stages(clauses, vocabulary)
        chosen = None
        for stage in all_stages:
            counts = self.backend.match_counts(conn, locale, stage.node)
            total, facets = _facets(counts, q.kind, q.category)
            chosen = stage
            if total:
                break
        assert chosen is not None
        matched = _Matched(chosen, [(chosen, frozenset())], total, facets, total)
        if 0 < total < TOP_UP_BELOW and not chosen.any_word:
            loosest = next((s for s in all_stages if s.any_word), None)
            if loosest is not None:
                counts = self.backend.match_counts(conn, locale, loosest.node)
                wider_total, wider_facets = _facets(counts, q.kind, q.category)
                if wider_total > total:
                    first = self._ranked(conn, locale, chosen, q, frozenset(), TOP_UP_BELOW, total)
                    matched.tiers.append((loosest, frozenset(g.group_id for g in first)))
                    matched.first_ranked = first
                    matched.total, matched.facets = wider_total, wider_facets
        return matched

    def _ranked(
        self, conn, locale, stage: Stage, q: SearchQuery, exclude, limit: int, matched=None
    ):
        filters = {
            "kind": q.kind,
            "category": q.category,
            "exclude": exclude,
            "limit": limit,
            "matched": matched,
        }
        if stage.near is not None:
            return self.backend.ranked_near(conn, locale, stage.node, stage.near, **filters)
        return self.backend.ranked(conn, locale, stage.node, **filters)

    def _page_hits(self, conn, locale, analyzer, m: _Matched, q: SearchQuery) -> list[SearchHit]:
        """The page's hits: each tier ranked on its own (title phrases first), tiers in order.

        The first tier's ranking is the top-up's when it has one (all its groups, best first:
        any limit's ranking is a prefix of it), not asked again.
        """
        start = (q.page - 1) * q.per_page
        pairs = query_pairs(clean_user_text(q.text), locale)
        words = pair_words(pairs)
        ranked: list[tuple[RankedGroup, Stage]] = []
        for tier, (stage, exclude) in enumerate(m.tiers):
            wanted = start + q.per_page - len(ranked)
            if wanted <= 0:
                break
            known = m.first_ranked if tier == 0 else None
            if pairs:  # every page reorders the same window, so pages stay consistent
                window = max(wanted, PROXIMITY_WINDOW)
                if known is not None:
                    found = known[:window]
                else:
                    found = self._ranked(conn, locale, stage, q, exclude, window)
                titles = self.backend.pair_titles(
                    conn, [g.group_id for g in found], words, ANALYZER_VERSION
                )
                found = title_phrase_first(found, titles, locale, pairs)
                found = found[:wanted]
            elif known is not None:
                found = known[:wanted]
            else:
                found = self._ranked(conn, locale, stage, q, exclude, wanted)
            ranked.extend((group, stage) for group in found)
        page = ranked[start:]
        if not page:
            return []
        wanted_ids = {g.group_id for g, _ in page} | {g.doc_id for g, _ in page}
        rows = {
            r.doc_id: r
            for r in conn.execute(
                sa.select(docs_table).where(docs_table.c.doc_id.in_(sorted(wanted_ids)))
            )
        }
        hits = []
        for group, stage in page:
            row, best = rows.get(group.group_id), rows.get(group.doc_id)
            if row is None:
                continue
            source = best if best is not None else row
            snippet = make_snippet(stage.terms, analyzer, source.body, row.summary)
            hits.append(_hit(row, group.score, snippet))
        return hits

    def _all_words_find_more(self, conn, locale: str, analyzer, text: str, n: int) -> bool:
        """Whether ``text`` finds more than ``n`` results with all its words (stops counting
        there: a did-you-mean needs a yes or no, not the total)."""
        clauses = build_clauses(parse_user_text(text), analyzer)
        if not clauses:
            return False
        first = next(stages(clauses, None))
        return self.backend.matches_more_than(conn, locale, first.node, n)

    def suggest(self, conn: Connection, text: str, locale: str, limit: int = 6) -> list[Suggestion]:
        """Titles whose words start with the words typed, best prior first.

        Ranked by a static prior (:func:`search.indexing.suggestion_prior`),
        not BM25: for as-you-type, "which match is the better page" matters
        more than term statistics.
        """
        locale = self.resolve(locale)
        text = clean_user_text(text).strip()
        if not text or (text.isascii() and len(text) < SUGGEST_MIN_ASCII_CHARS):
            return []
        _, plain = locale_analyzers(locale)
        prefixes = list(
            dict.fromkeys(t.text[:PREFIX_MAX_CHARS] for t in plain(text, mode="query"))
        )[:MAX_SUGGEST_WORDS]
        if not prefixes:
            return []
        doc_ids = self.backend.suggest(conn, locale, prefixes, max(1, min(limit, 20)))
        if not doc_ids:
            return []
        rows = {
            r.doc_id: r
            for r in conn.execute(sa.select(docs_table).where(docs_table.c.doc_id.in_(doc_ids)))
        }
        return [
            Suggestion(doc_id=r.doc_id, type=r.type, title=r.title, url=r.url, kind=r.kind)
            for r in (rows.get(d) for d in doc_ids)
            if r is not None
        ]

    # ---- status

    def row_counts(self, conn: Connection) -> dict[tuple[str, str, int], int]:
        """Rows per (locale, type, analyzer_version)."""
        c = docs_table.c
        return {
            (locale, doc_type, version): n
            for locale, doc_type, version, n in conn.execute(
                sa.select(c.locale, c.type, c.analyzer_version, sa.func.count()).group_by(
                    c.locale, c.type, c.analyzer_version
                )
            )
        }

    def doc_count(self, conn: Connection, locale: str | None = None) -> int:
        """Results (articles and topics, not replies) indexed in one locale, or in all."""
        query = sa.select(sa.func.count()).where(docs_table.c.doc_id == docs_table.c.group_id)
        if locale:
            query = query.where(docs_table.c.locale == self.resolve(locale))
        return conn.execute(query).scalar_one()


def _hit(row, score: float, snippet: str) -> SearchHit:
    """A result from its ``search_documents`` row."""
    return SearchHit(
        doc_id=row.doc_id,
        type=row.type,
        id=row.doc_id.partition(":")[2],
        title=row.title,
        url=row.url,
        snippet=snippet,
        score=score,
        kind=row.kind,
        category=row.category,
        solved=bool(row.solved),
        locale=row.locale,
    )


def _empty_facets() -> dict[str, dict[str, int]]:
    return {k: dict(v) for k, v in EMPTY_FACETS.items()}


def _facets(counts: dict[tuple[str, str], int], kind: str | None, category: str | None):
    """(filtered total, disjunctive facets) from distinct-group counts per (kind, category)."""
    by_kind: dict[str, int] = {}
    by_category: dict[str, int] = {}
    total = 0
    for (k, c), n in counts.items():
        if category is None or c == category:
            by_kind[k] = by_kind.get(k, 0) + n
        if kind is None or k == kind:
            by_category[c] = by_category.get(c, 0) + n
        if (kind is None or k == kind) and (category is None or c == category):
            total += n
    return total, {"kind": _sorted_counts(by_kind), "category": _sorted_counts(by_category)}


def _sorted_counts(counts: dict[str, int]) -> dict[str, int]:
    found = {label: n for label, n in counts.items() if n and label not in ("", None)}
    return dict(sorted(found.items(), key=lambda vn: (-vn[1], vn[0])))
