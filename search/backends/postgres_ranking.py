"""PostgreSQL's ranking: FTS5's bm25() in SQL, scored over a shortlist, exactly.

A row's score is bm25 as postgres.py's docstring says: per query token its IDF (from the
statistics in postgres_statistics.py) times f·(k1 + 1) / (f + K), K = k1·(1 − b + b·length /
avgdl), f the token's field-weighted count (``ts_rank_cd`` of the one-token query), plus
PROXIMITY_WEIGHT times the same of the query's pair phrases; a group (a topic and its posts)
scores as its best row.

Scoring every matched row costs as many rows as the query matches (thousands for a few
mid-frequency words at 110k documents), each one's tsvector read and ranked once per token.
Most of those rows hold one query word, once, in the body. One column written with each row
makes that case exact without reading the row: ``heavy``, the lexemes whose field-weighted
count f is above 1 (in the title, tags or summary, or more than once in the body: every
lexeme but those with exactly one body position), with a GIN index.

A query's words are the any-word stage's typed words (``ranked_near``: its ``Or`` has one
child per word, with its synonyms, a Japanese word's sub-words and reading); any other
query is one word; a typo candidate is a word of its own, apart from the word typed. A
matched row outside the first pass, i.e. whose ``heavy`` holds no query token and which
holds no tokens of two different words (a GIN match of ``(a1 | a2) & (b1 | b2)``…), holds
tokens of one word only, each with f = 1, and no pair phrase of two words. Its score is
then at most W·(k1 + 1) / (1 + K), W that word's tokens' weights (IDF × boost) plus its own
phrases': decreasing in the row's length. So: score the first-pass rows and keep the top k
= limit + offset groups; with S their k-th score, a row left out reaches S only if its
length is at most :func:`longest_reaching` for its word; score those (a btree range on
``(locale, length)`` ANDed with the word's GIN match). Merged, that is exactly the top k of
scoring every row, same scores, same order. When the first pass gives fewer than k groups,
or the query has a prefix token (whose count sums several lexemes), every matched row is
scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from search.backends.base import FIELD_WEIGHTS, PROXIMITY_WEIGHT, RankedGroup
from search.backends.postgres_statistics import STATISTICS_SQL, term_statistics
from search.backends.postgres_syntax import quote, ranking_terms, tsquery_literal
from search.match import Node, Or, Phrase, Term

RANK_WEIGHTS = "{%s}" % ",".join(  # noqa: UP031 (braces of an array literal)
    str(FIELD_WEIGHTS[f] / 3) for f in ("body", "summary", "tags", "title")
)
"""ts_rank_cd weights for D (body), C (summary), B (tags), A (title): FIELD_WEIGHTS / 3
(PostgreSQL takes weights up to 1); the count is multiplied back by 3."""

BM25_K1 = 1.2
"""Term-frequency saturation, as FTS5's bm25()."""

BM25_B = 0.75
"""Length normalization, as FTS5's bm25()."""

BM25_MIN_IDF = 1e-6
"""FTS5's floor for a token in more than half the rows (whose IDF would be 0 or less)."""

SHORTLIST_ABOVE = 500
"""Rows the query's tokens are in (every locale, from the statistics) above which the
shortlist pays for its extra statements; below, every matched row is scored in one (at
full size, 500 against 2,000: CPU p95 −5 ms, 6 % less in all; 200 no better than 500)."""

LOCALE_ROWS = "SELECT id FROM search_pg_tokens WHERE locale = :locale"
"""The start of a statement picking a pass's candidate rows by their indexes."""

MAX_WORDS = 12
"""Query words above which the query is one word for the first pass (its word pairs grow
as the square)."""

SLACK = 1e-5
"""Relative margin on the threshold for ts_rank_cd's float4 arithmetic."""

HEAVY_SQL = """CREATE OR REPLACE FUNCTION search_pg_heavy(content tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_to_tsvector(array_agg(u.lexeme)), CAST('' AS tsvector))
        FROM unnest(content) AS u
        WHERE NOT coalesce(cardinality(u.positions) = 1 AND u.weights[1] = 'D', false)
    $$"""
"""A row's ``heavy`` from its content: every lexeme but those with one body (D) position."""

