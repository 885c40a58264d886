"""What an article page shows the same to every reader, read once per process and content version.

An article read with a session (signed in, or after a vote) is rendered for each reader, but
its article, translations, related articles and steps are the same for all of them until
published content changes: they are kept here as plain values (never ORM objects), keyed by
locale, slug and the content version that every publish, edit and attachment bumps
(app/kb/related.py; another worker sees a bump within a second), for at most
ARTICLE_PAGE_SECONDS and ARTICLE_PAGE_ENTRIES per process. The page's sections that hold
nothing of the reader's are rendered once per kept article and address (`kept_section`).
Rendered reads with a session took 4 SELECTs and 7.3 ms CPU each (bench/rendered_cpu.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, request
from markupsafe import Markup

from app.kb import services
from app.kb.listing_cache import ArticleLink, article_link
from app.kb.related import content_version, related_to
from app.page_cache import fresh_value, keep_value

EXTENSION_KEY = "kb_article_pages"  # app.extensions: (lock, OrderedDict key -> (expires, page))
SECTIONS_KEPT = 25  # per article: its 5 sections for up to 5 addresses (scheme, host, root)


@dataclass(frozen=True)
class StepText:
    """One step of a guide as its page shows it."""

    key: str
    title: str
    body_html: str


@dataclass(frozen=True)
class ArticlePage:
    """A published article as its page shows it, with the sections rendered from it so far."""

    id: int
    locale: str
    slug: str
    translation_key: str
    title: str
    summary: str
    body_html: str
    toc: tuple[dict, ...]
    is_guide: bool
    steps: tuple[StepText, ...]
    updated_at: datetime
    category_slug: str
    category_name: str
    translations: dict[str, str]  # locale -> slug of each published version, itself included
    related: tuple[ArticleLink, ...]
    sections: dict[tuple, Markup] = field(default_factory=dict, compare=False)


def _read(locale: str, slug: str) -> ArticlePage | None:
    article = services.published_article(locale, slug)
    if article is None:
        return None
    translations = services.translations_of(article)
    return ArticlePage(
        id=article.id,
        locale=article.locale,
        slug=article.slug,
        translation_key=article.translation_key,
        title=article.title,
        summary=article.summary,
        body_html=article.body_html,
        toc=tuple(article.toc or ()),
        is_guide=article.is_guide,
        steps=tuple(StepText(s.key, s.title, s.body_html) for s in article.steps)
        if article.is_guide
        else (),
        updated_at=article.updated_at,
        category_slug=article.category.slug,
        category_name=article.category.name_in(locale),
        translations={other: found.slug for other, found in translations.items()},
        related=tuple(article_link(a) for a in related_to(article)),
    )


def article_page(locale: str, slug: str) -> ArticlePage | None:
    """The published article at (locale, slug) as its page shows it, or None."""
    store = current_app.extensions.setdefault(EXTENSION_KEY, (threading.Lock(), OrderedDict()))
    key = (locale, slug, content_version())
    page = fresh_value(store, key)
    if page is None:
        page = _read(locale, slug)
        if page is not None:
            config = current_app.config
            seconds, limit = config["ARTICLE_PAGE_SECONDS"], config["ARTICLE_PAGE_ENTRIES"]
            keep_value(store, key, page, seconds, limit)
    return page


def kept_section(page: ArticlePage, name: str, caller: Callable[[], str]) -> Markup:
    """A section of `page` that holds nothing of the reader's, rendered once per address.

    In a template: `{% call kept_section(article, "aside") %}…{% endcall %}`; the links in it
    name the site's address (canonical and absolute URLs), so each address has its own copy.
    """
    key = (name, request.root_url)
    found = page.sections.get(key)
    if found is None or current_app.debug:
        found = Markup(caller())
        if len(page.sections) < SECTIONS_KEPT:  # a stream of made-up Host headers keeps nothing
            page.sections[key] = found
    return found
