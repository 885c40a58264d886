"""Insights pages under /insights/: the CS and product dashboards, explorer, tasks, exports, tokens.

Who sees what: CS editors (and admins) use the CS dashboard and the gap workflow; product
(and CS editors, read-only) use the product dashboard and the explorer; both export and
make API tokens. Customers and moderators get 403 everywhere; anonymous visitors sign in.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.guards import role_required
from app.accounts.models import Role
from app.clock import utcnow
from app.errors import render_error
from app.extensions import db
from app.flashes import flash_message
from app.insights import dashboards, exports, tasks, tokens
from app.insights.filters import FilterError, Filters, default_filters, parse_filters
from app.insights.forms import (
    ExploreForm,
    FilterForm,
    OpenTaskForm,
    RevokeForm,
    TaskForm,
    TokenForm,
    status_labels,
)
from app.insights.gaps import content_gaps
from app.insights.metrics.help import HELP
from app.insights.source import RangeData
from app.insights.task_models import GapTask
from app.insights.time_limit import QueryTooSlow, database_time_limit
from app.kb.forms import reason_choices
from app.kb.models import Article, Category
from app.locales import LOCALE_NAMES, current_locale
from app.pagination import page_number
from app.request_numbers import whole_number

bp = Blueprint("insights", __name__, url_prefix="/insights")

CS_ROLES = (Role.CS_EDITOR.value,)  # admin passes every check
# The product dashboard, exports and API tokens: product and CS both read them.
PRODUCT_ROLES = (Role.PRODUCT.value, Role.CS_EDITOR.value)


def category_slugs() -> dict[str, str]:
    """Category slug -> its name in the staff member's language (the filter's choices).

    Read once per request (kept on the request, not `g`, which can outlive it): the filters
    and the filter form each ask, three times a page.
    """
    kept = getattr(request, "insights_category_slugs", None) if has_request_context() else None
    if kept is None:
        locale = current_locale()
        kept = {
            c.slug: c.name_in(locale)
            for c in db.session.scalars(sa.select(Category).order_by(Category.position))
        }
        if has_request_context():
            request.insights_category_slugs = kept
    return kept


def current_filters() -> tuple[Filters, str | None]:
    """The request's filters, or the defaults and a message saying what was wrong."""
    today = utcnow().date()
    try:
        return (
            parse_filters(
                request.args, today, current_app.config["LOCALES"], category_slugs().keys()
            ),
            None,
        )
    except FilterError as error:
        return default_filters(today), str(error)


def filter_form(form_class=FilterForm):
    form = form_class(formdata=request.args)
    form.locale.choices = [SelectChoice("", _("All languages"))] + [
        SelectChoice(code, LOCALE_NAMES.get(code, code)) for code in current_app.config["LOCALES"]
    ]
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(slug, name) for slug, name in category_slugs().items()
    ]
    return form


def render_page(template: str, error: str | None, **context):
    """Render an insights page; a bad filter re-renders the form with a 400 and no data."""
    context.setdefault("form", filter_form())
    form, filters = context["form"], context.get("filters")
    if form is not None and filters is not None and not error:
        form.start.data = form.start.data or filters.start.isoformat()
        form.end.data = form.end.data or filters.end.isoformat()
    context.update(help=HELP, error=error, roles=roles_of_user(), status_labels=status_labels())
    return render_template(template, **context), 400 if error else 200


def roles_of_user() -> dict[str, bool]:
    return {
        "cs": current_user.has_role(*CS_ROLES),
        "product": current_user.has_role(*PRODUCT_ROLES),
    }


@bp.get("/")
@role_required(*CS_ROLES)
def cs_dashboard():
    filters, error = current_filters()
    context = {} if error else dashboards.cs_dashboard(filters, utcnow())
    return render_page(
        "insights/cs.html",
        error,
        filters=filters,
        reasons=dict(reason_choices_pairs()),
        open_form=OpenTaskForm(),
        **context,
    )


def reason_choices_pairs():
    return [(choice.value, choice.label) for choice in reason_choices()]


@bp.get("/product")
@role_required(*PRODUCT_ROLES)
def product_dashboard():
    filters, error = current_filters()
    context = {} if error else dashboards.product_dashboard(filters, utcnow())
    return render_page("insights/product.html", error, filters=filters, **context)