SHORTLIST_SCHEMA = (
    # The earlier bound (migration 57cb05f095f8): a title/tags head and a per-row body ceiling.
    "DROP INDEX IF EXISTS ix_search_pg_tokens_head",
    "DROP INDEX IF EXISTS ix_search_pg_tokens_body_ceiling",
    "ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS head",
    "ALTER TABLE search_pg_tokens DROP COLUMN IF EXISTS body_ceiling",
    "DROP FUNCTION IF EXISTS search_pg_body_ceiling(tsvector, integer)",
    HEAVY_SQL,
    # Added and filled once, from the rows already indexed: a row's heavy must never be
    # missing (an empty one would claim its words occur once).
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_attribute
                WHERE attrelid = CAST('search_pg_tokens' AS regclass)
                AND attname = 'heavy' AND NOT attisdropped) THEN
            ALTER TABLE search_pg_tokens ADD COLUMN heavy tsvector;
            UPDATE search_pg_tokens SET heavy = search_pg_heavy(content);
            ALTER TABLE search_pg_tokens ALTER COLUMN heavy SET NOT NULL;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_heavy ON search_pg_tokens USING gin (heavy)",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_length ON search_pg_tokens (locale, length)",
)
"""The shortlist's column, function and indexes (create_schema and the migration)."""


def plan_on_the_index(conn: Connection) -> None:
    """Match through the GIN index, never a sequential scan, for the rest of the transaction.

    A word in half a locale's rows made the planner read the whole table and test ``@@``
    on every row (all locales), detoasting each tsvector: 1.9 s where the GIN bitmap and
    its heap rows took 0.36 s (110k rows, 54k matched). The planner prices ``@@`` as one
    operator; its cost is the detoasting it does not see. ``SET LOCAL``: it ends with the
    transaction (a search's request), once per transaction; a statement with no index to
    use still scans.
    """
    if conn.info.get("touchpoint_index_plans") is conn.get_transaction() is not None:
        return
    conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
    conn.info["touchpoint_index_plans"] = conn.get_transaction()


def ranked(
    conn: Connection,
    locale: str,
    node: Node,
    near: Node | None,
    filters: dict,
    limit: int,
    offset: int,
    *,
    shortlist: bool = True,
) -> list[RankedGroup]:
    """The ``limit`` best groups after ``offset``, as scoring every matched row would give.

    ``filters``: ``kind``, ``category`` (None for any) and ``exclude`` (group ids);
    ``shortlist=False`` scores every matched row (what the shortlist must equal).
    """
    query = tsquery_literal(node)
    if not query or limit <= 0:
        return []
    phrases = [p for p in dict.fromkeys(_phrases(near)) if tsquery_literal(p)] if near else []
    terms = ranking_terms(node)
    statement = _Statement(locale, query, terms, phrases, filters)
    wanted = limit + offset
    if not shortlist or any(literal.endswith(":*") for literal in terms):
        return statement.run(conn, wanted)[offset:]
    held = term_statistics(conn, statement.params["tokens"])
    if sum(rows for rows, _ in held.values()) <= SHORTLIST_ABOVE:
        return statement.run(conn, wanted)[offset:]
    groups = _groups(node, phrases, near is not None)
    tokens = sorted({t for group in groups for t in group})
    statement.params["heavy"] = " | ".join(quote(t) for t in tokens)
    first_rows = (
        f"{LOCALE_ROWS} AND heavy @@ CAST(:heavy AS tsquery) AND content @@ CAST(:query AS tsquery)"
    )
    if len(groups) > 1:
        either = [" | ".join(quote(t) for t in sorted(group)) for group in groups]
        statement.params["two"] = (
            f"({query}) & ("
            + " | ".join(f"({a}) & ({b})" for a, b in combinations(either, 2))
            + ")"
        )
        first_rows += f" UNION {LOCALE_ROWS} AND content @@ CAST(:two AS tsquery)"
    statement.count_phrases(conn)
    first = statement.run(conn, wanted, first_rows)
    if len(first) < wanted or first[-1].score <= 0:
        return statement.run(conn, wanted)[offset:]
    short_rows = statement.beyond_first(first[-1].score, groups)
    if not short_rows:
        return first[offset:wanted]
    rest = statement.run(conn, wanted, short_rows)
    return _merged(first + rest)[offset:wanted]


