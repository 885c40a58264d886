"""Exact top-N by BM25F over a known set of matching documents.

The ``content`` field's postings carry section-weighted term frequencies
(title ×3, tags ×2, summary ×1.5, body ×1), so BM25 over them *is* BM25F:
field weights are applied before saturation. Scoring only the documents
already known to match (the filtered match set) with per-term dictionaries
costs a fraction of a microsecond per (document, term); Whoosh's collector
scores through its matcher tree at a few microseconds each and its block-max
skipping rarely skips here, because common title words put a high-weight
posting in nearly every block.
"""

from __future__ import annotations

import heapq

from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from search.docsets import PostingCache, term_weights

K1 = 1.2
B = 0.75


def query_terms(query: Query, boost: float = 1.0) -> list[tuple[str, str, float]]:
    """(field, text, boost) for every term whose weight counts toward a score."""
    boost *= query.boost
    if isinstance(query, Term):
        return [(query.fieldname, query.text, boost)]
    if isinstance(query, Phrase):
        return [(query.fieldname, word, boost) for word in query.words]
    if isinstance(query, (And, Or)):
        return [t for q in query.subqueries for t in query_terms(q, boost)]
    return []


def top_documents(
    searcher: Searcher,
    query: Query,
    candidates: set[int],
    limit: int,
    lengths: list[int],
    cache: PostingCache | None = None,
) -> list[tuple[float, int]]:
    """The best ``limit`` (score, docnum) among ``candidates``, best first.

    A document scores the sum over query terms it contains of
    boost · idf · tf·(K1+1) / (tf + K1·(1 − B + B·len/avglen)), which is what
    Whoosh's BM25F gives for And/Or trees of terms. Ties go to the lower docnum.
    """
    if not candidates or limit <= 0:
        return []
    scores = dict.fromkeys(candidates, 0.0)
    merged: dict[tuple[str, str], float] = {}
    for field, text, boost in query_terms(query):
        merged[(field, text)] = merged.get((field, text), 0.0) + boost
    for (field, text), boost in merged.items():
        weights = term_weights(searcher, field, text, cache)
        if not weights:
            continue
        avg = searcher.reader().field_length(field) / max(searcher.doc_count_all(), 1)
        factor = boost * searcher.idf(field, text) * (K1 + 1)
        c1 = K1 * (1 - B)
        c2 = K1 * B / (avg or 1.0)
        if len(weights) > len(candidates):
            common = [d for d in candidates if d in weights]
        else:
            common = [d for d in weights if d in scores]
        for d in common:
            tf = weights[d]
            scores[d] += factor * tf / (tf + c1 + c2 * lengths[d])
    best = heapq.nlargest(limit, ((s, -d) for d, s in scores.items()))
    return [(s, -negative) for s, negative in best]


def document_lengths(searcher: Searcher, field: str) -> list[int]:
    """Each document's token count in ``field``, by docnum (Whoosh's quantized lengths)."""
    reader = searcher.reader()
    return [reader.doc_field_length(d, field, 0) or 0 for d in range(reader.doc_count_all())]
