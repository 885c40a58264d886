"""Attachments: the editor's page to attach and remove an article's files, and the list
under the published article (the `article_files` slot)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.editor import attachments
from app.editor.audit import record_action
from app.editor.blueprint import bp, get_article_or_404, render_with_status
from app.editor.errors import EditorError
from app.editor.forms import ActionForm, AttachmentForm
from app.editor.models import Attachment
from app.extensions import db
from app.flashes import flash_message
from app.kb.models import Article
from app.page_slots import add_to_slot

# Kept with the article per content version (app/kb/article_pages.py): adding or removing
# a file bumps it (attachments.py).
add_to_slot(bp, "article_files", "editor/_article_attachments.html")


@dataclass(frozen=True)
class AttachmentRow:
    """One attachment as a page lists it: its download name, type and size for people."""

    id: int
    name: str
    download_name: str
    type_label: str
    size_label: str


def attachment_rows(article: Article) -> list[AttachmentRow]:
    rows = []
    for attachment in attachments.attachments_of(article.id):
        file_type = attachments.file_type_of(attachment)
        rows.append(
            AttachmentRow(
                id=attachment.id,
                name=attachment.name,
                download_name=attachment.original_name,
                type_label=str(file_type.label) if file_type else attachment.content_type,
                size_label=attachments.size_label(attachment.size),
            )
        )
    return rows


bp.add_app_template_global(attachment_rows, "article_attachments")


def _audit(action: str, article: Article, attachment: Attachment) -> None:
    record_action(
        current_user.id,
        action,
        article=article,
        subject=attachment.name,
        original=attachment.original_name,
    )


def _render(article: Article, form: AttachmentForm, status: int = 200):
    allowed = attachments.allowed_types()
    return render_with_status(
        "editor/attachments.html",
        status,
        article=article,
        rows=attachment_rows(article),
        form=form,
        action_form=ActionForm(),
        allowed=", ".join(str(t.label) for t in allowed),
        accept=",".join(f".{t.extension}" for t in allowed),
        max_size=attachments.size_label(attachments.max_bytes()),
    )


@bp.route("/articles/<int:article_id>/attachments", methods=["GET", "POST"])
def article_attachments(article_id: int):
    article = get_article_or_404(article_id)
    form = AttachmentForm()
    if request.method == "GET":
        return _render(article, AttachmentForm(formdata=None))
    if not form.validate_on_submit():
        return _render(article, form, 400)
    upload = request.files.get("file")
    try:
        if upload is None:
            raise EditorError(_("Choose a file to attach."), field="file")
        stored = attachments.store_attachment(
            article, upload.stream, upload.filename or "", user_id=current_user.id
        )
        _audit("attach_file", article, stored)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return _render(article, form, error.status)
    flash_message(_l("File attached. It is listed under the article."), "success")
    return redirect(url_for("editor.article_attachments", article_id=article.id), 303)


@bp.post("/articles/<int:article_id>/attachments/<int:attachment_id>/remove")
def remove_attachment(article_id: int, attachment_id: int):
    article = get_article_or_404(article_id)
    back = url_for("editor.article_attachments", article_id=article.id)
    if not ActionForm().validate_on_submit():
        flash_message(_l("Your form expired. Reload the page and try again."), "error")
        return redirect(back, 303)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.article_id != article.id:
        abort(404)
    attachments.delete_attachment(attachment)
    _audit("remove_attachment", article, attachment)
    db.session.commit()
    flash_message(_l("Attachment removed."), "success")
    return redirect(back, 303)