def _groups(node: Node, phrases: Sequence[Phrase], words: bool) -> list[frozenset[str]]:
    """The query's words, each as its tokens: with ``words`` (the any-word stage, whose
    ``Or`` holds one child per typed word) each child, its synonyms and a Japanese word's
    sub-words and reading together; otherwise (one word's alternatives,
    which a document often holds all of, or an all-words query) the whole query as one.
    Typo candidates are words of their own, apart from the word typed (a row seldom holds
    two of them, while the bar for one word is the sum of its tokens' weights). A pair
    phrase's tokens not among them are words of their own. Any split is exact (a row
    outside the first pass holds one word's tokens); a finer one prunes more."""
    parts = node.children if words and isinstance(node, Or) else (node,)
    split = tuple(p for part in parts for p in _alternatives(part))
    if len(split) <= MAX_WORDS:
        parts = split
    if len(parts) > MAX_WORDS:
        parts = (node,)
    groups = [frozenset(t for t, _ in ranking_terms(part).values()) for part in parts]
    groups = [group for group in groups if group]
    loose = {t for p in phrases for t in p.tokens} - {t for group in groups for t in group}
    return groups + [frozenset({t}) for t in sorted(loose)]


def _alternatives(node: Node) -> tuple[Node, ...]:
    """A word typed and its typo candidates (an ``Or`` holding a ``Term`` of boost < 1) as
    words of their own: different words, which a row seldom holds two of; else ``node``."""
    if isinstance(node, Or) and any(isinstance(c, Term) and c.boost < 1 for c in node.children):
        return node.children
    return (node,)


def longest_reaching(score: float, weight: float, average_length: float) -> float:
    """The longest row in which a word's tokens held once in the body may score ``score``.

    That row scores at most w·(k1 + 1) / (1 + K), K = k1·(1 − b + b·length / avgdl), so it reaches
    S when length ≤ avgdl·((w·(k1 + 1) / S − 1) / k1 − (1 − b)) / b; negative when no row
    can (SLACK widens the bar for float4 rounding).
    """
    ratio = weight * (BM25_K1 + 1) / (score * (1 - SLACK))
    return average_length * ((ratio - 1) / BM25_K1 - (1 - BM25_B)) / BM25_B


def _merged(groups: Sequence[RankedGroup]) -> list[RankedGroup]:
    """Groups found by several statements: each at its best row (ties: the first doc_id),
    best first, ties by group id (as the statement's ORDER BY with COLLATE "C")."""
    best: dict[str, RankedGroup] = {}
    for group in groups:
        known = best.get(group.group_id)
        if (
            known is None
            or group.score > known.score
            or (group.score == known.score and _c_order(group.doc_id) < _c_order(known.doc_id))
        ):
            best[group.group_id] = group
    return sorted(best.values(), key=lambda g: (-g.score, _c_order(g.group_id)))


def _c_order(text: str) -> bytes:
    """A string's sort key under COLLATE "C": its UTF-8 bytes."""
    return text.encode("utf-8")


