"""PostgreSQL full-text backend (the scale-out path): weighted tsvectors of analyzed tokens.

Per ``search_documents`` row, ``search_pg_tokens`` holds two tsvectors
built from the analyzer's tokens (never re-parsed: see postgres_syntax.py):
``content`` (every field, positions for phrases, weight A title, B tags,
C summary, D body) and ``spell_words`` (did-you-mean's words), each with a
GIN index; per article or topic, the narrow ``search_pg_titles`` holds
``title_words`` (unstemmed title words, matched with prefix tsqueries for
suggest). ``search_pg_words`` lists every word ever indexed
per locale and vocabulary, with a ``pg_trgm`` GIN index for typo candidates.

Ranking is FTS5's ``bm25()`` computed in SQL from stored statistics, so both
backends order results alike: per query token, its inverse document
frequency log((N − n + 0.5) / (n + 0.5)) over every locale's rows (as
SQLite's one FTS5 table) times the saturated field-weighted count
f·(k1 + 1) / (f + k1·(1 − b + b·length / avgdl)), f being the token's
occurrences weighted 3, 2, 1.5, 1 for title, tags, summary, body (read as
``ts_rank_cd`` of the one-token query with no normalization: the sum of its
positions' weights). n, N and the token total come from ``search_pg_terms``
plus the changes statement triggers on ``search_pg_tokens`` append in the
writer's transaction (``search_pg_term_changes``, folded in now and then:
no writer waits on a counter row; see postgres_statistics.py). ``ranked_near`` adds half
the same bm25 of the query's adjacent word pairs as ``a <-> b`` phrases, as SQLite does.
postgres_ranking.py holds the statement and scores a shortlist of the matched rows with
a proven bound (``heavy`` and ``length``), exactly the top k of scoring them all.
See search/README.md, "PostgreSQL".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection

from search.backends import postgres_ranking
from search.backends.base import (
    FIELDS,
    IndexRow,
    PairWords,
    RankedGroup,
    SearchBackend,
)
from search.backends.postgres_ranking import IN_LOCALE, SHORTLIST_SCHEMA, plan_on_the_index
from search.backends.postgres_statistics import (
    BULK_FOLD_PER_ROW,
    BULK_ROWS,
    FOLD_BATCH,
    RANKING_STATISTICS,
    fold_changes,
    term_statistics,
)
from search.backends.postgres_syntax import (
    indexable,
    quote,
    title_pairs_query,
    tsquery_literal,
    tsvector_literal,
    words_of,
)
from search.match import Node

TRIGRAM_THRESHOLD = 0.1
"""pg_trgm similarity a typo candidate needs before the exact Levenshtein check (low on
purpose: one edit in a three-letter word leaves a similarity of 1/7)."""

EXTENSION_LOCK = 7_311_911
"""Advisory lock key serializing ``CREATE EXTENSION pg_trgm`` between concurrent setups."""

MISSING_TRGM = (
    "The PostgreSQL search backend needs the pg_trgm extension, and this database user "
    "may not create it. Ask a superuser to run, in this database: CREATE EXTENSION pg_trgm;"
)

SCHEMA_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS search_pg_tokens (
        id integer PRIMARY KEY REFERENCES search_documents (id) ON DELETE CASCADE,
        locale varchar(8) NOT NULL,
        doc_id varchar(40) NOT NULL,
        group_id varchar(40) NOT NULL,
        type varchar(10) NOT NULL,
        kind varchar(10) NOT NULL,
        category varchar(80) NOT NULL,
        prior float8 NOT NULL,
        content tsvector NOT NULL,
        spell_words tsvector NOT NULL
    )""",
    "ALTER TABLE search_pg_tokens ADD COLUMN IF NOT EXISTS length integer NOT NULL DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_content"
    " ON search_pg_tokens USING gin (content)",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_tokens_spell_words"
    " ON search_pg_tokens USING gin (spell_words)",
    # Suggest reads only this narrow table (articles and topics, not replies): a short
    # prefix matches thousands of titles, and their rows must be cheap to visit.
    """CREATE TABLE IF NOT EXISTS search_pg_titles (
        id integer PRIMARY KEY REFERENCES search_documents (id) ON DELETE CASCADE,
        locale varchar(8) NOT NULL,
        doc_id varchar(40) NOT NULL,
        prior float8 NOT NULL,
        title_words tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_titles_title_words"
    " ON search_pg_titles USING gin (title_words)",
    # search_documents columns copied for matching without a join; kept in step on update
    # (SearchStore.update_group changes kind/category without rewriting tokens).
    """CREATE OR REPLACE FUNCTION search_pg_tokens_follow() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE search_pg_tokens SET group_id = NEW.group_id, type = NEW.type,
            kind = NEW.kind, category = NEW.category, prior = NEW.prior
        WHERE id = NEW.id;
        UPDATE search_pg_titles SET prior = NEW.prior WHERE id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER search_pg_tokens_follow
    AFTER UPDATE OF group_id, type, kind, category, prior ON search_documents
    FOR EACH ROW WHEN ((OLD.group_id, OLD.type, OLD.kind, OLD.category, OLD.prior)
        IS DISTINCT FROM (NEW.group_id, NEW.type, NEW.kind, NEW.category, NEW.prior))
    EXECUTE FUNCTION search_pg_tokens_follow()""",
    """CREATE TABLE IF NOT EXISTS search_pg_words (
        locale varchar(8) NOT NULL,
        vocabulary varchar(8) NOT NULL,
        word text NOT NULL,
        PRIMARY KEY (locale, vocabulary, word)
    )""",
    "CREATE INDEX IF NOT EXISTS ix_search_pg_words_trgm"
    " ON search_pg_words USING gin (word {trgm}.gin_trgm_ops)",
    *RANKING_STATISTICS,
    *SHORTLIST_SCHEMA,
)
"""What create_schema (and the migration) run; ``{trgm}`` is pg_trgm's schema."""

