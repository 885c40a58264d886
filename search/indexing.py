"""From a SearchDocument to the IndexRow a backend stores: the analyzers run here, in Python."""

from __future__ import annotations

import math
import threading

from search.analysis import ANALYZER_VERSION, analyzer_for
from search.backends.base import IndexRow
from search.documents import SearchDocument

STORED_BODY_CHARS = 10_000
"""Only this much body is stored, for snippets; all of it is indexed."""

ARTICLE_SUGGEST_BOOST = 2.0
"""Curated articles rank above forum topics among suggestions."""

_local = threading.local()


def locale_analyzers(locale: str):
    """(analyzer, unstemmed analyzer) for a locale, built once per thread."""
    cache = getattr(_local, "analyzers", None)
    if cache is None:
        cache = _local.analyzers = {}
    pair = cache.get(locale)
    if pair is None:
        analyzer = analyzer_for(locale)
        pair = cache[locale] = (analyzer, analyzer.without_stemming())
    return pair


def words_and_parts(analyzer, text: str) -> tuple[list[str], list[str]]:
    """The first token at each position (the word as written, normalized), and the others
    (sub-words, kana keys, stems of other readings). Stored as words then parts, so
    phrases of words stay adjacent."""
    return _words_and_parts(analyzer(text, mode="index") if text else ())


def _words_and_parts(tokens) -> tuple[list[str], list[str]]:
    words: list[str] = []
    parts: list[str] = []
    last_pos = None
    for t in tokens:
        if t.pos != last_pos:
            last_pos = t.pos
            words.append(t.text)
        else:
            parts.append(t.text)
    return words, parts


def _stemmed_last(analyzer, plain) -> bool:
    """Whether ``plain`` is ``analyzer`` but for its last filter, a stemmer (English, Arabic):
    then the words before that filter are the unstemmed words, with no second pass."""
    return (
        plain is not analyzer
        and plain.tokenizer is analyzer.tokenizer
        and analyzer.filters[:-1] == plain.filters
    )


def _words_parts_unstemmed(analyzer, plain, text: str) -> tuple[list[str], list[str], list[str]]:
    """words_and_parts(analyzer, text) and the texts plain(text) gives, in one pass."""
    if not text:
        return [], [], []
    tokens = list(plain(text, mode="index"))
    unstemmed = [t.text for t in tokens]  # the stemmer rewrites the tokens in place
    words, parts = _words_and_parts(analyzer.filters[-1](iter(tokens), "index"))
    return words, parts, unstemmed


def plain_words(plain_analyzer, *texts: str) -> list[str]:
    """Unstemmed words of the texts, each once, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            for t in plain_analyzer(text, mode="index"):
                seen.setdefault(t.text, None)
    return list(seen)


def suggestion_prior(is_article: bool, solved: bool, popularity: int, title_chars: int) -> float:
    """How good a suggestion a matching title is: articles, then solved topics, then popular
    ones (logarithmically), shorter titles first among equals."""
    base = ARTICLE_SUGGEST_BOOST if is_article else (1.5 if solved else 1.0)
    return base * (1.0 + math.log1p(max(popularity, 0)) / 10.0) / (1.0 + title_chars / 400.0)


def index_row(doc: SearchDocument, locale: str | None = None) -> IndexRow:
    """The row for one document; ``locale`` is the search locale it is stored under."""
    locale = locale or doc.locale
    analyzer, plain = locale_analyzers(locale)
    tags = " ".join(t.strip() for t in doc.tags if t.strip())
    is_post = doc.type == "post"
    texts = {"title": doc.title, "tags": tags, "summary": doc.summary, "body": doc.body}
    if is_post:
        texts = {"body": doc.body}
    unstemmed: dict[str, list[str]] = {}
    if not is_post and _stemmed_last(analyzer, plain):
        split = {}
        for field, text in texts.items():
            words, parts, unstemmed[field] = _words_parts_unstemmed(analyzer, plain, text)
            split[field] = (words, parts)
    else:
        split = {field: words_and_parts(analyzer, text) for field, text in texts.items()}
    tokens = {field: words + parts for field, (words, parts) in split.items()}
    if is_post:
        title_words, spell_words = [], []
    elif unstemmed:
        title_words = list(dict.fromkeys(unstemmed["title"]))
        spell_fields = ("title", "summary", "tags") + (("body",) if doc.type == "article" else ())
        spell_words = list(dict.fromkeys(t for f in spell_fields for t in unstemmed[f]))
    elif plain is analyzer:  # nothing to unstem (Japanese): the same tokens, not a second pass
        title_words = list(dict.fromkeys(tokens["title"]))
        spell_fields = ("title", "summary", "tags") + (("body",) if doc.type == "article" else ())
        # the words as written, not their kana keys: a typo's key must not be a known word
        spell_words = list(dict.fromkeys(t for f in spell_fields for t in split[f][0]))
    else:
        title_words = plain_words(plain, doc.title)
        spell_texts = [doc.title, doc.summary, tags]
        if doc.type == "article":
            spell_texts.append(doc.body)
        spell_words = plain_words(plain, *spell_texts)
    return IndexRow(
        doc_id=doc.doc_id,
        group_id=doc.group_id or doc.doc_id,
        locale=locale,
        type=doc.type,
        kind=doc.kind,
        category=doc.category or "",
        title=doc.title,
        summary=doc.summary,
        body=doc.body[:STORED_BODY_CHARS],
        url=doc.url,
        solved=bool(doc.solved),
        popularity=int(doc.popularity),
        updated=doc.updated,
        prior=suggestion_prior(doc.type == "article", doc.solved, doc.popularity, len(doc.title)),
        analyzer_version=ANALYZER_VERSION,
        tokens=tokens,
        title_words=title_words,
        spell_words=spell_words,
    )
