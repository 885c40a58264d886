"""Baseline for the search benchmark: bare SQLite FTS5 over the same analyzed tokens.

One FTS5 table per locale, bm25() with the same field weights, AND then OR,
top 10 plus kind/category counts: what FTS5 alone costs, without the
store's stages, top-up, replies grouped per topic, snippets or did-you-mean.
"""

from __future__ import annotations

import sqlite3

from bench.search_corpus import LOCALE_SHARE
from search.analysis import analyzer_for
from search.documents import SearchDocument


def fts_build(docs: list[SearchDocument], path: str) -> sqlite3.Connection:
    """One FTS5 table per locale, holding our analyzers' tokens (so linguistics are equal)."""
    db = sqlite3.connect(path)
    analyzers = {loc: analyzer_for(loc) for loc, _ in LOCALE_SHARE}
    for locale in analyzers:
        db.execute(
            f"CREATE VIRTUAL TABLE fts_{locale} USING fts5("
            "doc_id UNINDEXED, kind UNINDEXED, category UNINDEXED, "
            "title, summary, tags, body, tokenize='unicode61 remove_diacritics 0')"
        )

    def tokens(locale: str, text: str) -> str:
        return " ".join(t.text for t in analyzers[locale](text, mode="index"))

    for doc in docs:
        db.execute(
            f"INSERT INTO fts_{doc.locale} VALUES (?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.kind,
                doc.category,
                tokens(doc.locale, doc.title),
                tokens(doc.locale, doc.summary),
                tokens(doc.locale, " ".join(doc.tags)),
                tokens(doc.locale, doc.body),
            ),
        )
    for locale in analyzers:
        db.execute(f"INSERT INTO fts_{locale}(fts_{locale}) VALUES('optimize')")
    db.commit()
    return db


def fts_search(db: sqlite3.Connection, locale: str, text: str) -> list:
    """Top 10 by bm25 (same field weights), total and kind/category counts; AND then OR."""
    words = [t.text for t in analyzer_for_cached(locale)(text.replace('"', " "), mode="query")]
    if not words:
        return []
    quoted = ['"' + w.replace('"', "") + '"' for w in dict.fromkeys(words)]
    table = f"fts_{locale}"
    for joiner in (" AND ", " OR "):
        match = joiner.join(quoted)
        top = db.execute(
            f"SELECT doc_id, bm25({table}, 0, 0, 0, 3.0, 1.5, 2.0, 1.0) AS r FROM {table} "
            f"WHERE {table} MATCH ? ORDER BY r LIMIT 10",
            (match,),
        ).fetchall()
        if top:
            db.execute(
                f"SELECT kind, category, count(*) FROM {table} WHERE {table} MATCH ? GROUP BY 1, 2",
                (match,),
            ).fetchall()
            return top
    return []


_fts_analyzers: dict = {}


def analyzer_for_cached(locale: str):
    if locale not in _fts_analyzers:
        _fts_analyzers[locale] = analyzer_for(locale)
    return _fts_analyzers[locale]
