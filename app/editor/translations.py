"""Translations: which source revision each one follows, and which are missing or out of date."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.kb.articles import CONTENT_FIELDS, content_revision
from app.kb.models import Article, ArticleStatus, RevisionState


def source_locale() -> str:
    return current_app.config["DEFAULT_LOCALE"]


def source_of(article: Article) -> Article | None:
    """The source-language article this one translates (None for the source itself)."""
    if article.locale == source_locale():
        return None
    return db.session.scalar(
        select(Article).filter_by(locale=source_locale(), translation_key=article.translation_key)
    )


def translated_from(translation: Article, source: Article) -> int:
    """The source revision a translation follows; untracked ones (imported) count from the
    source revision that was current when the translation's text last changed."""
    if translation.source_revision is not None:
        return translation.source_revision
    changed = [
        r.created_at
        for r in translation.revisions
        if r.state == RevisionState.APPLIED.value and CONTENT_FIELDS & set(r.changed_fields or ())
    ]
    if not changed:
        return 0
    last = max(changed)
    numbers = [
        r.number
        for r in source.revisions
        if r.state == RevisionState.APPLIED.value
        and CONTENT_FIELDS & set(r.changed_fields or ())
        and r.created_at <= last
    ]
    return max(numbers, default=0)


def is_outdated(translation: Article, source: Article | None = None) -> bool:
    source = source or source_of(translation)
    if source is None:
        return False
    return translated_from(translation, source) < content_revision(source)


@dataclass
class LocaleReport:
    locale: str
    missing: list[Article] = field(default_factory=list)  # source articles
    outdated: list[tuple[Article, Article]] = field(default_factory=list)  # (translation, source)
    current: int = 0


def translation_dashboard() -> list[LocaleReport]:
    """Per target locale: published source articles with no translation, or an outdated one."""
    base = source_locale()
    sources = db.session.scalars(
        select(Article)
        .where(Article.locale == base, Article.status == ArticleStatus.PUBLISHED.value)
        .order_by(Article.title)
    ).all()
    others = db.session.scalars(
        select(Article).where(
            Article.locale != base, Article.status != ArticleStatus.ARCHIVED.value
        )
    ).all()
    by_key = {(a.locale, a.translation_key): a for a in others}
    reports = []
    for locale in current_app.config["LOCALES"]:
        if locale == base:
            continue
        report = LocaleReport(locale)
        for source in sources:
            translation = by_key.get((locale, source.translation_key))
            if translation is None:
                report.missing.append(source)
            elif is_outdated(translation, source):
                report.outdated.append((translation, source))
            else:
                report.current += 1
        reports.append(report)
    return reports


def translations_by_locale(article: Article) -> dict[str, Article]:
    """Every version (any status) sharing the article's translation key."""
    query = select(Article).filter_by(translation_key=article.translation_key)
    return {a.locale: a for a in db.session.scalars(query)}
