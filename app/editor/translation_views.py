"""Translations: the dashboard of missing and outdated ones, and starting a new translation."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.editor.article_views import (
    MOVE_STEP_FIELD,
    error_to_form,
    moved_step_response,
    render_editor,
    setup_form,
)
from app.editor.audit import record_action
from app.editor.blueprint import bp, get_article_or_404, render_with_status
from app.editor.drafts import build_fields, fields_to_input, with_generated_slug
from app.editor.errors import EditorError
from app.editor.forms import ArticleForm
from app.editor.revisions import category_by_slug, create_article
from app.editor.translations import translation_dashboard, translations_by_locale
from app.extensions import db
from app.flashes import flash_message
from app.kb.articles import content_revision, fields_of
from app.kb.models import ArticleStatus


@bp.get("/translations")
def translations():
    return render_with_status("editor/translations.html", reports=translation_dashboard())


@bp.route("/articles/<int:article_id>/translate/<target>", methods=["GET", "POST"])
def translate(article_id: int, target: str):
    """A new translation of a source article, edited beside the source text."""
    source = get_article_or_404(article_id)
    locale = target
    if locale not in current_app.config["LOCALES"] or locale == source.locale:
        abort(404)
    existing = translations_by_locale(source).get(locale)
    if existing is not None:
        return redirect(url_for("editor.edit_article", article_id=existing.id), 303)
    form = ArticleForm()
    setup_form(form, locale)
    if request.method == "GET":
        form.fill(fields_to_input(fields_of(source)), source.category.slug)
        form.in_sync.data = True
        form.source_revision.data = str(content_revision(source))
        return render_editor(form, source=source, translating_to=locale)
    if not form.validate_on_submit() or request.form.get("action") == "preview":
        status = 200 if request.form.get("action") == "preview" else 400
        return render_editor(form, status=status, source=source, translating_to=locale)
    if MOVE_STEP_FIELD in request.form:
        return moved_step_response(form, source=source, translating_to=locale)
    try:
        category = category_by_slug(form.category.data or "")
        data = with_generated_slug(form.to_input(locale, source.translation_key), source.slug)
        fields = build_fields(data, category.slug, ArticleStatus.DRAFT.value)
        article = create_article(fields, category, author_id=current_user.id)
        db.session.flush()
        number = content_revision(source) if form.in_sync.data else None
        if number is not None:
            article.source_revision = number
            article.revisions[-1].source_revision = number
        record_action(current_user.id, "translate", article=article, source=source.id)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        error_to_form(form, error)
        return render_editor(form, status=error.status, source=source, translating_to=locale)
    except IntegrityError:
        db.session.rollback()
        error_to_form(form, EditorError(_("That URL name was just taken."), field="slug"))
        return render_editor(form, status=409, source=source, translating_to=locale)
    flash_message(_l("Translation draft created."), "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)
