"""The Whoosh schema, one per locale, and how a SearchDocument fills it."""

from __future__ import annotations

import math

from whoosh.analysis import CompositeAnalyzer, NgramFilter
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.analysis import SECTION_SEPARATOR, analyzer_for, sectioned
from search.documents import SearchDocument

SCHEMA_VERSION = 3
"""Bump when the schema or an analyzer changes; a new version needs a reindex."""

SECTION_BOOSTS = {"title": 3.0, "summary": 1.5, "tags": 2.0, "body": 1.0}
"""BM25F field weights, applied per token inside the one ``content`` field."""

STORED_BODY_CHARS = 10_000
"""Only this much body is stored, for snippets; all of it is indexed."""

PREFIX_MAX_CHARS = 15
"""Longest title-word prefix indexed for suggestions; longer input is cut to it."""

ARTICLE_SUGGEST_BOOST = 2.0
"""Curated articles rank above forum topics among suggestions."""


def unstemmed(analyzer: CompositeAnalyzer) -> CompositeAnalyzer:
    """The analyzer without its stemming (``is_morph``) filters."""
    return CompositeAnalyzer(*(i for i in analyzer.items if not getattr(i, "is_morph", False)))


def schema_for(locale: str) -> Schema:
    """The schema of one locale's index; every analyzer is the locale's own."""
    analyzer = analyzer_for(locale)
    plain = unstemmed(analyzer)
    return Schema(
        doc_id=ID(stored=True, unique=True, sortable=True),
        type=ID(stored=True),
        kind=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        locale=ID(stored=True),
        # title, summary, tags and body, weighted per section (see SectionTokenizer)
        content=TEXT(analyzer=sectioned(analyzer, tuple(SECTION_BOOSTS.values()))),
        tags=KEYWORD(commas=True, lowercase=True, scorable=False),
        title=STORED(),
        summary=STORED(),
        body=STORED(),
        url=STORED(),
        solved=BOOLEAN(stored=True),
        updated=DATETIME(stored=True, sortable=True),
        popularity=NUMERIC(int, bits=32, stored=True, sortable=True, default=0),
        # edge n-grams of title words, so as-you-type suggestions are exact term lookups
        title_prefix=TEXT(
            analyzer=plain | NgramFilter(minsize=1, maxsize=PREFIX_MAX_CHARS, at="start"),
            phrase=False,
        ),
        # unstemmed words, the vocabulary "did you mean" corrects against
        spell=TEXT(analyzer=plain, phrase=False),
    )


def document_fields(doc: SearchDocument) -> dict:
    """The keyword arguments for ``writer.update_document`` for one document."""
    content = SECTION_SEPARATOR.join(
        _clean(part) for part in (doc.title, doc.summary, " ".join(doc.tags), doc.body)
    )
    # Forum bodies are full of their own typos; only curated text teaches spelling.
    spell_parts = [doc.title, doc.summary, " ".join(doc.tags)]
    if doc.type == "article":
        spell_parts.append(doc.body)
    fields = {
        "doc_id": doc.doc_id,
        "type": doc.type,
        "kind": doc.kind,
        "category": doc.category or "",
        "locale": doc.locale,
        "content": content,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body[:STORED_BODY_CHARS],
        "url": doc.url,
        "solved": bool(doc.solved),
        "popularity": int(doc.popularity),
        "title_prefix": doc.title,
        "spell": "\n".join(_clean(p) for p in spell_parts),
    }
    if doc.tags:
        fields["tags"] = ",".join(t.strip() for t in doc.tags if t.strip())
    if doc.updated is not None:
        fields["updated"] = doc.updated
    return fields


def suggestion_prior(is_article: bool, solved: bool, popularity: int, title_chars: int) -> float:
    """How good a suggestion a matching title is: articles, then solved topics, then popular
    ones (logarithmically), shorter titles first among equals."""
    base = ARTICLE_SUGGEST_BOOST if is_article else (1.5 if solved else 1.0)
    return base * (1.0 + math.log1p(max(popularity, 0)) / 10.0) / (1.0 + title_chars / 400.0)


def _clean(text: str) -> str:
    """Text with the section separator removed, so a document can't forge a section."""
    return text.replace(SECTION_SEPARATOR, " ") if text else ""