@bp.get("/explore")
@role_required(*PRODUCT_ROLES)
def explore():
    filters, error = current_filters()
    form = filter_form(ExploreForm)
    term = " ".join((request.args.get("q") or "").split())
    if len(term) > 100:
        error = ngettext(
            "Please keep the search term under %(num)d character.",
            "Please keep the search term under %(num)d characters.",
            100,
        )
    result = chart = None
    if term and not error:
        try:
            with database_time_limit(current_app.config["INSIGHTS_EXPLORE_TIMEOUT_MS"]):
                result = dashboards.explore(
                    term, filters, utcnow(), tuple(current_app.config["LOCALES"])
                )
        except QueryTooSlow:
            error = _("That took too long to count. Try a shorter date range or another term.")
    if result is not None:
        from app.insights import charts

        chart = charts.line_chart(
            charts.day_labels(result.days),
            [
                ("searches", result.searches),
                ("zero", result.zero_results),
                ("clicks", result.clicks),
            ],
        )
    return render_page(
        "insights/explore.html",
        error,
        form=form,
        filters=filters,
        term=term,
        result=result,
        chart=chart,
    )


# -- gap workflow (CS only) -----------------------------------------------------------------


@bp.get("/tasks")
@role_required(*CS_ROLES)
def task_list():
    return task_page_response(tasks.task_page(page_number(request.args.get("page"))))


def task_page_response(pagination, edited: tuple[int, TaskForm] | None = None, status=200):
    """One page of tasks, each with its form (`edited`: a task's form just sent, with errors)."""
    found = pagination.items
    addressed = [t.addressed_at.date() for t in found if t.addressed_at]
    members = _gap_members() if addressed else {}
    live = tasks.live_queries_since(min(addressed), utcnow()) if addressed else []
    results = {
        t.id: tasks.after_addressed(t, members.get((t.locale, t.gap_key)), live) for t in found
    }
    choices = TaskChoices()
    forms = {t.id: _task_form(t, choices=choices) for t in found}
    if edited is not None:
        forms[edited[0]] = edited[1]
    html, _status = render_page(
        "insights/tasks.html",
        None,
        tasks=found,
        pagination=pagination,
        results=results,
        forms=forms,
        form=None,
    )
    return html, status


def task_url(task: GapTask) -> str:
    """The task list at the page and place that show `task`."""
    page = tasks.page_of(task)
    return url_for("insights.task_list", page=page if page > 1 else None, _anchor=f"task-{task.id}")


def _gap_members() -> dict[tuple[str, str], set[str]]:
    """The normalized queries folded into each current gap (last 90 days), for follow-ups."""
    today = utcnow().date()
    filters = Filters(start=today.fromordinal(today.toordinal() - 89), end=today)
    gaps = content_gaps(RangeData(filters, utcnow()), limit=500, details=False)
    return {(g.locale, g.key): g.members for g in gaps}


class TaskChoices:
    """The assignee and article choices of task forms, read once per page, not per task."""

    def __init__(self):
        self._assignees: list[SelectChoice] | None = None
        self._articles: dict[str, list[SelectChoice]] = {}

    def assignees(self) -> list[SelectChoice]:
        if self._assignees is None:
            self._assignees = [SelectChoice("", _("Nobody"))] + [
                SelectChoice(str(u.id), u.display_name) for u in tasks.assignable_users()
            ]
        return self._assignees

    def articles(self, locale: str) -> list[SelectChoice]:
        if locale not in self._articles:
            rows = db.session.execute(
                sa.select(Article.id, Article.title)
                .where(Article.locale == locale)
                .order_by(Article.title)
            ).all()
            self._articles[locale] = [SelectChoice("", _("None"))] + [
                SelectChoice(str(a.id), a.title) for a in rows
            ]
        return self._articles[locale]


def _task_form(task: GapTask, formdata=None, choices: TaskChoices | None = None) -> TaskForm:
    choices = choices or TaskChoices()
    form = TaskForm(formdata=formdata, prefix=f"t{task.id}")
    if formdata is None:
        form.status.data = task.status
        form.assignee.data = str(task.assignee_id or "")
        form.article.data = str(task.article_id or "")
        form.note.data = task.note
    form.assignee.choices = choices.assignees()
    form.article.choices = choices.articles(task.locale)
    return form


