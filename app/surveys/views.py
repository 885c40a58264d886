"""Survey answers and dismissals (POST, CSRF, no JS needed), and the prompt's template global.

The prompt is a partial in the article and topic page slots; it asks `survey_offer` which
survey (if any) this person gets on this page. Anonymous readers' pages may be cached,
so they never get one. With JavaScript (static/js/survey.js) the same forms are sent in
the background and the prompt is replaced by the thank-you; without it, the post redirects
back with a message.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.clock import utcnow
from app.events import anonymous_session_key
from app.extensions import db, limiter
from app.page_cache import is_anonymous_reader
from app.page_slots import add_to_slot
from app.security import safe_next_url
from app.surveys import services
from app.surveys.forms import AnswerForm, DismissForm
from app.surveys.models import SurveyResponse

bp = Blueprint("surveys", __name__, url_prefix="/<locale:locale>/surveys")
add_to_slot(bp, "article_end", "surveys/_prompt.html")
add_to_slot(bp, "topic_top", "surveys/_prompt.html")

MESSAGES = {
    "score_missing": lambda: _("Please choose a score first."),
    "comment_too_long": lambda: _("Please keep your comment shorter."),
}


def survey_limit() -> str:
    return current_app.config["RATELIMIT_FEEDBACK"]


def current_person() -> services.Person:
    user = current_user if current_user.is_authenticated else None
    return services.Person(
        user_id=user.id if user else None,
        session_key=anonymous_session_key(),
        is_customer=bool(user and user.role == Role.CUSTOMER.value),
    )


def periods() -> services.Periods:
    config = current_app.config
    return services.Periods(config["SURVEY_NPS_PERIOD_DAYS"], config["SURVEY_CSAT_PERIOD_DAYS"])


def survey_offer(article=None, topic=None) -> SurveyResponse | None:
    """The survey for this page (template global); None on pages a shared cache may keep."""
    if not current_app.config["SURVEYS_ENABLED"] or is_anonymous_reader():
        return None
    if request.method != "GET":
        return None
    person = current_person()
    solved = None
    if topic is not None and topic.is_solved and topic.author_id == person.user_id:
        solved = topic.id
    return services.survey_for_page(
        person,
        g.locale,
        utcnow(),
        periods(),
        article_id=article.id if article is not None else None,
        solved_topic_id=solved,
    )


def init_surveys(app) -> None:
    app.add_template_global(survey_offer)


def _back():
    target = safe_next_url(request.form.get("next"), None)
    return redirect(target or url_for("kb.home"), 303)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _own_response(response_id: int) -> SurveyResponse:
    response = services.response_of(current_person(), response_id)
    if response is None:
        abort(404)
    return response


@bp.post("/<int:response_id>/answer")
@limiter.limit(survey_limit)
def answer(response_id: int):
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    response = _own_response(response_id)
    try:
        services.answer(
            response,
            form.score.data,
            form.comment.data or "",
            current_app.config["SURVEY_COMMENT_MAX"],
            utcnow(),
        )
    except services.SurveyError as error:
        message = MESSAGES[str(error)]()
        if _wants_json():
            return jsonify(error=message), 400
        flash(message, "error")
        return _back()
    db.session.commit()
    thanks = _("Thank you for your answer.")
    if _wants_json():
        return jsonify(message=thanks)
    flash(thanks, "success")
    return _back()


@bp.post("/<int:response_id>/dismiss")
@limiter.limit(survey_limit)
def dismiss(response_id: int):
    form = DismissForm()
    if not form.validate_on_submit():
        abort(400)
    response = _own_response(response_id)
    services.dismiss(response, utcnow())
    db.session.commit()
    message = _("We won't ask again for a while.")
    if _wants_json():
        return jsonify(message=message)
    flash(message, "info")
    return _back()
