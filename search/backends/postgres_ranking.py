"""PostgreSQL's ranking: FTS5's bm25() in SQL, scored over a shortlist with a proven bound.

A row's score is bm25 as postgres.py's docstring says: per query token its IDF (from the
statistics in postgres_statistics.py) times f·(k1 + 1) / (f + K), K = k1·(1 − b + b·length /
avgdl), f the token's field-weighted count (``ts_rank_cd`` of the one-token query), plus
PROXIMITY_WEIGHT times the same of the query's pair phrases; a group (a topic and its posts)
scores as its best row.

Scoring every matched row costs as many rows as a common word matches (tens of thousands at
110k documents). Instead, two columns written with each row bound what a row can score:

- ``head``: the lexemes the row's title or tags hold (weights A, B; positions stripped);
- ``body_ceiling``: G / (G + k1·(1 − b) + k1·b·length / REFERENCE_LENGTH), G being the
  largest field-weighted count of a lexeme found only in the summary and body (C, D).

For a row none of whose query tokens is in its ``head``, every token's and phrase's count
is at most G, so its score is at most (k1 + 1)·C·u, C the sum of the tokens' weights
(IDF × boost) and PROXIMITY_WEIGHT × the phrases' IDFs, and u the ceiling at today's
avgdl, which ``body_ceiling`` bounds (see :func:`ceiling_threshold`). So: score the rows
whose head holds a query token (few: titles are short) and keep the top k groups; their
k-th score S gives the threshold θ = S / ((k1 + 1)·C) below which no other row can reach
S; then score the other matched rows whose ``body_ceiling`` passes θ (a btree range, ANDed
with the GIN match). Merged, that is exactly the top k of scoring every row, same scores,
same order. When the head rows give fewer than k groups, or the query has a prefix token
(whose count sums several lexemes), every matched row is scored as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from search.backends.base import FIELD_WEIGHTS, PROXIMITY_WEIGHT, RankedGroup
from search.backends.postgres_statistics import STATISTICS_SQL, term_statistics
from search.backends.postgres_syntax import quote, ranking_terms, tsquery_literal
from search.match import And, Node, Or, Phrase

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

REFERENCE_LENGTH = 100.0
"""The average row length ``body_ceiling`` is written with (a constant, so rows written at
different times compare); :func:`ceiling_threshold` corrects for today's average."""

SHORTLIST_ABOVE = 2000
"""Rows the query's tokens are in (every locale, from the statistics) above which the
shortlist pays for its extra statements; below, every matched row is scored in one."""

SLACK = 1e-5
"""Relative margin on the threshold for float4 weights and the ceiling's real rounding."""

BODY_CEILING_SQL = f"""CREATE OR REPLACE FUNCTION search_pg_body_ceiling(
        content tsvector, length integer) RETURNS real
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CAST(coalesce(max(f) / (max(f) + {BM25_K1 * (1 - BM25_B)}
            + {BM25_K1 * BM25_B} * length / {REFERENCE_LENGTH}), 0) AS real)
        FROM (SELECT sum(CASE w WHEN 'C' THEN {FIELD_WEIGHTS["summary"]}
                ELSE {FIELD_WEIGHTS["body"]} END) AS f
            FROM unnest(content) AS u, unnest(u.weights) AS w
            GROUP BY u.lexeme HAVING bool_and(w IN ('C', 'D'))) AS g
    $$"""
"""A row's ``body_ceiling`` from its content and length (see the module's docstring)."""

HEAD_SQL = "strip(ts_filter({content}, '{{a,b}}'))"
"""A row's ``head`` from its content: the title's and tags' lexemes."""

