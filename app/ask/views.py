"""The ask flow at /<locale>/community/ask: suggestions while typing, deflection events.

Form → preview (rendered post + suggestions, the draft saved on the server) → post. With
JavaScript, suggestions also appear while the title is typed. A suggestion opens through
/ask/open, which records the event and shows the page with the "Did this answer your
question?" banner; "Yes" records a deflection, "No" returns to the form with the draft.
The per-session flow state lives in the Flask session; the draft text lives in AskDraft.
"""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.ask import services as ask
from app.ask.forms import AnsweredForm, AskForm, DiscardDraftForm, PostDraftForm
from app.ask.models import AskDraft
from app.events import anonymous_session_key, record_event
from app.extensions import db, limiter
from app.flashes import flash_message
from app.forum.errors import ForumError
from app.forum.models import Topic
from app.forum.paths import topic_path
from app.forum.spam import PostRejected, honeypot_tripped
from app.locales import current_locale
from app.markdown import render_user_markdown
from app.page_slots import add_to_slot
from app.request_numbers import whole_number
from app.security import safe_next_url
from app.site_search.services import record_click

bp = Blueprint("ask", __name__, url_prefix="/<locale:locale>/community")
add_to_slot(bp, "article_top", "ask/_banner.html")
add_to_slot(bp, "topic_top", "ask/_banner.html")

FLOW = "ask_flow"  # {"token", "user", "opened": [type, id] | None, "any_opened": bool}
SEARCH = "ask_search"  # the settled-query state (see ask.settle_search)
SUBJECT_TYPES = ("article", "topic")
_MARK = re.compile(r"(</?mark>)")


def posting_limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def preview_limit() -> str:
    return current_app.config["RATELIMIT_ASK_PREVIEW"]


def suggestions_limit() -> str:
    return current_app.config["RATELIMIT_ASK_SUGGESTIONS"]


# --- per-session flow state ------------------------------------------------------------------


def current_flow() -> dict | None:
    """This user's ask in progress; a flow another account started in this browser is ignored."""
    state = session.get(FLOW)
    if not isinstance(state, dict) or not state.get("token"):
        return None
    if not current_user.is_authenticated or state.get("user") != current_user.id:
        return None
    return state


def start_flow(token: str | None = None) -> dict:
    state = {
        "token": token or ask.new_flow_token(),
        "user": current_user.id,
        "opened": None,
        "any_opened": False,
    }
    session[FLOW] = state
    session.pop(SEARCH, None)
    return state


def end_flow() -> None:
    session.pop(FLOW, None)
    session.pop(SEARCH, None)


def flow_token() -> str | None:
    state = current_flow()
    return state["token"] if state else None


def opened_subject(state: dict | None) -> tuple[str, int] | None:
    opened = (state or {}).get("opened")
    if isinstance(opened, list | tuple) and len(opened) == 2:
        return str(opened[0]), int(opened[1])
    return None


# --- helpers -------------------------------------------------------------------------------


def sign_in_first():
    flash_message(_l("Sign in to ask the community a question."), "info")
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")), 303)


def category_choices() -> list[tuple[str, str]]:
    return [(str(c.id), c.name_in(g.locale)) for c in ask.allowed_categories()]


def topic_url(topic_id: int) -> str:
    """The topic's canonical path (with its slug, so no redirect drops a query string)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        return url_for("ask.ask")
    return topic_path(topic.locale, topic.id, topic.title)


def open_url(suggestion: ask.AskSuggestion, search_event: int | None) -> str:
    return url_for(
        "ask.open_suggestion",
        type=suggestion.type,
        id=suggestion.id,
        e=search_event,
        p=suggestion.position,
        to=suggestion.url,
    )


def snippet_parts(snippet: str) -> list[list]:
    """The engine's snippet (escaped text plus <mark>) as [text, highlighted] pairs for JS."""
    parts, marked = [], False
    for piece in _MARK.split(snippet or ""):
        if piece in ("<mark>", "</mark>"):
            marked = piece == "<mark>"
        elif piece:
            parts.append([unescape(piece), marked])
    return parts


def suggest_and_record(title: str, token: str | None, via: str):
    """Suggestions for `title`, recorded as a settled "ask" search; the caller commits."""
    suggestions, total = ask.find_suggestions(title, g.locale)
    event, state = ask.settle_search(
        session.get(SEARCH), title, g.locale, total, len(suggestions), time.time()
    )
    state = ask.record_suggestions_shown(state, event, len(suggestions), token, via, g.locale)
    session[SEARCH] = state
    return suggestions, event


def render_form(
    form: AskForm,
    status: int = 200,
    error: str | None = None,
    discard_form: DiscardDraftForm | None = None,
):
    """The ask page; `discard_form` when a draft started earlier was put back into the form."""
    return render_template(
        "ask/ask.html",
        form=form,
        flow=form.flow.data,
        error=error,
        discard_form=discard_form,
        ask_title_max=ask.title_max(),
        ask_body_max=ask.body_max(),
    ), status


