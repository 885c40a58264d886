"""Running a search against one locale's searcher: stages, facets, hits, did-you-mean, suggest."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.query import And, Term
from whoosh.searching import Searcher

from search.docsets import matching_docs
from search.highlight import make_snippet
from search.query import (
    SearchQuery,
    Stage,
    build_clauses,
    clean_user_text,
    fuzzy_distance,
    parse_user_text,
    stages,
)
from search.ranking import best_by_score, top_documents
from search.results import SearchHit, SearchResults, Suggestion
from search.schema import PREFIX_MAX_CHARS
from search.state import SearcherState

DID_YOU_MEAN_BELOW = 3
"""A spelling suggestion is offered when the query finds fewer results than this."""

TOP_UP_BELOW = 3
"""Fewer all-words matches than this get the any-word matches appended below them."""

SUGGEST_MIN_ASCII_CHARS = 2


@dataclass(frozen=True)
class Analyzers:
    """The analyzers one locale's search needs."""

    query: object
    highlight: object
    plain: object


@dataclass
class _Matched:
    """Which documents a query matched, before ranking: one (stage, docnums) group per tier."""

    chosen: Stage
    ranked_by: list[tuple[Stage, np.ndarray]]
    total: int
    facets: dict[str, dict[str, int]]
    primary_total: int


def _match(state: SearcherState, clauses, q: SearchQuery) -> _Matched:
    """AND, then typo-tolerant AND, then OR, until one finds something; then the top-up.

    When an all-words stage finds fewer than TOP_UP_BELOW documents, the
    any-word stage's other matches are appended, ranked below them: a query
    with one word the right article doesn't use ("file too big to upload")
    still reaches it, and what matched every word stays on top.
    """
    searcher = state.searcher
    kinds, categories = state.codes("kind"), state.codes("category")
    chosen: Stage | None = None
    all_stages = stages(clauses, searcher.reader(), state.terms_within)
    for stage in all_stages:
        docs = matching_docs(searcher, stage.query, state.postings)
        total, facets, allowed = _facet_counts(docs, kinds, categories, q.kind, q.category)
        chosen = stage
        if total:
            break
    assert chosen is not None
    candidates = docs if allowed is None else allowed
    matched = _Matched(chosen, [(chosen, candidates)], total, facets, total)
    if 0 < total < TOP_UP_BELOW and not chosen.any_word:
        loosest = next((s for s in all_stages if s.any_word), None)
        if loosest is not None:
            wider = np.union1d(docs, matching_docs(searcher, loosest.query, state.postings))
            total, facets, allowed = _facet_counts(wider, kinds, categories, q.kind, q.category)
            extra = np.setdiff1d(wider if allowed is None else allowed, candidates, True)
            if len(extra):
                matched.ranked_by.append((loosest, extra))
                matched.total, matched.facets = total, facets
    return matched


def run_search(state: SearcherState, analyzers: Analyzers, q: SearchQuery) -> SearchResults:
    """One page of results, with facets and a spelling suggestion (see :func:`_match`)."""
    clauses = build_clauses(parse_user_text(q.text), analyzers.query, q.synonyms)
    if not clauses:
        return SearchResults(0, [], {"kind": {}, "category": {}}, None, q.page, q.per_page, False)
    searcher = state.searcher
    m = _match(state, clauses, q)
    hits = _page_hits(state, analyzers, m.ranked_by, q) if m.total else []
    did_you_mean = None
    if m.primary_total < DID_YOU_MEAN_BELOW or m.chosen.fallback:
        candidate = spelling_suggestion(searcher, analyzers.plain, q.text, state.terms_within)
        # Offer it only if it finds more with all its words than what was typed did.
        exact_total = 0 if m.chosen.fallback else m.primary_total
        if candidate and _all_words_total(searcher, analyzers.query, candidate) > exact_total:
            did_you_mean = candidate
    return SearchResults(
        m.total,
        hits,
        m.facets,
        did_you_mean,
        q.page,
        q.per_page,
        m.chosen.fallback or len(m.ranked_by) > 1,
        0 if m.chosen.fallback else m.primary_total,
    )


def run_count(state: SearcherState, analyzers: Analyzers, q: SearchQuery) -> int:
    """The ``total`` :func:`run_search` would give, without ranking, snippets or spelling."""
    clauses = build_clauses(parse_user_text(q.text), analyzers.query, q.synonyms)
    return _match(state, clauses, q).total if clauses else 0


def _all_words_total(searcher: Searcher, analyzer, text: str) -> int:
    clauses = build_clauses(parse_user_text(text), analyzer)
    if not clauses:
        return 0
    return len(matching_docs(searcher, next(stages(clauses, searcher.reader())).query))


def _facet_counts(docs: np.ndarray, kinds, categories, kind, category):
    """(filtered total, disjunctive facet counts, filtered docnums or None if unfiltered).

    ``kinds`` and ``categories`` are :meth:`SearcherState.codes` pairs.
    """
    in_kind = _having(docs, kinds, kind) if kind else docs
    in_category = _having(docs, categories, category) if category else docs
    facets = {"kind": _counts(in_category, kinds), "category": _counts(in_kind, categories)}
    if kind is None and category is None:
        return len(docs), facets, None
    if kind and category:
        allowed = np.intersect1d(in_kind, in_category, assume_unique=True)
    else:
        allowed = in_kind if kind else in_category
    return len(allowed), facets, allowed


