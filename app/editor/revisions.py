"""Every save is a revision: create, edit (with optimistic concurrency), restore, rename.

An article's *working copy* is its newest revision. While an article is not published,
edits go straight to its fields (nothing is public yet). Once it is published, an edit
is a pending revision (state draft): the published text stays live until that revision
is published (app/editor/workflow.py).
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.editor.errors import ConflictError, EditorError
from app.extensions import db
from app.kb.articles import fields_of, next_revision_number, save_article, snapshot_of
from app.kb.content_files import ArticleFields, StepFields
from app.kb.models import (
    Article,
    ArticleRedirect,
    ArticleRevision,
    ArticleStatus,
    Category,
    RevisionState,
)

# How a revision was made (ArticleRevision.source), as the history page shows it.
REVISION_SOURCE_LABELS = {
    "discard": _l("Unpublished changes discarded"),
    "editor": _l("Edited"),
    "import": _l("Imported from content files"),
    "publish": _l("Publication"),
    "restore": _l("Older revision restored"),
    "system": _l("System"),
    "workflow": _l("Status change"),
}


def working_revision(article: Article) -> ArticleRevision | None:
    """The newest revision: what the editor edits."""
    return max(article.revisions, key=lambda r: r.number, default=None)


def working_number(article: Article) -> int:
    revision = working_revision(article)
    return revision.number if revision else 0


def pending_revision(article: Article) -> ArticleRevision | None:
    """The unpublished edit of a published article, if there is one."""
    revision = working_revision(article)
    return revision if revision is not None and revision.is_pending else None


def find_revision(article: Article, number: int) -> ArticleRevision | None:
    return next((r for r in article.revisions if r.number == number), None)


def fields_from_snapshot(article: Article, snapshot: dict, slug: str | None) -> ArticleFields:
    """A revision's snapshot as ArticleFields for this article."""
    return ArticleFields(
        locale=article.locale,
        slug=slug or article.slug,
        category=snapshot.get("category", article.category.slug),
        title=snapshot.get("title", ""),
        translation_key=snapshot.get("translation_key", article.translation_key),
        kind=snapshot.get("kind", article.kind),
        summary=snapshot.get("summary", ""),
        body=snapshot.get("body", ""),
        tags=tuple(snapshot.get("tags") or ()),
        status=snapshot.get("status", article.status),
        steps=tuple(
            StepFields(s["key"], s["title"], s.get("body", "")) for s in snapshot.get("steps", [])
        ),
    )


def working_fields(article: Article) -> ArticleFields:
    """What the editor sees: the pending revision if any, else the article itself."""
    pending = pending_revision(article)
    if pending is not None:
        return fields_from_snapshot(article, pending.snapshot, pending.slug)
    return fields_of(article)


def category_by_slug(slug: str) -> Category:
    category = db.session.scalar(select(Category).filter_by(slug=slug))
    if category is None:
        raise EditorError(
            _("The category %(slug)s no longer exists. Choose another one.", slug=slug),
            field="category",
        )
    return category


def check_slug_free(locale: str, slug: str, article: Article | None) -> None:
    """Two articles in one language cannot share a URL name."""
    query = select(Article.id).filter_by(locale=locale, slug=slug)
    if article is not None and article.id is not None:
        query = query.where(Article.id != article.id)
    if db.session.scalar(query) is not None:
        raise EditorError(
            _("Another article in this language already uses the URL name “%(slug)s”.", slug=slug),
            field="slug",
        )


def rename_slug(article: Article, new_slug: str) -> None:
    """Move the article to a new URL name; the old one keeps answering with a redirect."""
    if new_slug == article.slug:
        return
    check_slug_free(article.locale, new_slug, article)
    db.session.execute(
        delete(ArticleRedirect).where(
            ArticleRedirect.locale == article.locale, ArticleRedirect.slug == new_slug
        )
    )
    exists = db.session.scalar(
        select(ArticleRedirect).filter_by(locale=article.locale, slug=article.slug)
    )
    if exists is None:
        db.session.add(
            ArticleRedirect(locale=article.locale, slug=article.slug, article_id=article.id)
        )
    else:
        exists.article_id = article.id
    article.slug = new_slug


def create_article(fields: ArticleFields, category: Category, *, author_id: int | None) -> Article:
    """A new draft article (revision 1). The caller commits."""
    check_slug_free(fields.locale, fields.slug, None)
    # A new article may take over a URL name an old article left behind.
    db.session.execute(
        delete(ArticleRedirect).where(
            ArticleRedirect.locale == fields.locale, ArticleRedirect.slug == fields.slug
        )
    )
    fields = replace(fields, status=ArticleStatus.DRAFT.value)
    article, _changed = save_article(None, fields, category, source="editor", author_id=author_id)
    return article


