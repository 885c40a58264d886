"""Exact top-N by BM25F over a known set of matching documents.

The ``content`` field's postings carry section-weighted term frequencies
(title ×3, tags ×2, summary ×1.5, body ×1), so BM25 over them *is* BM25F:
field weights are applied before saturation. Scoring only the documents
already known to match (the filtered match set), a term at a time over
NumPy arrays, costs nanoseconds per (document, term); Whoosh's collector
scores through its matcher tree at a few microseconds each and its block-max
skipping rarely skips here, because common title words put a high-weight
posting in nearly every block.
"""

from __future__ import annotations

import numpy as np
from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from search.docsets import PostingCache, term_postings

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
    candidates: np.ndarray,
    limit: int,
    lengths: np.ndarray,
    cache: PostingCache | None = None,
) -> list[tuple[float, int]]:
    """The best ``limit`` (score, docnum) among ``candidates`` (sorted docnums), best first.

    A document scores the sum over query terms it contains of
    boost · idf · tf·(K1+1) / (tf + K1·(1 − B + B·len/avglen)), which is what
    Whoosh's BM25F gives for And/Or trees of terms. Ties go to the lower
    docnum. Computed a term at a time over arrays, in float64 and in the same
    order of operations as the per-document formula, so scores are identical.
    """
    if not len(candidates) or limit <= 0:
        return []
    scores = np.zeros(len(candidates), dtype=np.float64)
    merged: dict[tuple[str, str], float] = {}
    for field, text, boost in query_terms(query):
        merged[(field, text)] = merged.get((field, text), 0.0) + boost
    reader = searcher.reader()
    for (field, text), boost in merged.items():
        ids, weights = (cache.get if cache else _postings)(searcher, field, text)
        if not len(ids):
            continue
        avg = reader.field_length(field) / max(searcher.doc_count_all(), 1)
        factor = boost * searcher.idf(field, text) * (K1 + 1)
        c1 = K1 * (1 - B)
        c2 = K1 * B / (avg or 1.0)
        at = np.minimum(np.searchsorted(ids, candidates), len(ids) - 1)
        present = ids[at] == candidates
        tf = weights[at[present]].astype(np.float64)
        scores[present] += factor * tf / (tf + c1 + c2 * lengths[candidates[present]])
    return best_by_score(scores, candidates, limit)


def _postings(searcher: Searcher, field: str, text: str):
    return term_postings(searcher, field, text)


def best_by_score(scores: np.ndarray, docnums: np.ndarray, limit: int) -> list[tuple[float, int]]:
    """The ``limit`` highest scores, ties to the lower docnum, as Python numbers."""
    if len(scores) > limit:
        # Everything scoring at least the limit-th best score, ties included.
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= threshold
        scores, docnums = scores[keep], docnums[keep]
    order = np.lexsort((docnums, -scores))[:limit]
    return list(zip(scores[order].tolist(), docnums[order].tolist(), strict=True))


def document_lengths(searcher: Searcher, field: str) -> np.ndarray:
    """Each document's token count in ``field``, by docnum (Whoosh's quantized lengths)."""
    reader = searcher.reader()
    return np.array(
        [reader.doc_field_length(d, field, 0) or 0 for d in range(reader.doc_count_all())],
        dtype=np.float64,
    )