def form_from_draft(draft: AskDraft, choices) -> AskForm:
    return AskForm(
        formdata=None,
        choices=choices,
        title=draft.title,
        category=str(draft.category_id or ""),
        tags=", ".join(draft.tags or []),
        body=draft.body_markdown,
        flow=draft.token,
    )


# --- the form and the preview ----------------------------------------------------------------


@bp.get("/ask", endpoint="ask")
def ask_form():
    """Show the ask form; a draft of this flow (after "Edit" or "No") is filled back in."""
    if not current_user.is_authenticated:
        return sign_in_first()
    choices = category_choices()
    state = current_flow() or start_flow()
    returning = request.args.get("draft") == state["token"]
    draft = ask.get_draft(current_user, state["token"])
    if draft is not None and draft.posted_at is not None:  # posted from another tab
        state, draft, returning = start_flow(), None, False
    # A prefilled title comes from "Ask the community" on a search with no results.
    title = " ".join(request.args.get("title", "").split())[:200]
    discard_form = None
    if draft is not None:
        form = form_from_draft(draft, choices)
        if not returning:  # say so, and offer a clean form: never type onto an old question
            discard_form = DiscardDraftForm(formdata=None, flow=draft.token, title=title)
    else:
        form = AskForm(formdata=None, choices=choices, flow=state["token"], title=title)
    if not returning:
        record_event("ask_opened", locale=g.locale, flow=state["token"])
        db.session.commit()
    return render_form(form, discard_form=discard_form)


@bp.post("/ask/discard", endpoint="discard")
def discard():
    """ "Discard it and start a new question": drop the restored draft, open an empty form."""
    if not current_user.is_authenticated:
        return sign_in_first()
    form = DiscardDraftForm()
    if not form.validate_on_submit():
        abort(400)
    state = current_flow()
    if state is not None and form.flow.data == state["token"]:
        ask.discard_draft(current_user, state["token"])
        db.session.commit()
        start_flow()
    flash_message(_l("Draft discarded. Write your new question below."), "success")
    title = " ".join((form.title.data or "").split())[:200]
    return redirect(url_for("ask.ask", **({"title": title} if title else {})), 303)


@bp.post("/ask", endpoint="preview")
@limiter.limit(preview_limit)
def preview():
    """Validate, save the draft, and show the post as it will look with the suggestions."""
    if not current_user.is_authenticated:
        return sign_in_first()
    form = AskForm(choices=category_choices())
    if honeypot_tripped(form):
        abort(400)
    if not form.validate_on_submit():
        return render_form(form, 400)
    token = form.flow.data if ask.get_draft(current_user, form.flow.data) else flow_token()
    token = token or ask.new_flow_token()
    fields = (
        g.locale,
        form.title.data,
        int(form.category.data),
        form.parsed_tags,
        form.body.data,
    )
    try:
        draft = ask.save_draft(current_user, token, *fields)
    except ask.AlreadyPosted:  # an old page from the history: this is a new question
        token = ask.new_flow_token()
        draft = ask.save_draft(current_user, token, *fields)
    state = current_flow()
    if state is None or state["token"] != token:
        start_flow(token)
    ask.purge_old_drafts()
    suggestions, event = suggest_and_record(draft.title, token, "preview")
    db.session.commit()
    return render_template(
        "ask/preview.html",
        draft=draft,
        body_html=render_user_markdown(draft.body_markdown).html,
        category_name=dict(category_choices()).get(str(draft.category_id), ""),
        suggestions=suggestions,
        open_urls={s.position: open_url(s, event.id) for s in suggestions},
        post_form=PostDraftForm(flow=token),
        edit_url=url_for("ask.ask", draft=token),
    )


@bp.post("/ask/post", endpoint="post")
@limiter.limit(posting_limit)
def post():
    """Create the topic from the saved draft (once, however many times it is clicked)."""
    if not current_user.is_authenticated:
        return sign_in_first()
    form = PostDraftForm()
    if not form.validate_on_submit():
        abort(400)
    draft = ask.get_draft(current_user, form.flow.data)
    if draft is None:
        flash_message(
            _l("We could not find your draft. Please write your question again."), "error"
        )
        return redirect(url_for("ask.ask"), 303)
    state = current_flow() or {}
    try:
        topic = ask.post_draft(current_user, draft)
    except ask.AlreadyPosted as done:
        end_flow()
        if done.topic_id is None:
            return redirect(url_for("ask.ask"), 303)
        return redirect(topic_url(done.topic_id), 303)
    except ask.AskInputError:
        db.session.rollback()
        form = form_from_draft(draft, category_choices())
        form.category.errors = [_("Choose a category.")]
        return render_form(form, 400)
    except (PostRejected, ForumError) as refused:  # the forum's refusals, with a `.message`
        db.session.rollback()
        draft = db.session.get(AskDraft, draft.id)
        form = form_from_draft(draft, category_choices())
        return render_form(form, 400, error=str(getattr(refused, "message", refused)))
    record_event(
        "ask_posted",
        locale=g.locale,
        subject=("topic", topic.id),
        flow=draft.token,
        opened_suggestion=state.get("token") == draft.token and bool(state.get("any_opened")),
    )
    db.session.commit()
    end_flow()
    flash_message(
        _l("Your question is posted. We will let you know when someone answers."), "success"
    )
    return redirect(topic_url(topic.id), 303)