def _clear_schedules(article: Article) -> None:
    """A newer revision voids any scheduled publication of an older one."""
    for revision in article.revisions:
        revision.publish_at = None


def save_edit(
    article: Article,
    fields: ArticleFields,
    category: Category,
    *,
    author_id: int | None,
    base_number: int,
    source: str = "editor",
    source_revision: int | None = None,
) -> ArticleRevision | None:
    """Record an edit made on top of revision `base_number`; None when nothing changed.

    A stale base is refused with ConflictError: nothing is ever silently overwritten.
    """
    latest = working_number(article)
    if base_number != latest:
        raise ConflictError(
            _(
                "Someone saved this article (revision %(number)s) after you opened it. "
                "Your text is kept below with the differences; merge and save again.",
                number=latest,
            ),
            latest_number=latest,
        )
    current = working_fields(article)
    if fields.slug != current.slug:
        check_slug_free(article.locale, fields.slug, article)
    if article.is_published:
        return _save_pending(
            article, fields, current, author_id, base_number, source, source_revision
        )
    fields = replace(fields, status=article.status)
    unchanged = snapshot_of(fields) == snapshot_of(current) and fields.slug == current.slug
    if unchanged and source_revision in (None, article.source_revision):
        return None
    rename_slug(article, fields.slug)
    _clear_schedules(article)
    before = len(article.revisions)
    save_article(article, fields, category, source=source, author_id=author_id)
    if len(article.revisions) == before:  # only the slug or source revision changed
        article.revisions.append(
            ArticleRevision(
                number=next_revision_number(article),
                source=source,
                author_id=author_id,
                changed_fields=["slug"] if fields.slug != current.slug else [],
                snapshot=snapshot_of(fields),
                slug=article.slug,
            )
        )
    revision = working_revision(article)
    revision.base_number = base_number
    revision.source_revision = source_revision
    if source_revision is not None:
        article.source_revision = source_revision
    return revision


def _save_pending(
    article: Article,
    fields: ArticleFields,
    current: ArticleFields,
    author_id: int | None,
    base_number: int,
    source: str,
    source_revision: int | None,
) -> ArticleRevision | None:
    fields = replace(fields, status=ArticleStatus.PUBLISHED.value)
    after = snapshot_of(fields)
    if (
        after == snapshot_of(current)
        and fields.slug == current.slug
        and (source_revision is None or source_revision == _pending_source(article))
    ):
        return None
    live = snapshot_of(fields_of(article))
    changed = sorted(k for k in after if live[k] != after[k])
    if fields.slug != article.slug:
        changed.append("slug")
    _clear_schedules(article)
    revision = ArticleRevision(
        number=next_revision_number(article),
        source=source,
        author_id=author_id,
        changed_fields=changed,
        snapshot=after,
        state=RevisionState.DRAFT.value,
        slug=fields.slug,
        base_number=base_number,
        source_revision=source_revision
        if source_revision is not None
        else _pending_source(article),
    )
    article.revisions.append(revision)
    return revision


def _pending_source(article: Article) -> int | None:
    pending = pending_revision(article)
    if pending is not None and pending.source_revision is not None:
        return pending.source_revision
    return article.source_revision


def restore_revision(article: Article, number: int, *, author_id: int | None) -> ArticleRevision:
    """Make an old revision the working copy again, as a new revision (nothing is lost)."""
    old = find_revision(article, number)
    if old is None:
        raise EditorError(_("There is no revision %(number)s.", number=number), status=404)
    fields = fields_from_snapshot(article, old.snapshot, old.slug or article.slug)
    category = category_by_slug(fields.category)
    revision = save_edit(
        article,
        fields,
        category,
        author_id=author_id,
        base_number=working_number(article),
        source="restore",
    )
    if revision is None:
        raise EditorError(_("Revision %(number)s is the same as the current text.", number=number))
    return revision


def discard_pending(article: Article, *, author_id: int | None) -> ArticleRevision:
    """Throw away a pending edit: a new working revision equal to the live article."""
    if pending_revision(article) is None:
        raise EditorError(_("There is no unpublished change to discard."))
    live = fields_of(article)
    revision = ArticleRevision(
        number=next_revision_number(article),
        source="discard",
        author_id=author_id,
        changed_fields=[],
        snapshot=snapshot_of(live),
        slug=article.slug,
        state=RevisionState.APPLIED.value,
    )
    _clear_schedules(article)
    article.revisions.append(revision)
    return revision