class _Statement:
    """The bm25 statement for one query, run over all matched rows or a part of them."""

    def __init__(self, locale: str, query: str, terms: dict, phrases: list, filters: dict):
        self.phrases = phrases
        self.params: dict = {
            "locale": locale,
            "query": query,
            "tokens": [token for token, _ in terms.values()],
            "boosts": [boost for _, boost in terms.values()],
            "counted": ["", *(token for token, _ in terms.values())],
        }
        self.counts: list[str] = []
        self.scores: list[str] = []
        for i, literal in enumerate(terms):
            self.params[f"q{i}"] = literal
            self.counts.append(
                f"3.0 * ts_rank_cd(CAST('{RANK_WEIGHTS}' AS float4[]), x,"
                f" CAST(:q{i} AS tsquery), 0) AS f{i}"
            )
            self.scores.append(f"(SELECT w FROM idf WHERE i = {i + 1}) * f{i} / (f{i} + k)")
        self.filters = ""
        if filters.get("kind"):
            self.filters += " AND kind = :kind"
            self.params["kind"] = filters["kind"]
        if filters.get("category"):
            self.filters += " AND category = :category"
            self.params["category"] = filters["category"]
        if filters.get("exclude"):
            self.filters += " AND group_id <> ALL(CAST(:exclude AS text[]))"
            self.params["exclude"] = sorted(filters["exclude"])
        for i, phrase in enumerate(phrases):
            self.params[f"p{i}"] = tsquery_literal(phrase)
        self.counted_apart = False
        self.literals = list(terms)
        self.weights: list[float] = []
        self.phrase_weights: list[float] = []
        self.average = 1.0

    def beyond_first(self, score: float, groups: Sequence[frozenset[str]]) -> str:
        """The matched rows outside the first pass that may still score ``score``: a statement.

        Such a row holds the tokens of one query word only, each once in its body, so it
        scores at most that word's weights (and its phrases') × (k1 + 1) / (1 + K), by its
        length alone (see the module's docstring): per word, the matched rows holding it no
        longer than :func:`longest_reaching`. Sets the ``g<j>`` and ``l<j>`` parameters; an
        empty string when no such row can reach ``score``.
        """
        picks = []
        for j, group in enumerate(groups):
            held = zip(self.weights, self.params["tokens"], strict=True)
            weight = sum(w for w, token in held if token in group)
            weight += sum(
                w
                for w, phrase in zip(self.phrase_weights, self.phrases, strict=True)
                if set(phrase.tokens) <= group
            )
            longest = longest_reaching(score, weight, self.average)
            if longest < 0:
                continue
            words = " | ".join(quote(t) for t in sorted(group))
            self.params[f"g{j}"] = f"({self.params['query']}) & ({words})"
            self.params[f"l{j}"] = longest
            picks.append(f"{LOCALE_ROWS} AND content @@ CAST(:g{j} AS tsquery) AND length <= :l{j}")
        return " UNION ".join(picks)

    def count_phrases(self, conn: Connection) -> None:
        """Count each phrase's rows once (for its IDF), as the whole statement would: among
        the matched rows, or, with a filter, among the locale's rows."""
        if not self.phrases:
            return
        holds = ", ".join(
            f"count(*) FILTER (WHERE content @@ CAST(:p{i} AS tsquery))"
            for i in range(len(self.phrases))
        )
        self._near()
        matched = "" if self.filters else " AND content @@ CAST(:query AS tsquery)"
        found = conn.execute(
            sa.text(
                f"""SELECT {holds} FROM search_pg_tokens WHERE locale = :locale
                AND content @@ CAST(:near AS tsquery){matched}"""
            ),
            self.params,
        ).one()
        for i, n in enumerate(found):
            self.params[f"n{i}"] = int(n)
        self.counted_apart = True

    def _near(self) -> None:
        self.params["near"] = " | ".join(self.params[f"p{i}"] for i in range(len(self.phrases)))

    def run(self, conn: Connection, limit: int, candidates: str = "") -> list[RankedGroup]:
        """The ``limit`` best groups among the matched rows, or among those of the
        ``candidates`` statement's ids (each read by its primary key, then matched on its
        tsvector ``x``, read once); sets the weights and the average row length."""
        counts, scores = list(self.counts), list(self.scores)
        rows = " AND content @@ CAST(:query AS tsquery)"
        if candidates:
            rows = f" AND id = ANY(ARRAY({candidates}))"
        phrase_counts, near_score, phrase_cte = self._proximity_sql()
        counts.extend(phrase_counts)
        if near_score:
            scores.append(near_score)
        columns = "".join(", " + c for c in counts)
        phrase_idf = ", ".join(
            _idf_sql(f"(SELECT n{i} FROM phrase_rows)") for i in range(len(self.phrases))
        )
        # One statement: the statistics (STATISTICS_SQL), each token's weight and the average
        # row length are computed once (InitPlans), then every row of ``counted`` is scored.
        # Each use of a TOASTed tsvector fetches and decompresses it again (28 buffers a row
        # for 8 ranks of a 4 kB Japanese row): ``x`` is the row's tsvector read once.
        found = conn.execute(
            sa.text(
                f"""WITH counts AS MATERIALIZED ({STATISTICS_SQL.format(where="")}),
                total AS MATERIALIZED (
                    SELECT coalesce(sum(rows) FILTER (WHERE term = ''), 0) AS n,
                        coalesce(sum(tokens) FILTER (WHERE term = ''), 0) AS tokens
                    FROM counts
                ), average AS MATERIALIZED (
                    SELECT CASE WHEN n > 0 AND tokens > 0 THEN CAST(tokens AS float8) / n
                        ELSE 1.0 END AS length FROM total
                ), idf AS MATERIALIZED (
                    SELECT q.i, q.boost * CASE
                        WHEN (total.n - greatest(coalesce(c.rows, 0), 0) + 0.5)
                            / (greatest(coalesce(c.rows, 0), 0) + 0.5) > 1
                        THEN ln((total.n - greatest(coalesce(c.rows, 0), 0) + 0.5)
                            / (greatest(coalesce(c.rows, 0), 0) + 0.5))
                        ELSE {BM25_MIN_IDF} END AS w
                    FROM unnest(CAST(:tokens AS text[]), CAST(:boosts AS float8[]))
                        WITH ORDINALITY AS q(term, boost, i)
                    CROSS JOIN total LEFT JOIN counts c ON c.term = q.term
                ), counted AS MATERIALIZED (
                    SELECT group_id, doc_id, {BM25_K1} * ({1 - BM25_B} + {BM25_B} * length
                        / (SELECT length FROM average)) AS k{columns}
                    FROM (
                        SELECT group_id, doc_id, length, content || CAST('' AS tsvector) AS x
                        FROM search_pg_tokens
                        WHERE locale = :locale{rows}{self.filters}
                        OFFSET 0
                    ) AS r{" WHERE x @@ CAST(:query AS tsquery)" if candidates else ""}
                ){phrase_cte}, scored AS (
                    SELECT group_id, doc_id,
                        {BM25_K1 + 1} * ({" + ".join(scores) or "0.0"}) AS score
                    FROM counted
                ), best AS (
                    SELECT DISTINCT ON (group_id) group_id, score, doc_id FROM scored
                    ORDER BY group_id, score DESC, doc_id COLLATE "C"
                )
                SELECT group_id, score, doc_id,
                    (SELECT array_agg(w ORDER BY i) FROM idf) AS weights,
                    ARRAY[{phrase_idf}]::float8[] AS phrase_weights,
                    (SELECT length FROM average) AS average
                FROM best
                ORDER BY score DESC, group_id COLLATE "C"
                LIMIT :limit"""
            ),
            {**self.params, "limit": limit},
        ).all()
        if found:
            self.weights = [float(w) for w in found[0].weights or ()]
            self.phrase_weights = [float(w) * PROXIMITY_WEIGHT for w in found[0].phrase_weights]
            self.average = float(found[0].average)
        return [RankedGroup(row.group_id, float(row.score), row.doc_id) for row in found]

    def _proximity_sql(self) -> tuple[list, str, str]:
        """The pair phrases' part: per-row count columns ``g<i>`` (occurrences weighted per
        field), their bm25 sum times PROXIMITY_WEIGHT, and the ``phrase_rows`` CTE (rows
        holding each phrase, for its IDF)."""
        if not self.phrases:
            return [], "", ""
        counts, terms, rows = [], [], []
        for i in range(len(self.phrases)):
            counts.append(
                f"3.0 * ts_rank_cd(CAST('{RANK_WEIGHTS}' AS float4[]), x,"
                f" CAST(:p{i} AS tsquery), 0) AS g{i}"
            )
            if self.counted_apart:
                rows.append(f"CAST(:n{i} AS bigint) AS n{i}")
            else:
                holds = f"content @@ CAST(:p{i} AS tsquery)" if self.filters else f"g{i} > 0"
                rows.append(f"count(*) FILTER (WHERE {holds}) AS n{i}")
            terms.append(f"{_idf_sql(f'(SELECT n{i} FROM phrase_rows)')} * g{i} / (g{i} + k)")
        # Every row holding a phrase holds its words, so matches the any-word node: unfiltered,
        # the scored rows count them all. A filter (or the top-up's excluded first tier) must
        # not make a phrase rarer, so then its rows in the locale are counted apart.
        if self.counted_apart:
            source = ""
        elif self.filters:
            self._near()
            source = (
                " FROM search_pg_tokens WHERE locale = :locale"
                " AND content @@ CAST(:near AS tsquery)"
            )
        else:
            source = " FROM counted"
        cte = f", phrase_rows AS MATERIALIZED (SELECT {', '.join(rows)}{source})"
        return counts, f"{PROXIMITY_WEIGHT} * ({' + '.join(terms)})", cte


def _phrases(node: Node) -> list[Phrase]:
    """The phrases of a tree, in order (``near`` is one phrase or an Or of them)."""
    if isinstance(node, Phrase):
        return [node]
    return [p for child in getattr(node, "children", ()) for p in _phrases(child)]


def _idf_sql(rows: str) -> str:
    """FTS5's IDF of something ``rows`` rows hold (an SQL expression), over ``total``'s N."""
    n = f"greatest(coalesce({rows}, 0), 0)"
    ratio = f"((SELECT n FROM total) - {n} + 0.5) / ({n} + 0.5)"
    return f"(CASE WHEN {ratio} > 1 THEN ln({ratio}) ELSE {BM25_MIN_IDF} END)"
