"""Editor pages: the article list, creating and editing with a live preview, the workflow."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from app.editor import capture, workflow
from app.editor.audit import record_action
from app.editor.blueprint import bp, get_article_or_404, render_with_status
from app.editor.diffing import diff_snapshots
from app.editor.drafts import build_fields, fields_to_input, with_generated_slug
from app.editor.errors import ConflictError, EditorError
from app.editor.forms import ActionForm, ArticleForm, ScheduleForm
from app.editor.listing import STATUS_FILTERS, ArticleFilter, list_articles
from app.editor.preview import preview_markdown
from app.editor.revisions import (
    category_by_slug,
    create_article,
    discard_pending,
    pending_revision,
    save_edit,
    working_fields,
    working_number,
)
from app.editor.slugs import suggest_slug
from app.editor.translations import (
    content_revision,
    is_outdated,
    source_of,
    translations_by_locale,
)
from app.extensions import db
from app.flashes import flash_message
from app.kb.articles import snapshot_of
from app.kb.models import Article, ArticleKind, ArticleStatus, Category
from app.locales import LOCALE_NAMES
from app.request_numbers import whole_number

MOVE_STEP_FIELD = "move_step"  # the name of the steps' "Move up" / "Move down" buttons


def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.slug)))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return whole_number(value, max_digits=9)


def setup_form(form: ArticleForm, locale: str) -> None:
    form.category.choices = [SelectChoice(c.slug, c.name_in(locale)) for c in _categories()]
    form.locale.choices = [SelectChoice(code, LOCALE_NAMES.get(code, code)) for code in _locales()]


def _locales() -> list[str]:
    return list(current_app.config["LOCALES"])


def error_to_form(form: ArticleForm, error: EditorError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors or []), error.message]
    else:
        form.form_errors.append(error.message)


@bp.get("/")
def index():
    chosen = ArticleFilter(
        locale=request.args.get("locale") if request.args.get("locale") in _locales() else None,
        category_id=_int_arg("category"),
        kind=request.args.get("kind") if request.args.get("kind") in set(ArticleKind) else None,
        status=request.args.get("status") if request.args.get("status") in STATUS_FILTERS else None,
        needs_review=request.args.get("review") == "1",
        missing=request.args.get("missing") if request.args.get("missing") in _locales() else None,
        text=(request.args.get("q") or "").strip()[:100] or None,
        page=_int_arg("page") or 1,
    )
    rows, has_more = list_articles(chosen, current_app.config["DEFAULT_LOCALE"])
    return render_with_status(
        "editor/index.html",
        rows=rows,
        has_more=has_more,
        chosen=chosen,
        categories=_categories(),
        locales=_locales(),
        statuses=STATUS_FILTERS,
    )


@bp.post("/preview")
def preview():
    """JSON for the live preview: the body rendered by app/markdown.py, and warnings."""
    form = ActionForm()
    if not form.validate_on_submit():
        return jsonify(error=_("Your session expired. Reload the page.")), 400
    locale = request.form.get("locale")
    if locale not in current_app.config["LOCALES"]:
        locale = None  # callout titles then follow the editor's own language
    result = preview_markdown(request.form.get("body", ""), locale)
    return jsonify(html=result.html, warnings=result.warnings)


@bp.get("/slug")
def slug_preview():
    """JSON for the new-article form: the URL name an empty field will get from the title."""
    locale = request.args.get("locale", "")
    if locale not in _locales():
        locale = current_app.config["DEFAULT_LOCALE"]
    source = get_article_or_404(_int_arg("source")) if request.args.get("source") else None
    title = " ".join(request.args.get("title", "").split())[:200]
    fallback = source.slug if source is not None else "article"
    return jsonify(slug=suggest_slug(title, locale, fallback) if title else "")


def render_editor(form, article=None, status=200, **context):
    """The edit page: form, live preview, and (for translations) the source beside it."""
    body = form.body.data or ""
    shown = preview_markdown(body, article.locale if article is not None else form.locale.data)
    if not any(not (s.form.title.data or s.form.body.data) for s in form.steps):
        form.add_blank_step()
    source = source_of(article) if article is not None else context.pop("source", None)
    context.setdefault("source", source)
    if article is not None:
        context.update(
            state=workflow.workflow_state(article),
            pending=pending_revision(article),
            scheduled_at=workflow.scheduled_at(article),
            topic=capture.topic_for_article(article),
            translations=translations_by_locale(article),
            outdated=is_outdated(article, source) if source else False,
            review_required=workflow.review_required(),
            submitter_id=workflow.submitter_id(article),
        )
    return render_with_status(
        "editor/edit.html",
        status,
        form=form,
        article=article,
        preview=shown,
        action_form=ActionForm(),
        schedule_form=ScheduleForm(formdata=None),
        **context,
    )


def moved_step_response(form: ArticleForm, article=None, **context):
    """A "Move up/down" button pressed without JavaScript: the form again with two steps
    swapped and everything typed kept. Nothing is saved; a bad move is refused with a 400."""
    try:
        move = form.move_step(request.form.get(MOVE_STEP_FIELD))
    except EditorError as error:
        error_to_form(form, error)
        return render_editor(form, article, status=error.status, **context)
    return render_editor(form, article, step_moved=move, **context)


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article():
    form = ArticleForm()
    default_locale = current_app.config["DEFAULT_LOCALE"]
    setup_form(form, request.args.get("locale") or default_locale)
    if request.method == "GET":
        prefill = capture.gap_prefill(request.args.get("title"), request.args.get("keywords"))
        form.title.data = prefill.get("title", "")
        form.tags.data = prefill.get("tags", "")
        form.slug.data = prefill.get("slug", "")
        form.kind.data = ArticleKind.FAQ.value
        locale = request.args.get("locale")
        form.locale.data = locale if locale in _locales() else default_locale
        return render_editor(form)
    if not form.validate_on_submit():
        return render_editor(form, status=400)
    locale = form.locale.data if form.locale.data in _locales() else default_locale
    if MOVE_STEP_FIELD in request.form:
        return moved_step_response(form)
    if request.form.get("action") == "preview":
        return render_editor(form)
    try:
        category = category_by_slug(form.category.data or "")
        data = with_generated_slug(form.to_input(locale))
        fields = build_fields(data, category.slug, ArticleStatus.DRAFT.value)
        article = create_article(fields, category, author_id=current_user.id)
        record_action(current_user.id, "create", article=article)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        error_to_form(form, error)
        return render_editor(form, status=error.status)
    except IntegrityError:
        db.session.rollback()
        error_to_form(form, EditorError(_("That URL name was just taken."), field="slug"))
        return render_editor(form, status=409)
    flash_message(_l("Draft created. It is not public until you publish it."), "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
def edit_article(article_id: int):
    article = get_article_or_404(article_id)
    form = ArticleForm()
    setup_form(form, article.locale)
    source = source_of(article)
    if request.method == "GET":
        form.fill(fields_to_input(working_fields(article)), working_fields(article).category)
        form.base_revision.data = str(working_number(article))
        if source is not None:
            form.source_revision.data = str(_source_number(source))
        return render_editor(form, article)
    if not form.validate_on_submit():
        return render_editor(form, article, status=400)
    if MOVE_STEP_FIELD in request.form:
        return moved_step_response(form, article)
    if request.form.get("action") == "preview":
        return render_editor(form, article)
    base = form.base_number()
    if base is None:
        form.form_errors.append(_("The form is incomplete. Reload the page and try again."))
        return render_editor(form, article, status=400)
    if not (form.slug.data or "").strip():
        form.slug.data = working_fields(article).slug  # an emptied URL name stays as it was
    source_revision = None
    if source is not None and form.in_sync.data:
        source_revision = _int(form.source_revision.data)
    try:
        category = category_by_slug(form.category.data or "")
        fields = build_fields(
            form.to_input(article.locale, article.translation_key), category.slug, article.status
        )
        revision = save_edit(
            article,
            fields,
            category,
            author_id=current_user.id,
            base_number=base,
            source_revision=source_revision,
        )
        if revision is not None:
            record_action(current_user.id, "save", article=article, revision=revision.number)
        db.session.commit()
    except ConflictError as error:
        db.session.rollback()
        return _conflict(form, article, error)
    except EditorError as error:
        db.session.rollback()
        error_to_form(form, error)
        return render_editor(form, article, status=error.status)
    except IntegrityError:  # another save took the same revision number a moment earlier
        db.session.rollback()
        article = get_article_or_404(article_id)
        return _conflict(form, article, ConflictError(_conflict_message(), working_number(article)))
    if revision is None:
        flash_message(_l("Nothing changed."), "info")
    elif article.is_published:
        flash_message(
            _(
                "Saved as revision %(number)s. The published article stays as it is until you "
                "publish this change.",
                number=revision.number,
            ),
            "success",
        )
    else:
        flash_message(_l("Saved as revision %(number)s.", number=revision.number), "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)


def _conflict_message() -> str:
    return _(
        "Someone saved this article after you opened it. Your text is kept below with the "
        "differences; merge and save again."
    )


def _conflict(form: ArticleForm, article: Article, error: ConflictError):
    """Keep the editor's text, show what the other save changed, and rebase the form on it."""
    theirs = working_fields(article)
    mine_snapshot = None
    try:
        mine = build_fields(
            form.to_input(article.locale, article.translation_key),
            form.category.data or theirs.category,
            theirs.status,
        )
        mine_snapshot = {**snapshot_of(mine), "slug": mine.slug}
    except EditorError:
        mine_snapshot = {"body": form.body.data or "", "title": form.title.data or ""}
    diffs = diff_snapshots({**snapshot_of(theirs), "slug": theirs.slug}, mine_snapshot)
    form.base_revision.data = str(error.latest_number)
    form.form_errors.append(error.message)
    return render_editor(
        form, article, status=409, conflict_diffs=diffs, conflict_number=error.latest_number
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _source_number(source: Article) -> int:
    return content_revision(source)


def _workflow_action(article_id: int, action, done_message: str):
    article = get_article_or_404(article_id)
    if not ActionForm().validate_on_submit():
        flash_message(_l("Your form expired. Reload the page and try again."), "error")
        return redirect(url_for("editor.edit_article", article_id=article_id), 303)
    try:
        action(article, current_user.id)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        flash_message(error.message, "error")
        return redirect(url_for("editor.edit_article", article_id=article_id), 303)
    flash_message(done_message, "success")
    return redirect(url_for("editor.edit_article", article_id=article_id), 303)


@bp.post("/articles/<int:article_id>/submit")
def submit(article_id: int):
    return _workflow_action(article_id, workflow.submit_for_review, _("Sent for review."))


@bp.post("/articles/<int:article_id>/return")
def return_to_draft(article_id: int):
    return _workflow_action(article_id, workflow.return_to_draft, _("Returned to draft."))


@bp.post("/articles/<int:article_id>/publish")
def publish(article_id: int):
    return _workflow_action(article_id, workflow.publish, _("Published. The article is live."))


@bp.post("/articles/<int:article_id>/archive")
def archive(article_id: int):
    return _workflow_action(article_id, workflow.archive, _("Archived: removed from the site."))


@bp.post("/articles/<int:article_id>/reopen")
def reopen(article_id: int):
    return _workflow_action(article_id, workflow.reopen, _("Reopened as a draft."))


@bp.post("/articles/<int:article_id>/discard")
def discard(article_id: int):
    def run(article, user_id):
        revision = discard_pending(article, author_id=user_id)
        record_action(user_id, "discard", article=article, revision=revision.number)

    return _workflow_action(article_id, run, _("Unpublished changes discarded."))


@bp.post("/articles/<int:article_id>/unschedule")
def unschedule(article_id: int):
    return _workflow_action(article_id, workflow.cancel_schedule, _("Schedule cancelled."))


@bp.post("/articles/<int:article_id>/schedule")
def schedule(article_id: int):
    article = get_article_or_404(article_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash_message(_l("Enter a date and time to publish at."), "error")
        return redirect(url_for("editor.edit_article", article_id=article_id), 303)
    try:
        workflow.schedule(article, current_user.id, form.publish_at.data)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        flash_message(error.message, "error")
        return redirect(url_for("editor.edit_article", article_id=article_id), 303)
    flash_message(
        _("Scheduled for %(when)s UTC.", when=form.publish_at.data.strftime("%Y-%m-%d %H:%M")),
        "success",
    )
    return redirect(url_for("editor.edit_article", article_id=article_id), 303)