_COLUMN_OF = {"content": "content", "spell": "spell_words"}

_UPSERT = sa.text(
    """INSERT INTO search_pg_tokens (id, locale, doc_id, group_id, type, kind, category, prior,
        content, spell_words, length, heavy)
    SELECT id, locale, doc_id, group_id, type, kind, category, prior, content,
        array_to_tsvector(spell_words), length, search_pg_heavy(content)
    FROM (SELECT r.*, CAST(r.content_text AS tsvector) AS content
        FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(id integer, locale text,
            doc_id text, group_id text, type text, kind text, category text, prior float8,
            content_text text, spell_words text[], length integer)) AS r
    ORDER BY id
    ON CONFLICT (id) DO UPDATE SET locale = excluded.locale, doc_id = excluded.doc_id,
        group_id = excluded.group_id, type = excluded.type, kind = excluded.kind,
        category = excluded.category, prior = excluded.prior, content = excluded.content,
        spell_words = excluded.spell_words, length = excluded.length, heavy = excluded.heavy"""
)
"""Writes a batch's token rows in one statement, so the statistics trigger counts it once."""

_UPSERT_TITLE = sa.text(
    """INSERT INTO search_pg_titles (id, locale, doc_id, prior, title_words)
    SELECT id, locale, doc_id, prior, array_to_tsvector(title_words)
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
        AS r(id integer, locale text, doc_id text, prior float8, title_words text[])
    ORDER BY id
    ON CONFLICT (id) DO UPDATE SET locale = excluded.locale, doc_id = excluded.doc_id,
        prior = excluded.prior, title_words = excluded.title_words"""
)

_ADD_WORDS = sa.text(
    """INSERT INTO search_pg_words (locale, vocabulary, word)
    SELECT :locale, :vocabulary, w FROM unnest(CAST(:words AS text[])) AS w
    ORDER BY w
    ON CONFLICT DO NOTHING"""
)


def trgm_schema(conn: Connection) -> str | None:
    """The schema pg_trgm is installed in, or None if it isn't."""
    return conn.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()