def _having(docs: np.ndarray, coded, value: str) -> np.ndarray:
    codes, labels = coded
    if value not in labels:
        return docs[:0]
    return docs[codes[docs] == labels.index(value)]


def _counts(docs: np.ndarray, coded) -> dict[str, int]:
    codes, labels = coded
    counts = np.bincount(codes[docs], minlength=len(labels)).tolist()
    found = {
        label: n for label, n in zip(labels, counts, strict=True) if n and label not in ("", None)
    }
    return dict(sorted(found.items(), key=lambda vn: (-vn[1], vn[0])))


def _page_hits(state, analyzers, ranked_by, q) -> list[SearchHit]:
    """The page's hits: each (stage, documents) group ranked on its own, groups in order."""
    start = (q.page - 1) * q.per_page
    searcher = state.searcher
    ranked: list[tuple[float, int, Stage]] = []
    for stage, candidates in ranked_by:
        wanted = start + q.per_page - len(ranked)
        if wanted <= 0:
            break
        for score, docnum in top_documents(
            searcher, stage.query, candidates, wanted, state.lengths("content"), state.postings
        ):
            ranked.append((score, docnum, stage))
    hits = []
    for score, docnum, stage in ranked[start:]:
        stored = searcher.stored_fields(docnum)
        doc_id = stored.get("doc_id", "")
        snippet = make_snippet(
            stage.terms, analyzers.highlight, stored.get("body", ""), stored.get("summary", "")
        )
        hits.append(
            SearchHit(
                doc_id=doc_id,
                type=stored.get("type", ""),
                id=doc_id.partition(":")[2],
                title=stored.get("title", ""),
                url=stored.get("url", ""),
                snippet=snippet,
                score=score,
                kind=stored.get("kind", ""),
                category=stored.get("category", ""),
                solved=bool(stored.get("solved", False)),
                locale=stored.get("locale", ""),
            )
        )
    return hits


def spelling_suggestion(
    searcher: Searcher, plain_analyzer, text: str, terms_within=None
) -> str | None:
    """The query with each unknown Latin word replaced by the most frequent close index word.

    The vocabulary is the unstemmed ``spell`` field (titles, summaries, tags,
    article bodies). Words within 1 edit win over words within 2; among equals
    the most frequent wins. None when nothing would change.
    """
    reader = searcher.reader()
    text = clean_user_text(text)
    replacements = []
    corrected: dict[str, str | None] = {}
    for t in plain_analyzer(text, chars=True, mode="query"):
        word = t.text
        if word not in corrected:
            known = not word.isascii() or not word.isalpha() or reader.doc_frequency("spell", word)
            corrected[word] = None if known else _closest(reader, word, terms_within)
        if corrected[word]:
            replacements.append((t.startchar, t.endchar, corrected[word]))
    if not replacements:
        return None
    out, last = [], 0
    for start, end, word in replacements:
        out.append(text[last:start])
        out.append(word)
        last = end
    out.append(text[last:])
    suggestion = " ".join("".join(out).split())
    return suggestion if suggestion.casefold() != " ".join(text.split()).casefold() else None


def _closest(reader, word: str, terms_within=None) -> str | None:
    for distance in range(1, fuzzy_distance(word) + 1):
        if terms_within is None:
            found = reader.terms_within("spell", word, distance, prefix=1)
        else:
            found = terms_within("spell", word, distance, 1)
        candidates = [c for c in found if c != word]
        if candidates:
            return max(candidates, key=lambda c: (reader.doc_frequency("spell", c), c))
    return None


def run_suggest(state: SearcherState, plain_analyzer, text: str, limit: int) -> list[Suggestion]:
    """Titles whose words start with what was typed, best prior first.

    Every typed word must be the start of a title word (an exact lookup in
    the ``title_prefix`` edge n-grams). Matches are ranked by a static prior
    (:func:`search.schema.suggestion_prior`), not BM25: for as-you-type,
    "which match is the better page" matters more than term statistics, and
    a precomputed prior ranks tens of thousands of matches in milliseconds.
    """
    text = clean_user_text(text).strip()
    if not text or (text.isascii() and len(text) < SUGGEST_MIN_ASCII_CHARS):
        return []
    tokens = list(
        dict.fromkeys(t.text[:PREFIX_MAX_CHARS] for t in plain_analyzer(text, mode="query"))
    )
    if not tokens:
        return []
    terms = [Term("title_prefix", t) for t in tokens[:8]]
    query = terms[0] if len(terms) == 1 else And(terms)
    docs = matching_docs(state.searcher, query, state.postings)
    best = best_by_score(state.suggestion_priors()[docs], docs, max(1, min(limit, 20)))
    suggestions = []
    for _, docnum in best:
        stored = state.searcher.stored_fields(docnum)
        suggestions.append(
            Suggestion(
                doc_id=stored.get("doc_id", ""),
                type=stored.get("type", ""),
                title=stored.get("title", ""),
                url=stored.get("url", ""),
                kind=stored.get("kind", ""),
            )
        )
    return suggestions
