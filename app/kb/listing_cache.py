"""What many pages repeat (category cards, popular and recent articles), cached per process.

Entries are keyed by locale and the content version, which every publish bumps (see
app/kb/related.py), so a publish in any worker invalidates them at once; popularity
(view counts) may lag by LISTING_CACHE_SECONDS. Plain values are cached, never ORM objects.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app.kb import services
from app.kb.models import Article
from app.kb.related import content_version

EXTENSION_KEY = "kb_listing_cache"  # app.extensions: (lock, {key: (expires, value)})


@dataclass(frozen=True)
class ArticleLink:
    """Enough of an article to list it (the article_list macro reads these names)."""

    locale: str
    slug: str
    title: str
    summary: str
    is_guide: bool
    updated_at: datetime


@dataclass(frozen=True)
class CategoryCard:
    slug: str
    name: str
    description: str
    article_count: int


def article_link(article: Article) -> ArticleLink:
    return ArticleLink(
        article.locale,
        article.slug,
        article.title,
        article.summary,
        article.is_guide,
        article.updated_at,
    )


def _store() -> tuple[threading.Lock, dict[tuple, tuple[float, object]]]:
    return current_app.extensions.setdefault(EXTENSION_KEY, (threading.Lock(), {}))


def _cached(name: str, locale: str, compute: Callable[[], object]):
    lock, entries = _store()
    version = content_version()
    key = (name, locale, version)
    now = time.monotonic()
    hit = entries.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    with lock:
        for stale in [k for k in entries if k[2] != version]:
            entries.pop(stale, None)
        entries[key] = (now + current_app.config["LISTING_CACHE_SECONDS"], value)
    return value


def category_cards(locale: str) -> list[CategoryCard]:
    def compute():
        return [
            CategoryCard(
                s.category.slug,
                s.category.name_in(locale),
                s.category.description_in(locale),
                s.article_count,
            )
            for s in services.categories_with_counts(locale)
        ]

    return _cached("categories", locale, compute)


def popular(locale: str) -> list[ArticleLink]:
    return _cached(
        "popular", locale, lambda: [article_link(a) for a in services.popular_articles(locale)]
    )


def recent(locale: str) -> list[ArticleLink]:
    return _cached(
        "recent", locale, lambda: [article_link(a) for a in services.recently_updated(locale)]
    )
