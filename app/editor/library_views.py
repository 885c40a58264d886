"""Editor pages beside articles: search synonyms, the audit log, image uploads."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.editor import audit, media, synonyms
from app.editor.audit import record_action
from app.editor.blueprint import bp, render_with_status
from app.editor.errors import EditorError
from app.editor.forms import ActionForm, MediaForm, SynonymForm
from app.extensions import db
from app.flashes import flash_message
from app.request_numbers import whole_number


def _locale_arg() -> str:
    locale = request.values.get("locale", "")
    return (
        locale if locale in current_app.config["LOCALES"] else current_app.config["DEFAULT_LOCALE"]
    )


def _render_synonyms(locale: str, form: SynonymForm, status: int = 200):
    return render_with_status(
        "editor/synonyms.html",
        status,
        locale_shown=locale,
        rows=synonyms.synonyms_in(locale),
        form=form,
        action_form=ActionForm(),
        locales=current_app.config["LOCALES"],
    )


@bp.route("/synonyms", methods=["GET", "POST"])
def synonym_list():
    locale = _locale_arg()
    form = SynonymForm()
    if request.method == "GET":
        return _render_synonyms(locale, SynonymForm(formdata=None))
    if not form.validate_on_submit():
        return _render_synonyms(locale, form, 400)
    try:
        synonyms.save_synonym(
            locale,
            form.term.data or "",
            form.synonyms.data or "",
            user_id=current_user.id,
            synonym_id=form.synonym_id.data,
        )
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        field = getattr(form, error.field or "", None)
        (field.errors if field is not None else form.form_errors).append(error.message)
        return _render_synonyms(locale, form, error.status)
    except IntegrityError:
        db.session.rollback()
        form.term.errors.append(_("That word already has synonyms."))
        return _render_synonyms(locale, form, 409)
    flash_message(_l("Synonyms saved. Search uses them from now on."), "success")
    return redirect(url_for("editor.synonym_list", locale=locale), 303)


@bp.post("/synonyms/<int:synonym_id>/delete")
def synonym_delete(synonym_id: int):
    locale = _locale_arg()
    if not ActionForm().validate_on_submit():
        flash_message(_l("Your form expired. Reload the page and try again."), "error")
        return redirect(url_for("editor.synonym_list", locale=locale), 303)
    try:
        synonyms.delete_synonym(locale, synonym_id, user_id=current_user.id)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        flash_message(error.message, "error")
    else:
        flash_message(_l("Synonyms deleted."), "success")
    return redirect(url_for("editor.synonym_list", locale=locale), 303)


@bp.get("/audit")
def audit_log():
    page = whole_number(request.args.get("page", "1"), max_digits=5) or 1
    article_id = request.args.get("article", "")
    action = request.args.get("action") or None
    rows, has_more = audit.audit_page(
        max(page, 1),
        whole_number(article_id, max_digits=9),
        action[:40] if action else None,
    )
    return render_with_status(
        "editor/audit.html",
        rows=rows,
        has_more=has_more,
        page=page,
        actions=audit.action_names(),
        action=action,
        action_labels=audit.ACTION_LABELS,
        detail_labels=audit.DETAIL_LABELS,
    )


def _render_media(form: MediaForm, status: int = 200, uploaded=None):
    return render_with_status(
        "editor/media.html",
        status,
        form=form,
        files=media.recent_media(),
        uploaded=uploaded,
        max_kb=media.max_bytes() // 1000,
    )


@bp.route("/media", methods=["GET", "POST"])
def media_library():
    form = MediaForm()
    if request.method == "GET":
        return _render_media(MediaForm(formdata=None))
    if not form.validate_on_submit():
        return _render_media(form, 400)
    upload = request.files.get("file")
    article_id = form.article_id.data
    try:
        if upload is None:
            raise EditorError(_("Choose an image file to upload."), field="file")
        stored = media.store_image(
            upload.stream,
            upload.filename or "",
            user_id=current_user.id,
            article_id=whole_number(article_id, max_digits=9),
        )
        record_action(
            current_user.id, "upload_image", subject=stored.name, original=stored.original_name
        )
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return _render_media(form, error.status)
    except IntegrityError:
        db.session.rollback()
        form.file.errors = [_("That article no longer exists.")]
        return _render_media(form, 400)
    flash_message(_l("Image uploaded. Copy the Markdown below into the article."), "success")
    return _render_media(MediaForm(formdata=None), uploaded=stored)
