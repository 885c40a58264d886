"""SQLite FTS5 backend, the embedded default: needs nothing beyond Python's own sqlite3.

FTS5 tables whose rowid is ``search_documents.id``:

- ``search_fts(title, tags, summary, body)``, one for all locales: the
  analyzed tokens, ranked with ``bm25()`` weighted per column
  (FIELD_WEIGHTS), the locale a condition on ``search_documents``. One table
  rather than one per locale because FTS5's IDF, log((N − n + 0.5)/(n +
  0.5)), is ~0 for a word in more than half the documents: per locale a
  help center's common words ("password" in a small knowledge base) would
  stop counting; with the other languages' documents in N they keep a
  positive weight, as in Whoosh's BM25F (the relevance test measured it:
  ja 96.8 → 98.4 %, ar 96.7 → 98.3 % top-3);
- per locale ``search_titles_<locale>(title)``: unstemmed title words with a
  prefix index, for as-you-type suggestions (articles and topics only);
- per locale ``search_spell_<locale>(spell)``: unstemmed words of curated
  text, the did-you-mean vocabulary;

and ``fts5vocab`` tables over the first and the last (typo candidates,
document frequencies).

Tokens come analyzed from Python and must stay whole: the ``unicode61``
tokenizer keeps letters, digits, marks and private-use characters together
and would split at anything else, so every other character of a token
(``.`` in outlook.com, ``-``, ``'``) is stored as a private-use code point
(:func:`encode_token`). Tokens are written space-separated, and every token
of a query is a quoted FTS5 string, so nothing a user types is FTS5 syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection

from search.backends.base import (
    FIELD_WEIGHTS,
    FIELDS,
    PROXIMITY_WEIGHT,
    IndexRow,
    RankedGroup,
    SearchBackend,
)
from search.match import And, Node, Or, Phrase, Prefix, Term

TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* M* Co'"
"""Letters, digits, marks and private-use characters are token characters; nothing is folded
that the analyzers did not already fold."""

_KEPT_CATEGORIES = ("L", "N", "M")
_PRIVATE_BASE = 0xF0000  # Supplementary Private Use Area-A: U+F0000..U+FFFFD
_PRIVATE_SPAN = 0xFFFE
_LOCALE_NAME = re.compile(r"[a-z]{2,3}\Z")
BM25_WEIGHTS = ", ".join(str(FIELD_WEIGHTS[f]) for f in FIELDS)


@lru_cache(maxsize=200_000)
def encode_token(token: str) -> str:
    """The token with every character unicode61 would split at mapped to a private-use one."""
    if all(unicodedata.category(c)[0] in _KEPT_CATEGORIES for c in token):
        return token
    return "".join(
        c
        if unicodedata.category(c)[0] in _KEPT_CATEGORIES
        else chr(_PRIVATE_BASE + ord(c) % _PRIVATE_SPAN)
        for c in token
    )


def decode_token(stored: str) -> str:
    """The token :func:`encode_token` stored (for characters below U+FFFE, all we map)."""
    return "".join(
        chr(ord(c) - _PRIVATE_BASE)
        if _PRIVATE_BASE <= ord(c) < _PRIVATE_BASE + _PRIVATE_SPAN
        else c
        for c in stored
    )


def _quoted(token: str) -> str:
    return '"' + encode_token(token).replace('"', '""') + '"'


def match_expression(node: Node) -> str:
    """The FTS5 MATCH string for a match tree; every token a quoted string."""
    if isinstance(node, Term):
        return _quoted(node.token)
    if isinstance(node, Phrase):
        return '"' + " ".join(encode_token(t).replace('"', '""') for t in node.tokens) + '"'
    if isinstance(node, Prefix):
        return _quoted(node.token) + " *"
    joiner = " AND " if isinstance(node, And) else " OR "
    assert isinstance(node, And | Or)
    return "(" + joiner.join(match_expression(child) for child in node.children) + ")"


def _joined(tokens: Iterable[str]) -> str:
    # str.isalnum() holds only for letters and digits, which encode_token keeps: most tokens
    # skip its cache (a reindex joins millions)
    return " ".join([t if t.isalnum() else encode_token(t) for t in tokens])


def table_names(locale: str) -> dict[str, str]:
    """The locale's FTS5 and fts5vocab table names."""
    if not _LOCALE_NAME.match(locale):
        raise ValueError(f"not a search locale: {locale!r}")
    return {
        "fts": "search_fts",
        "fts_vocab": "search_fts_vocab",
        "titles": f"search_titles_{locale}",
        "spell": f"search_spell_{locale}",
        "spell_vocab": f"search_spell_{locale}_vocab",
    }


