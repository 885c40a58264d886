"""Revision history, diffs between any two revisions, and restoring an old one."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import User
from app.editor.audit import record_action
from app.editor.blueprint import bp, get_article_or_404, render_with_status
from app.editor.diffing import diff_snapshots
from app.editor.errors import EditorError
from app.editor.forms import ActionForm
from app.editor.revisions import (
    REVISION_SOURCE_LABELS,
    find_revision,
    restore_revision,
    working_number,
)
from app.extensions import db
from app.flashes import flash_message
from app.request_numbers import whole_number


def _names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return dict(rows.all())


@bp.get("/articles/<int:article_id>/history")
def history(article_id: int):
    article = get_article_or_404(article_id)
    revisions = sorted(article.revisions, key=lambda r: r.number, reverse=True)
    people = _names({r.author_id for r in revisions} | {r.published_by_id for r in revisions})
    return render_with_status(
        "editor/history.html",
        article=article,
        revisions=revisions,
        people=people,
        working=working_number(article),
        action_form=ActionForm(),
        source_labels=REVISION_SOURCE_LABELS,
    )


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    return whole_number(value, max_digits=9)


@bp.get("/articles/<int:article_id>/diff")
def diff(article_id: int):
    article = get_article_or_404(article_id)
    numbers = sorted(r.number for r in article.revisions)
    new_number = _number("b") or (numbers[-1] if numbers else None)
    old_number = _number("a") or (new_number - 1 if new_number else None)
    old, new = find_revision(article, old_number or 0), find_revision(article, new_number or 0)
    if old is None or new is None:
        abort(404)
    diffs = diff_snapshots(
        {**old.snapshot, "slug": old.slug or ""}, {**new.snapshot, "slug": new.slug or ""}
    )
    return render_with_status(
        "editor/diff.html", article=article, old=old, new=new, diffs=diffs, numbers=numbers
    )


@bp.post("/articles/<int:article_id>/revisions/<int:number>/restore")
def restore(article_id: int, number: int):
    article = get_article_or_404(article_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        revision = restore_revision(article, number, author_id=current_user.id)
        record_action(
            current_user.id, "restore", article=article, revision=revision.number, restored=number
        )
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        flash_message(error.message, "error")
        return redirect(url_for("editor.history", article_id=article.id), 303)
    if article.is_published:
        message = _(
            "Revision %(old)s restored as revision %(new)s. Publish it to make it live.",
            old=number,
            new=revision.number,
        )
    else:
        message = _(
            "Revision %(old)s restored as revision %(new)s.", old=number, new=revision.number
        )
    flash_message(message, "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)