def ensure_trgm(conn: Connection) -> str:
    """pg_trgm's schema, creating the extension (in ``public``) if it is missing.

    Raises RuntimeError with what to ask a superuser when this user may not create it.
    """
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": EXTENSION_LOCK})
    schema = trgm_schema(conn)
    if schema is not None:
        return schema
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError as error:
        raise RuntimeError(f"{MISSING_TRGM} ({error.orig})") from error
    return trgm_schema(conn) or "public"


class PostgresBackend(SearchBackend):
    """tsvectors of analyzed tokens with GIN indexes; pg_trgm over the vocabulary."""

    dialect = "postgresql"

    def __init__(self) -> None:
        self._trgm: str | None = None

    def create_schema(self, conn: Connection, locales: Sequence[str]) -> None:
        trgm = ensure_trgm(conn)
        for statement in SCHEMA_STATEMENTS:
            conn.execute(sa.text(statement.format(trgm=_identifier(trgm))))

    # ---- writing

    def write_tokens(self, conn: Connection, rows: Sequence[tuple[int, IndexRow]]) -> None:
        if not rows:
            return
        # One row per id (the last): one statement may not update a row twice.
        rows = list({row_id: row for row_id, row in rows}.items())
        values = [
            {
                "id": row_id,
                "locale": row.locale,
                "doc_id": row.doc_id,
                "group_id": row.group_id,
                "type": row.type,
                "kind": row.kind,
                "category": row.category or "",
                "prior": float(row.prior),
                "content_text": tsvector_literal(row.tokens),
                "title_words": words_of(row.title_words),
                "spell_words": words_of(row.spell_words),
                "length": sum(1 for f in FIELDS for t in row.tokens.get(f) or () if indexable(t)),
            }
            for row_id, row in rows
        ]
        conn.execute(_UPSERT, {"rows": json.dumps(values, ensure_ascii=False)})
        if len(values) >= BULK_ROWS:
            fold_changes(conn, FOLD_BATCH + BULK_FOLD_PER_ROW * len(values))
        titled = [v for v in values if v["type"] != "post" and v["title_words"]]
        untitled = [v["id"] for v in values if v["type"] == "post" or not v["title_words"]]
        if titled:
            conn.execute(_UPSERT_TITLE, {"rows": json.dumps(titled, ensure_ascii=False)})
        if untitled:
            self._delete_titles(conn, untitled)
        words: dict[tuple[str, str], set[str]] = {}
        for _, row in rows:
            content = words.setdefault((row.locale, "content"), set())
            for field in FIELDS:
                content.update(row.tokens.get(field) or ())
            words.setdefault((row.locale, "spell"), set()).update(row.spell_words)
        for (locale, vocabulary), found in sorted(words.items()):
            if found:
                conn.execute(
                    _ADD_WORDS,
                    {"locale": locale, "vocabulary": vocabulary, "words": words_of(found)},
                )

    def delete_tokens(self, conn: Connection, rows: Iterable[tuple[int, str]]) -> None:
        ids = [row_id for row_id, _ in rows]
        if ids:
            conn.execute(
                sa.text("DELETE FROM search_pg_tokens WHERE id = ANY(CAST(:ids AS integer[]))"),
                {"ids": ids},
            )
            self._delete_titles(conn, ids)

    @staticmethod
    def _delete_titles(conn: Connection, ids: list[int]) -> None:
        conn.execute(
            sa.text("DELETE FROM search_pg_titles WHERE id = ANY(CAST(:ids AS integer[]))"),
            {"ids": ids},
        )

    # ---- matching and ranking

    def match_counts(self, conn: Connection, locale: str, node: Node) -> dict[tuple[str, str], int]:
        query = tsquery_literal(node)
        if not query:
            return {}
        plan_on_the_index(conn)
        found = conn.execute(
            sa.text(
                f"""SELECT kind, category, count(DISTINCT group_id) FROM search_pg_tokens t
                WHERE {IN_LOCALE} AND content @@ CAST(:query AS tsquery)
                GROUP BY kind, category"""
            ),
            {"locale": locale, "query": query},
        ).all()
        return {(kind, category): n for kind, category, n in found}

    def matches_more_than(self, conn: Connection, locale: str, node: Node, n: int) -> bool:
        query = tsquery_literal(node)
        if not query:
            return False
        plan_on_the_index(conn)
        found = conn.execute(
            sa.text(
                f"""SELECT count(*) FROM (SELECT DISTINCT group_id FROM search_pg_tokens t
                WHERE {IN_LOCALE} AND content @@ CAST(:query AS tsquery)
                LIMIT :n) AS m"""
            ),
            {"locale": locale, "query": query, "n": n + 1},
        ).scalar_one()
        return found > n

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
        filters = {"kind": kind, "category": category, "exclude": exclude}
        return self._ranked(conn, locale, node, None, filters, limit, offset, matched)

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
        """bm25 of ``node`` plus PROXIMITY_WEIGHT × bm25 of the pair phrases in ``near``.

        A phrase's count is its occurrences weighted per field (``ts_rank_cd`` of ``a <-> b``);
        its IDF counts the locale's rows holding it, as FTS5 counts a phrase's own rows (over
        every locale there). Which rows match does not change.
        """
        filters = {"kind": kind, "category": category, "exclude": exclude}
        return self._ranked(conn, locale, node, near, filters, limit, offset, matched)

    @staticmethod
    def _ranked(conn, locale, node, near, filters, limit, offset, matched):
        plan_on_the_index(conn)
        # every matched group fits the page: a shortlist's first pass would find fewer
        shortlist = matched is None or matched > limit + offset
        return postgres_ranking.ranked(
            conn, locale, node, near, filters, limit, offset, shortlist=shortlist
        )

    def pair_titles(
        self, conn: Connection, group_ids: Sequence[str], pairs: PairWords, analyzer_version: int
    ) -> dict[str, str]:
        """Only the groups whose row holds, for every pair, both tokens of an alternative in its
        title (weight A): one statement, as the titles alone were, that leaves most titles of
        a query of rare or misspelt words unanalyzed. Rows of another analyzer version pass."""
        query = title_pairs_query(pairs)
        if not query:
            return super().pair_titles(conn, group_ids, pairs, analyzer_version)
        found = conn.execute(
            sa.text(
                """SELECT d.doc_id, d.title FROM search_documents d
                LEFT JOIN search_pg_tokens t ON t.id = d.id
                WHERE d.doc_id = ANY(CAST(:ids AS text[]))
                AND (d.analyzer_version <> :version OR t.id IS NULL
                     OR t.content @@ CAST(:query AS tsquery))"""
            ),
            {"ids": sorted(set(group_ids)), "version": analyzer_version, "query": query},
        ).all()
        return dict(found)

    # ---- vocabulary

    def doc_frequencies(
        self, conn: Connection, locale: str, vocabulary: str, tokens: Iterable[str]
    ) -> dict[str, int]:
        wanted = words_of(tokens)
        if not wanted:
            return {}
        if vocabulary == "content":
            counts = term_statistics(conn, wanted, locale)
            return {word: rows for word, (rows, _) in counts.items() if rows > 0}
        column = _COLUMN_OF[vocabulary]
        found = conn.execute(
            sa.text(
                f"""SELECT w.word, (SELECT count(*) FROM search_pg_tokens t
                        WHERE {IN_LOCALE} AND t.{column} @@ CAST(w.query AS tsquery))
                FROM unnest(CAST(:words AS text[]), CAST(:queries AS text[])) AS w(word, query)"""
            ),
            {"locale": locale, "words": wanted, "queries": [quote(w) for w in wanted]},
        )
        return {word: n for word, n in found if n}

    def words(self, conn: Connection, locale: str, vocabulary: str) -> dict[str, int]:
        column = _COLUMN_OF[vocabulary]
        literal = "'" + locale.replace("'", "''") + "'"
        rows_of_locale = f"SELECT {column} FROM search_pg_tokens WHERE locale = {literal}"
        found = conn.execute(sa.text("SELECT word, ndoc FROM ts_stat(:q)"), {"q": rows_of_locale})
        return {word: n for word, n in found}

    def known(
        self, conn: Connection, locale: str, vocabulary: str, tokens: Iterable[str]
    ) -> set[str]:
        """``spell``: whether any row holds each word, stopping at the first row found (a
        count visits every row holding a common word: 10–15 ms at 110k rows)."""
        wanted = words_of(tokens)
        if vocabulary == "content" or not wanted:
            return super().known(conn, locale, vocabulary, wanted)
        plan_on_the_index(conn)
        column = _COLUMN_OF[vocabulary]
        found = conn.execute(
            sa.text(
                f"""SELECT w.word
                FROM unnest(CAST(:words AS text[]), CAST(:queries AS text[])) AS w(word, query)
                WHERE EXISTS (SELECT 1 FROM search_pg_tokens t
                    WHERE {IN_LOCALE} AND t.{column} @@ CAST(w.query AS tsquery))"""
            ),
            {"locale": locale, "words": wanted, "queries": [quote(w) for w in wanted]},
        ).scalars()
        return set(found)

    def typo_candidates(
        self, conn: Connection, locale: str, vocabulary: str, word: str, max_distance: int
    ) -> dict[str, int]:
        close = self._close_words(conn, locale, vocabulary, word, max_distance)
        # Words whose rows were all deleted stay in search_pg_words; counting drops them.
        return self.doc_frequencies(conn, locale, vocabulary, close)

    def nearest_words(
        self, conn: Connection, locale: str, vocabulary: str, word: str, max_distance: int
    ) -> dict[str, int]:
        """Counts the candidates one distance at a time, nearest first, and stops at the first
        distance whose words some row still holds (a ``spell`` count visits every row holding
        the word)."""
        close = self._close_words(conn, locale, vocabulary, word, max_distance)
        by_distance: dict[int, list[str]] = {}
        for w in close:
            by_distance.setdefault(Levenshtein.distance(word, w), []).append(w)
        for distance in sorted(by_distance):
            found = self.doc_frequencies(conn, locale, vocabulary, by_distance[distance])
            if found:
                return found
        return {}

    def _close_words(
        self, conn: Connection, locale: str, vocabulary: str, word: str, max_distance: int
    ) -> list[str]:
        """Words of ``search_pg_words`` within ``max_distance`` edits of ``word`` sharing its
        first character, ``word`` excluded (some may no longer be in any row)."""
        if not word or max_distance < 1:
            return []
        trgm = _identifier(self._trgm_schema(conn))
        conn.execute(
            sa.text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
            {"t": str(TRIGRAM_THRESHOLD)},
        )
        found = conn.execute(
            sa.text(
                f"""SELECT word FROM search_pg_words
                WHERE locale = :locale AND vocabulary = :vocabulary
                  AND word OPERATOR({trgm}.%) :word
                  AND left(word, 1) = :first
                  AND char_length(word) BETWEEN :shortest AND :longest"""
            ),
            {
                "locale": locale,
                "vocabulary": vocabulary,
                "word": word,
                "first": word[0],
                "shortest": len(word) - max_distance,
                "longest": len(word) + max_distance,
            },
        ).scalars()
        return [w for w in found if w != word and Levenshtein.distance(word, w) <= max_distance]

    def _trgm_schema(self, conn: Connection) -> str:
        if self._trgm is None:
            schema = trgm_schema(conn)
            if schema is None:
                raise RuntimeError(MISSING_TRGM)
            self._trgm = schema
        return self._trgm

    # ---- suggest

    def suggest(
        self, conn: Connection, locale: str, prefixes: Sequence[str], limit: int
    ) -> list[str]:
        wanted = words_of(prefixes)
        if not wanted or limit <= 0:
            return []
        query = " & ".join(f"{quote(p)}:*" for p in wanted)
        return list(
            conn.execute(
                sa.text(
                    """SELECT doc_id FROM search_pg_titles
                    WHERE locale = :locale AND title_words @@ CAST(:query AS tsquery)
                    ORDER BY prior DESC, doc_id COLLATE "C"
                    LIMIT :limit"""
                ),
                {"locale": locale, "query": query, "limit": limit},
            ).scalars()
        )


def _identifier(name: str) -> str:
    """A schema name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