def schema_statements(locale: str) -> list[str]:
    """CREATE statements for one locale's tables (idempotent)."""
    n = table_names(locale)
    columns = ", ".join(FIELDS)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {n['fts']} USING fts5("
        f'{columns}, tokenize="{TOKENIZER}")',
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {n['fts_vocab']} USING fts5vocab({n['fts']}, 'row')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {n['titles']} USING fts5("
        f"title, tokenize=\"{TOKENIZER}\", prefix='1 2 3 4')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {n['spell']} USING fts5("
        f'spell, tokenize="{TOKENIZER}")',
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {n['spell_vocab']} USING fts5vocab("
        f"{n['spell']}, 'row')",
    ]


_VOCABULARY_TABLE = {"content": "fts_vocab", "spell": "spell_vocab"}

MATCHED_ROWS = "search_documents d INDEXED BY ix_search_documents_matching"
"""Matched rows joined through the narrow covering index (search/backends/tables.py): without
statistics SQLite would look each one up in the table, whose rows carry titles and bodies."""


class SQLiteBackend(SearchBackend):
    """FTS5 tables of analyzed tokens, one set per locale."""

    dialect = "sqlite"

    def create_schema(self, conn: Connection, locales: Sequence[str]) -> None:
        for locale in locales:
            for statement in schema_statements(locale):
                conn.exec_driver_sql(statement)

    # ---- writing

    def write_tokens(self, conn: Connection, rows: Sequence[tuple[int, IndexRow]]) -> None:
        by_locale: dict[str, list[tuple[int, IndexRow]]] = {}
        for pair in rows:
            by_locale.setdefault(pair[1].locale, []).append(pair)
        for locale, pairs in by_locale.items():
            n = table_names(locale)
            self.delete_tokens(conn, [(row_id, locale) for row_id, _ in pairs])
            conn.exec_driver_sql(
                f"INSERT INTO {n['fts']} (rowid, {', '.join(FIELDS)}) VALUES (?, ?, ?, ?, ?)",
                [
                    (row_id, *(_joined(row.tokens.get(f, ())) for f in FIELDS))
                    for row_id, row in pairs
                ],
            )
            titled = [(i, _joined(r.title_words)) for i, r in pairs if r.title_words]
            if titled:
                conn.exec_driver_sql(
                    f"INSERT INTO {n['titles']} (rowid, title) VALUES (?, ?)", titled
                )
            spelled = [(i, _joined(r.spell_words)) for i, r in pairs if r.spell_words]
            if spelled:
                conn.exec_driver_sql(
                    f"INSERT INTO {n['spell']} (rowid, spell) VALUES (?, ?)", spelled
                )

    def delete_tokens(self, conn: Connection, rows: Iterable[tuple[int, str]]) -> None:
        by_locale: dict[str, list[tuple[int]]] = {}
        for row_id, locale in rows:
            by_locale.setdefault(locale, []).append((row_id,))
        for locale, ids in by_locale.items():
            n = table_names(locale)
            for table in (n["fts"], n["titles"], n["spell"]):
                conn.exec_driver_sql(f"DELETE FROM {table} WHERE rowid = ?", ids)

    # ---- reading

    def match_counts(self, conn: Connection, locale: str, node: Node) -> dict[tuple[str, str], int]:
        fts = table_names(locale)["fts"]
        result = conn.exec_driver_sql(
            f"SELECT d.kind, d.category, count(DISTINCT d.group_id) FROM {fts}"
            f" JOIN {MATCHED_ROWS} ON d.id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND d.locale = ? GROUP BY d.kind, d.category",
            (match_expression(node), locale),
        )
        return {(kind, category): n for kind, category, n in result}

    def matches_more_than(self, conn: Connection, locale: str, node: Node, n: int) -> bool:
        fts = table_names(locale)["fts"]
        found = conn.exec_driver_sql(
            f"SELECT count(*) FROM (SELECT DISTINCT d.group_id FROM {fts}"
            f" JOIN {MATCHED_ROWS} ON d.id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND d.locale = ? LIMIT ?)",
            (match_expression(node), locale, n + 1),
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
        return self._ranked(conn, locale, node, None, kind, category, exclude, limit, offset)

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
        """bm25 of ``node`` plus PROXIMITY_WEIGHT × bm25 of the pair phrases in ``near``."""
        return self._ranked(conn, locale, node, near, kind, category, exclude, limit, offset)

    def _ranked(self, conn, locale, node, near, kind, category, exclude, limit, offset):
        fts = table_names(locale)["fts"]
        params = [match_expression(node)]
        score, pairs = "m.rank", ""
        if near is not None:
            # a second bm25() over the pair phrases alone: FTS5 ranks one MATCH per query
            params.append(match_expression(near))
            pairs = (
                f", p AS MATERIALIZED (SELECT rowid AS id, bm25({fts}, {BM25_WEIGHTS}) AS rank"
                f" FROM {fts} WHERE {fts} MATCH ?)"
            )
            score = f"m.rank + {PROXIMITY_WEIGHT} * coalesce(p.rank, 0)"
        where = ["d.locale = ?"]
        params.append(locale)
        if kind:
            where.append("d.kind = ?")
            params.append(kind)
        if category:
            where.append("d.category = ?")
            params.append(category)
        if exclude:
            where.append(f"d.group_id NOT IN ({', '.join('?' * len(exclude))})")
            params.extend(sorted(exclude))
        filters = "".join(f" AND {w}" for w in where)
        params.extend([limit, offset])
        joined = " LEFT JOIN p ON p.id = m.id" if near is not None else ""
        # bm25() is lower-is-better; SQLite's min() makes the bare doc_id the best row's.
        result = conn.exec_driver_sql(
            f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25({fts}, {BM25_WEIGHTS}) AS rank"
            f" FROM {fts} WHERE {fts} MATCH ?){pairs}"
            f" SELECT d.group_id, min({score}) AS score, d.doc_id FROM m{joined}"
            f" JOIN {MATCHED_ROWS} ON d.id = m.id WHERE 1{filters}"
            f" GROUP BY d.group_id ORDER BY score, d.group_id LIMIT ? OFFSET ?",
            tuple(params),
        )
        return [RankedGroup(group_id, -rank, doc_id) for group_id, rank, doc_id in result]

    def doc_frequencies(
        self, conn: Connection, locale: str, vocabulary: str, tokens: Iterable[str]
    ) -> dict[str, int]:
        vocab = table_names(locale)[_VOCABULARY_TABLE[vocabulary]]
        found = {}
        for token in dict.fromkeys(tokens):
            n = conn.exec_driver_sql(
                f"SELECT doc FROM {vocab} WHERE term = ?", (encode_token(token),)
            ).scalar()
            found[token] = n or 0
        return found

    def words(self, conn: Connection, locale: str, vocabulary: str) -> dict[str, int]:
        vocab = table_names(locale)[_VOCABULARY_TABLE[vocabulary]]
        rows = conn.exec_driver_sql(f"SELECT term, doc FROM {vocab}")
        return {decode_token(term): n for term, n in rows}

    def typo_candidates(
        self, conn: Connection, locale: str, vocabulary: str, word: str, max_distance: int
    ) -> dict[str, int]:
        if not word:
            return {}
        vocab = table_names(locale)[_VOCABULARY_TABLE[vocabulary]]
        first = encode_token(word[0])
        bucket = conn.exec_driver_sql(
            f"SELECT term, doc FROM {vocab} WHERE term >= ? AND term < ?",
            (first, chr(ord(first) + 1)),
        ).all()
        terms = [decode_token(term) for term, _ in bucket]
        near = process.extract(
            word,
            terms,
            scorer=Levenshtein.distance,
            score_cutoff=max_distance,
            limit=None,
        )
        return {terms[i]: bucket[i][1] for _, _, i in near if terms[i] != word}

    def suggest(
        self, conn: Connection, locale: str, prefixes: Sequence[str], limit: int
    ) -> list[str]:
        if not prefixes:
            return []
        titles = table_names(locale)["titles"]
        expression = " AND ".join(match_expression(Prefix(p)) for p in prefixes)
        result = conn.exec_driver_sql(
            f"SELECT d.doc_id FROM {titles} JOIN {MATCHED_ROWS} ON d.id = {titles}.rowid"
            f" WHERE {titles} MATCH ? ORDER BY d.prior DESC, d.doc_id LIMIT ?",
            (expression, limit),
        )
        return [doc_id for (doc_id,) in result]