SHORTLIST_SCHEMA = (
    # Rows written before these columns existed: no head and the highest ceiling, so they
    # are always scored (correct, only slower) until the migration or a reindex fills them.
    "ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS head tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS body_ceiling real NOT NULL DEFAULT 1",
    BODY_CEILING_SQL,
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_head ON search_pg_tokens USING gin (head)",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_body_ceiling"
    " ON search_pg_tokens (locale, body_ceiling)",
)
"""The shortlist's columns, function and indexes (create_schema and the migration)."""


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
        return statement.run(conn, "", wanted)[offset:]
    held = term_statistics(conn, statement.params["tokens"])
    if sum(rows for rows, _ in held.values()) <= SHORTLIST_ABOVE:
        return statement.run(conn, "", wanted)[offset:]
    head_words = {token for token, _ in terms.values()}
    head_words.update(t for p in phrases for t in p.tokens)
    statement.params["head"] = " | ".join(quote(t) for t in sorted(head_words))
    statement.count_phrases(conn)
    # An any-word query's best rows often hold every word in the body: scored with the
    # head rows, they raise the k-th score, so the bar for the rest.
    every = tsquery_literal(And(node.children)) if isinstance(node, Or) else ""
    first_rows = " AND head @@ CAST(:head AS tsquery)"
    if every:
        statement.params["every"] = every
        first_rows = " AND (head @@ CAST(:head AS tsquery) OR content @@ CAST(:every AS tsquery))"
    first = statement.run(conn, first_rows, wanted)
    if len(first) < wanted:
        return statement.run(conn, "", wanted)[offset:]
    row_bar, tsvector_bar = statement.beyond_head(first[-1].score)
    if every and tsvector_bar:
        tsvector_bar = f"NOT x @@ CAST(:every AS tsquery) AND {tsvector_bar}"
    rest = statement.run(
        conn, " AND NOT head @@ CAST(:head AS tsquery)" + row_bar, wanted, tsvector_bar
    )
    return _merged(first + rest)[offset:wanted]


def ceiling_threshold(theta: float, average_length: float) -> float:
    """The ``body_ceiling`` below which a row's ceiling at ``average_length`` is below θ.

    ``body_ceiling`` s = G / (G + K₀), K₀ at REFERENCE_LENGTH. At the average length a,
    K = k1·(1 − b) + ρ·(K₀ − k1·(1 − b)) with ρ = REFERENCE_LENGTH / a. If ρ ≥ 1, K ≥ K₀
    and u ≤ s; else K ≥ ρ·K₀ and u ≤ s / (s + ρ·(1 − s)), which is below θ exactly when
    s < ρ·θ / (1 − θ + ρ·θ).
    """
    theta *= 1 - SLACK
    rho = REFERENCE_LENGTH / average_length if average_length > 0 else 1.0
    if rho >= 1:
        return theta
    return rho * theta / (1 - theta + rho * theta)


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

    def beyond_head(self, score: float) -> tuple[str, str]:
        """The condition on a row outside the head that may still score ``score`` or more.

        Terms in order of weight (IDF × boost), heaviest first: a row whose heaviest query
        term is the j-th holds at most the j-th and lighter terms, and the phrases made of
        them, so scores at most (k1 + 1)·u·D_j, D_j their weights' sum (max-score): it must
        have the j-th term and a ceiling u ≥ score / ((k1 + 1)·D_j). A common word (light,
        last) gets the highest bar. Sets the ``c<j>`` parameters; returns the condition on
        the row (the lowest bar, read before its tsvector) and on its tsvector ``x``.
        """
        order = sorted(range(len(self.literals)), key=lambda i: -self.weights[i])
        tokens = [self.params["tokens"][i] for i in order]
        branches = []
        for j, i in enumerate(order):
            lighter = set(tokens[j:])
            total = sum(self.weights[k] for k in order[j:]) + sum(
                w
                for w, phrase in zip(self.phrase_weights, self.phrases, strict=True)
                if set(phrase.tokens) <= lighter
            )
            theta = score / ((BM25_K1 + 1) * total) if total > 0 else 2.0
            if theta >= 1:  # u < 1: no such row reaches the score
                continue
            self.params[f"c{j}"] = ceiling_threshold(theta, self.average)
            branches.append(f"(x @@ CAST(:q{i} AS tsquery) AND body_ceiling >= :c{j})")
        if not branches:
            return " AND false", ""
        self.params["lowest"] = min(
            self.params[f"c{j}"] for j in range(len(order)) if f"c{j}" in self.params
        )
        return " AND body_ceiling >= :lowest", "(" + " OR ".join(branches) + ")"

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

    def run(self, conn: Connection, restrict: str, limit: int, then: str = "") -> list[RankedGroup]:
        """The ``limit`` best groups among the matched rows that also meet ``restrict`` (on
        the row's columns) and ``then`` (a condition on its tsvector ``x``);
        sets ``bound`` to (k1 + 1)·C and the average row length."""
        counts, scores = list(self.counts), list(self.scores)
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
                        SELECT group_id, doc_id, length, body_ceiling,
                            content || CAST('' AS tsvector) AS x
                        FROM search_pg_tokens
                        WHERE locale = :locale AND content @@ CAST(:query AS tsquery)
                            {self.filters}{restrict}
                        OFFSET 0
                    ) AS r{" WHERE " + then if then else ""}
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