# --- suggestions while typing ----------------------------------------------------------------


def json_error(status: int, message: str):
    title = {400: _("Bad request"), 401: _("Sign in required")}.get(status, _("Bad request"))
    return jsonify(error={"status": status, "title": title, "message": message}), status


@bp.get("/ask/suggestions", endpoint="suggestions")
@limiter.limit(suggestions_limit)
def suggestions():
    """JSON: articles and solved topics matching the title typed so far."""
    if not current_user.is_authenticated:
        return json_error(401, _("Sign in to see suggestions."))
    values = request.args.getlist("q")
    if len(values) > 1:
        return json_error(400, _("Send one query 'q'."))
    try:
        text = ask.clean_query(values[0] if values else "")
    except ask.AskInputError:
        return json_error(
            400,
            ngettext(
                "The query is too long (at most %(num)d character).",
                "The query is too long (at most %(num)d characters).",
                ask.QUERY_MAX,
            ),
        )
    payload: dict = {"query": text, "count": 0, "event_id": None, "suggestions": []}
    if len(text) >= ask.QUERY_MIN:
        found, event = suggest_and_record(text, flow_token(), "typing")
        db.session.commit()
        payload.update(
            count=len(found),
            event_id=event.id,
            suggestions=[
                {
                    "type": s.type,
                    "id": s.id,
                    "title": s.title,
                    "url": open_url(s, event.id),
                    "kind": s.kind,
                    "solved": s.solved,
                    "snippet": snippet_parts(s.snippet),
                }
                for s in found
            ],
        )
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- opening a suggestion, and the banner's answers ------------------------------------------


@bp.get("/ask/open", endpoint="open_suggestion")
def open_suggestion():
    """Record that a suggestion was opened, then show it with the banner (a plain link)."""
    target = safe_next_url(request.args.get("to"), None)
    subject_type, subject_id = request.args.get("type", ""), request.args.get("id", "")
    if target is None or subject_type not in SUBJECT_TYPES or whole_number(subject_id) is None:
        abort(404)
    if subject_type == "topic":  # the canonical path: the slug redirect would drop ?from_ask
        topic = db.session.get(Topic, int(subject_id))
        if topic is None:
            abort(404)
        target = topic_path(topic.locale, topic.id, topic.title)
    state = current_flow() if current_user.is_authenticated else None
    if state is None:
        return redirect(target, 303)
    event_id, position = request.args.get("e", ""), request.args.get("p", "")
    search_event = whole_number(event_id)
    rank = whole_number(position, max_digits=3)
    record_event(
        "ask_suggestion_opened",
        locale=g.locale,
        subject=(subject_type, int(subject_id)),
        flow=state["token"],
        search_event=search_event,
        position=rank,
    )
    if search_event is not None and rank is not None:
        record_click(search_event, rank, target, g.locale)
    db.session.commit()
    session[FLOW] = {**state, "opened": [subject_type, int(subject_id)], "any_opened": True}
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode({'from_ask': state['token']})}", 303)


@bp.get("/ask/back", endpoint="back")
def back():
    """ "No, back to my question": record it, then the form with the draft restored."""
    state = current_flow() if current_user.is_authenticated else None
    if state is None or request.args.get("flow") != state["token"]:
        return redirect(url_for("ask.ask"), 303)
    record_event(
        "ask_not_answered", locale=g.locale, subject=opened_subject(state), flow=state["token"]
    )
    db.session.commit()
    return redirect(url_for("ask.ask", draft=state["token"]), 303)


@bp.post("/ask/answered", endpoint="answered")
def answered():
    """ "Yes, I don't need to post": an explicit deflection; the draft is discarded."""
    if not current_user.is_authenticated:
        return sign_in_first()
    form = AnsweredForm()
    if not form.validate_on_submit():
        abort(400)
    state = current_flow()
    if state is not None and form.flow.data == state["token"]:
        if not ask.recent_deflection(anonymous_session_key(), state["token"]):
            record_event(
                "ask_deflected",
                locale=g.locale,
                subject=opened_subject(state),
                flow=state["token"],
            )
        ask.discard_draft(current_user, state["token"])
        db.session.commit()
        end_flow()
    return redirect(url_for("ask.thanks"), 303)


@bp.get("/ask/thanks", endpoint="thanks")
def thanks():
    return render_template("ask/thanks.html")


@bp.app_context_processor
def ask_banner_context() -> dict:
    """`ask_banner` for pages opened from a suggestion (?from_ask=<this session's flow>)."""
    if not has_request_context() or not request.args.get("from_ask"):
        return {}
    if not current_user.is_authenticated:
        return {}
    token = flow_token()
    if token is None or request.args.get("from_ask") != token:
        return {}
    locale = current_locale()
    return {
        "ask_banner": {
            "flow": token,
            "answered_url": url_for("ask.answered", locale=locale),
            "back_url": url_for("ask.back", locale=locale, flow=token),
        }
    }
