"""Import content/ into the database and export it back, losslessly and idempotently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.kb.articles import content_revision, fields_of, find_article, save_article
from app.kb.content_files import (
    CATEGORIES_FILE,
    ArticleFields,
    CategoryFields,
    ContentFileError,
    format_article,
    format_categories,
    read_article_file,
    read_categories,
)
from app.kb.content_render import rerender_articles
from app.kb.models import Article, ArticleStatus, Category

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    """What one import did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Both the file and the database changed since the last sync: reported, never overwritten.
    conflicts: list[str] = field(default_factory=list)
    # Only the database changed since the last sync (edited in the browser): kept; export it.
    kept: list[str] = field(default_factory=list)
    # Unchanged content whose stored HTML a newer renderer changed.
    rerendered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.conflicts

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "archived": len(self.archived),
            "failed": len(self.failed),
            "conflicts": len(self.conflicts),
            "kept": len(self.kept),
            "rerendered": len(self.rerendered),
        }


def _sync_categories(found: list[CategoryFields]) -> dict[str, Category]:
    """Create or update categories from categories.yml; categories are never deleted."""
    by_slug = {c.slug: c for c in db.session.scalars(select(Category))}
    for fields in found:
        category = by_slug.get(fields.slug) or Category(slug=fields.slug)
        if category.id is None:
            db.session.add(category)
            by_slug[fields.slug] = category
        if (category.position, category.names, category.descriptions) != (
            fields.position,
            fields.names,
            fields.descriptions,
        ):
            category.position = fields.position
            category.names = dict(fields.names)
            category.descriptions = dict(fields.descriptions)
    return by_slug


def article_files(root: Path) -> list[Path]:
    """Every Markdown file below root except the top-level documentation."""
    return sorted(p for p in root.rglob("*.md") if p.parent != root)


def import_content(
    root: Path, locales: tuple[str, ...], progress: Progress | None = None
) -> ImportReport:
    """Load a content tree; a broken file is reported and skipped, the rest still import."""
    report = ImportReport()
    try:
        found_categories = read_categories(root / CATEGORIES_FILE, locales)
    except ContentFileError as error:
        report.failed.append((CATEGORIES_FILE, str(error)))
        return report
    categories = _sync_categories(found_categories)
    known = {c.slug for c in found_categories}
    seen: dict[tuple[str, str], str] = {}
    written: list[Article] = []
    in_sync: list[Article] = []  # the article now equals its file (written or unchanged)
    for path in article_files(root):
        relative = path.relative_to(root).as_posix()
        if progress:
            progress(relative)
        locale, slug = path.relative_to(root).parts[0], path.stem
        try:
            fields = read_article_file(root, path, locales, known)
            if (locale, slug) in seen:
                raise ContentFileError(f"same locale and slug as {seen[(locale, slug)]}")
        except ContentFileError as error:
            report.failed.append((relative, str(error)))
            seen.setdefault((locale, slug), relative)  # a broken file never archives its article
            continue
        seen[(locale, slug)] = relative
        article, was_written = _import_one(fields, relative, categories[fields.category], report)
        if article is not None:
            in_sync.append(article)
            if was_written:
                written.append(article)
    _archive_missing(seen, report)
    follow_sources(written, in_sync)
    report.rerendered = [a.content_path or a.slug for a in rerender_articles()]
    db.session.commit()
    return report


def follow_sources(written: list[Article], in_sync: list[Article] = ()) -> None:
    """Translations written by an import were reviewed against their source as it now stands.

    Importing a consistent set marks nothing out of date; a later import that changes only
    the source language leaves its translations behind, so they show as outdated. A
    translation never tracked (imported by an older version) that matches its file, while its
    source matches its own, starts following the source as it now stands.
    """
    default = current_app.config["DEFAULT_LOCALE"]
    db.session.flush()
    synced = {a.id for a in in_sync}
    written_ids = {a.id for a in written}
    untracked = [a for a in in_sync if a.source_revision is None and a.id not in written_ids]
    for article in [*written, *untracked]:
        if article.locale == default:
            continue
        source = db.session.scalar(
            select(Article).filter_by(locale=default, translation_key=article.translation_key)
        )
        untouched_source = source is not None and source.id in synced - written_ids
        if article.id not in written_ids and not untouched_source:
            continue
        article.source_revision = content_revision(source) if source is not None else None


def sync_state(article: Article, file_digest: str) -> str:
    """How an article and its file relate: same, file_changed, db_changed or conflict.

    The digest recorded at the last import or export is the common ancestor: whichever
    side differs from it changed. An article written in the browser was never synced, so a
    file that appears for it with different content is a conflict too.
    """
    db_digest = fields_of(article).digest()
    if db_digest == file_digest:
        return "same"
    synced = article.synced_digest
    if synced is None:
        return "conflict"
    file_changed, db_changed = file_digest != synced, db_digest != synced
    if file_changed and db_changed:
        return "conflict"
    return "db_changed" if db_changed else "file_changed"


def _import_one(
    fields: ArticleFields, relative: str, category: Category, report: ImportReport
) -> tuple[Article | None, bool]:
    """Import one file; returns the article when it now matches the file, and whether its
    content was written."""
    article = find_article(fields.locale, fields.slug)
    if article is not None:
        state = sync_state(article, fields.digest())
        if state == "conflict":
            report.conflicts.append(relative)
            return None, False
        if state == "db_changed":
            report.kept.append(relative)
            return None, False
    article, changed = save_article(article, fields, category, source="import")
    digest = fields.digest()
    if (article.content_path, article.synced_digest) != (relative, digest):
        # only then: an unchanged article stays clean (its search rows are not rewritten)
        article.content_path, article.synced_digest = relative, digest
    if not changed:
        report.unchanged.append(relative)
        return article, False
    if len(article.revisions) == 1:
        report.added.append(relative)
    else:
        report.updated.append(relative)
    return article, True


def _archive_missing(seen: dict[tuple[str, str], str], report: ImportReport) -> None:
    """Articles whose file is gone are archived, never deleted."""
    query = select(Article).where(
        Article.content_path.is_not(None), Article.status != ArticleStatus.ARCHIVED.value
    )
    for article in db.session.scalars(query):
        if (article.locale, article.slug) in seen or article.synced_digest is None:
            continue
        fields = replace(fields_of(article), status=ArticleStatus.ARCHIVED.value)
        save_article(article, fields, article.category, source="import")
        article.synced_digest = fields.digest()
        report.archived.append(article.content_path)


def export_content(root: Path, articles: Iterable[Article] | None = None) -> int:
    """Write articles and categories back as files; returns how many articles were written."""
    root.mkdir(parents=True, exist_ok=True)
    categories = db.session.scalars(select(Category).order_by(Category.position)).all()
    category_fields = [
        CategoryFields(c.slug, c.position, c.names, c.descriptions) for c in categories
    ]
    (root / CATEGORIES_FILE).write_text(format_categories(category_fields), encoding="utf-8")
    if articles is None:
        articles = db.session.scalars(select(Article).order_by(Article.locale, Article.slug))
    written = 0
    for article in articles:
        fields = fields_of(article)
        relative = fields.relative_path().as_posix()
        if article.content_path and article.content_path != relative:
            (root / article.content_path).unlink(missing_ok=True)  # the article changed category
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(format_article(fields), encoding="utf-8")
        article.content_path = relative
        article.synced_digest = fields.digest()
        written += 1
    db.session.commit()
    return written