@bp.post("/tasks")
@role_required(*CS_ROLES)
def open_task():
    form = OpenTaskForm()
    if not form.validate_on_submit() or form.locale.data not in current_app.config["LOCALES"]:
        return render_error(400, _("That gap could not be turned into a task."))
    try:
        task = tasks.open_task(
            form.locale.data, form.gap_key.data, form.label.data or "", current_user.id
        )
    except tasks.TaskError:
        return render_error(400, _("That gap could not be turned into a task."))
    flash_message(_l("The gap is now a task: %(label)s", label=task.label), "success")
    return redirect(task_url(task), 303)


TASK_ERRORS = {
    "status": lambda: _("Choose a status from the list."),
    "assignee": lambda: _("Choose an assignee from the list."),
    "article": lambda: _("That article does not exist."),
    "addressed_needs_article": lambda: _("Say which article addresses the gap."),
}


@bp.post("/tasks/<int:task_id>")
@role_required(*CS_ROLES)
def update_task(task_id: int):
    task = db.session.get(GapTask, task_id)
    if task is None:
        abort(404)
    form = _task_form(task, formdata=request.form)
    message = None
    if form.validate_on_submit():
        try:
            tasks.update_task(
                task,
                form.status.data,
                _int_or_none(form.assignee.data),
                _int_or_none(form.article.data),
                form.note.data or "",
            )
        except tasks.TaskError as error:
            message = TASK_ERRORS[error.code]()
        else:
            flash_message(_l("Task updated."), "success")
            return redirect(task_url(task), 303)
    else:
        message = _("The task could not be saved; check the fields.")
    db.session.rollback()
    flash_message(message, "error")
    return task_page_response(
        tasks.task_page(tasks.page_of(task)), edited=(task.id, form), status=400
    )


def _int_or_none(value: str | None) -> int | None:
    return whole_number((value or "").strip())


# -- exports and tokens ---------------------------------------------------------------------


@bp.get("/export/<name>.<fmt>")
@role_required(*PRODUCT_ROLES)
def export(name: str, fmt: str):
    if name not in exports.TABLES or fmt not in exports.FORMATS:
        abort(404)
    filters, error = current_filters()
    if error:
        return render_error(400, error)
    table = exports.build_table(name, filters, utcnow())
    stamp = f"{filters.start.isoformat()}_{filters.end.isoformat()}"
    if fmt == "csv":
        # content_type, not mimetype: Flask would add a second "; charset=utf-8" to a mimetype.
        body, content_type = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        body, content_type = exports.to_json(name, filters, table), "application/json"
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="insights-{name}-{stamp}.{fmt}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tokens", methods=["GET", "POST"])
@role_required(*PRODUCT_ROLES)
def api_tokens():
    form = TokenForm()
    created = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _token, created = tokens.create_token(current_user, form.name.data)
            except tokens.TokenError as error:
                message = (
                    _("You have too many active tokens; revoke one first.")
                    if str(error) == "too_many"
                    else _("Give the token a name.")
                )
                form.name.errors.append(message)
                status = 400
        else:
            status = 400
    html = render_template(
        "insights/tokens.html",
        form=form,
        created=created,
        tokens=tokens.user_tokens(current_user, page_number(request.args.get("page"))),
        revoke_form=RevokeForm(),
        roles=roles_of_user(),
        status_labels=status_labels(),
        tables=list(exports.TABLES),
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"  # a new token is shown once
    return response


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(*PRODUCT_ROLES)
def revoke_token(token_id: int):
    if not RevokeForm().validate_on_submit():
        return render_error(400)
    if not tokens.revoke_token(current_user, token_id):
        abort(404)
    flash_message(_l("Token revoked."), "success")
    return redirect(url_for("insights.api_tokens"), 303)


@bp.app_template_global()
def insights_url(endpoint: str, filters: Filters | None = None, **extra) -> str:
    """An insights URL keeping the current filters."""
    args = filters.as_args() if filters else {}
    args.update({k: v for k, v in extra.items() if v not in (None, "")})
    return url_for(endpoint, **args)


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("number")
def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


from app.insights import voice_views  # noqa: E402, F401  (the customer-voice page, on bp)
