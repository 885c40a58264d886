"""The ask flow's logic: input rules, suggestions, settled search events, drafts and posting.

Nothing here reads the request; the views pass in what they parsed and the per-session
state (a plain dict the view keeps in the Flask session).
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.ask.models import AskDraft
from app.clock import utcnow
from app.config import Config
from app.events import Event, record_event
from app.extensions import db
from app.forum.models import ForumCategory, ForumCategoryKind, Topic
from app.forum.services import create_topic
from app.site_search.services import SearchRequest, run_search, stored_query
from app.site_search.services import settle_search as search_settle

log = logging.getLogger(__name__)

TITLE_MAX = 200  # also the column size; FORUM_TITLE_MAX_CHARS may only lower it
TAGS_MAX = 5
TAG_MAX_CHARS = 30
QUERY_MAX = 200  # the title's limit: the form never sends a longer query
QUERY_MIN = 2
SUGGESTIONS_MAX = 5
SEARCH_DEPTH = 20  # hits read to find SUGGESTIONS_MAX articles and solved topics
DRAFT_KEEP_DAYS = 7
SOURCE = "ask"

# Characters that draw nothing: a body of only these is empty.
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f")
_TAG_SPLIT = re.compile(r"[,،、，]")


class AskInputError(ValueError):
    """Input the ask form refuses; `.code` says which rule, the view picks the message."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


class AlreadyPosted(Exception):
    """The draft was posted by an earlier request (a double click): `.topic_id` is the topic."""

    def __init__(self, topic_id: int | None) -> None:
        super().__init__(topic_id)
        self.topic_id = topic_id


def _limit(name: str) -> int:
    """The app's value of a FORUM_* limit; Config's default outside an app."""
    return int(current_app.config[name] if has_app_context() else getattr(Config, name))


def title_max() -> int:
    return min(TITLE_MAX, _limit("FORUM_TITLE_MAX_CHARS"))


def body_max() -> int:
    return _limit("FORUM_BODY_MAX_CHARS")


def is_invisible(ch: str) -> bool:
    """Whitespace, control and format characters (zero-width spaces, bidi marks, BOM)."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or ch in _INVISIBLE_EXTRA


def has_visible_text(text: str) -> bool:
    return any(not is_invisible(ch) for ch in text or "")


def strip_controls(text: str) -> str:
    """Drop control characters other than line breaks and tabs (NUL, escapes, DEL ...)."""
    return "".join(ch for ch in text or "" if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_title(text: str) -> str:
    """One line: controls dropped, runs of whitespace made one space."""
    return " ".join(strip_controls(text).split())


def clean_body(text: str) -> str:
    return strip_controls((text or "").replace("\r\n", "\n")).strip("\n ")


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tags (Latin, Arabic and Japanese commas), case-folded, deduplicated."""
    tags: list[str] = []
    for part in _TAG_SPLIT.split(strip_controls(raw or "")):
        tag = " ".join(part.split()).casefold()
        tag = "".join(ch for ch in tag if not is_invisible(ch) or ch == " ").strip()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX_CHARS:
            raise AskInputError("tag_too_long", max=TAG_MAX_CHARS)
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise AskInputError("too_many_tags", max=TAGS_MAX)
    return tags


def allowed_categories() -> list[ForumCategory]:
    """Categories a customer may start a topic in, questions first."""
    rows = db.session.scalars(
        sa.select(ForumCategory)
        .where(ForumCategory.staff_only.is_(False))
        .order_by(ForumCategory.position, ForumCategory.id)
    ).all()
    return sorted(rows, key=lambda c: c.kind != ForumCategoryKind.QUESTIONS.value)


def new_flow_token() -> str:
    return secrets.token_urlsafe(24)


# --- suggestions -------------------------------------------------------------------------


@dataclass(frozen=True)
class AskSuggestion:
    """An article or a solved topic that may already answer the question."""

    type: str
    id: int
    title: str
    url: str
    snippet: str
    kind: str
    solved: bool
    position: int


def clean_query(raw: str) -> str:
    """The title as typed, made a search text; raises AskInputError when it cannot be one."""
    if len(raw) > QUERY_MAX * 4:  # refuse before any work on absurd input
        raise AskInputError("query_too_long", max=QUERY_MAX)
    text = clean_title("".join(ch for ch in raw if ch.isprintable() or ch.isspace()))
    if len(text) > QUERY_MAX:
        raise AskInputError("query_too_long", max=QUERY_MAX)
    return text


def find_suggestions(text: str, locale: str) -> tuple[list[AskSuggestion], int]:
    """Up to SUGGESTIONS_MAX articles and solved topics for `text`, and the search's total."""
    request = SearchRequest(text=text, locale=locale, per_page=SEARCH_DEPTH)
    try:
        results = run_search(request)
    except Exception:  # a broken index must not break asking; the form still posts
        log.exception("ask suggestions: search failed")
        return [], 0
    found: list[AskSuggestion] = []
    for hit in results.hits:
        if hit.type == "topic" and not hit.solved:
            continue
        if not str(hit.id).isdigit():
            continue
        found.append(
            AskSuggestion(
                type=hit.type,
                id=int(hit.id),
                title=hit.title,
                url=hit.url,
                snippet=hit.snippet,
                kind=hit.kind,
                solved=hit.solved,
                position=len(found) + 1,
            )
        )
        if len(found) == SUGGESTIONS_MAX:
            break
    return found, results.total


def settle_search(
    state: dict | None, text: str, locale: str, total: int, shown: int, now: float
) -> tuple[Event, dict]:
    """Record a search with source "ask" the way the instant box does (see
    site_search.services.settle_search): while someone types "how do I", "how do I reset",
    only the query they settle on is kept. Returns the event and the new state for the
    session. The caller commits.
    """
    state = state or {}
    request = SearchRequest(text=text, locale=locale)
    event = search_settle(state, request, total, SOURCE, now, suggestions=shown)
    shown_id = state.get("shown_id") if event.id == state.get("event_id") else None
    return event, {
        "event_id": event.id,
        "shown_id": shown_id,
        "query": stored_query(text),
        "at": now,
    }


def record_suggestions_shown(
    state: dict, search_event: Event, count: int, flow: str | None, via: str, locale: str
) -> dict:
    """One `ask_suggestions_shown` per settled search that showed something; returns state."""
    if count <= 0:
        return state
    shown = db.session.get(Event, state.get("shown_id") or 0)
    if shown is not None and shown.name == "ask_suggestions_shown":
        shown.data = {**shown.data, "count": count}
        return state
    shown = record_event(
        "ask_suggestions_shown",
        locale=locale,
        flow=flow,
        count=count,
        search_event=search_event.id,
        via=via,
    )
    db.session.flush()
    return {**state, "shown_id": shown.id}


# --- drafts and posting --------------------------------------------------------------------


def get_draft(user: User, token: str | None) -> AskDraft | None:
    """The user's draft for this flow token; None for someone else's or an unknown token."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(AskDraft).where(AskDraft.token == token, AskDraft.user_id == user.id)
    )


def save_draft(
    user: User,
    token: str,
    locale: str,
    title: str,
    category_id: int | None,
    tags: list[str],
    body_markdown: str,
) -> AskDraft:
    """Create or update the flow's draft and commit; a double-clicked preview saves once."""
    for attempt in range(2):
        draft = get_draft(user, token)
        if draft is not None and draft.posted_at is not None:
            raise AlreadyPosted(draft.topic_id)
        if draft is None:
            draft = AskDraft(token=token, user_id=user.id, locale=locale)
            db.session.add(draft)
        draft.locale = locale
        draft.title = title
        draft.category_id = category_id
        draft.tags = tags
        draft.body_markdown = body_markdown
        draft.updated_at = utcnow()
        try:
            db.session.commit()
        except IntegrityError:  # the other click inserted the same token first
            db.session.rollback()
            if attempt:
                raise
            continue
        return draft
    raise AssertionError("unreachable")


def purge_old_drafts(days: int = DRAFT_KEEP_DAYS) -> int:
    """Forget drafts nobody touched for `days`; the caller commits."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(sa.delete(AskDraft).where(AskDraft.updated_at < cutoff))
    return result.rowcount or 0


def discard_draft(user: User, token: str | None) -> None:
    """Drop an unposted draft (the customer found the answer); the caller commits."""
    draft = get_draft(user, token)
    if draft is not None and draft.posted_at is None:
        db.session.delete(draft)


def posted_topic_id(draft_id: int) -> int | None:
    """The topic a claimed draft became.

    `topic_id` is written just after create_topic commits; in between, the topic (committed
    together with the claim) is found as the author's topic with that title since the claim.
    """
    row = db.session.execute(
        sa.select(AskDraft.topic_id, AskDraft.user_id, AskDraft.title, AskDraft.posted_at).where(
            AskDraft.id == draft_id
        )
    ).first()
    if row is None or row.posted_at is None:
        return None
    if row.topic_id is not None:
        return row.topic_id
    return db.session.scalar(
        sa.select(Topic.id)
        .where(
            Topic.author_id == row.user_id,
            Topic.title == row.title,
            Topic.created_at >= row.posted_at - timedelta(seconds=1),
        )
        .order_by(Topic.id.desc())
        .limit(1)
    )


def post_draft(author: User, draft: AskDraft) -> Topic:
    """Create the topic from the draft exactly once.

    The conditional UPDATE is the one-time submission token: of two requests for the same
    draft (a double click), the second waits for the first's transaction and then matches
    no row, so it raises AlreadyPosted instead of creating a second topic. Raises the
    forum's ForumError / spam.PostRejected unchanged; the caller rolls back and commits.
    """
    claimed = db.session.execute(
        sa.update(AskDraft)
        .where(AskDraft.id == draft.id, AskDraft.posted_at.is_(None))
        .values(posted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise AlreadyPosted(posted_topic_id(draft.id))
    category = db.session.get(ForumCategory, draft.category_id) if draft.category_id else None
    if category is None or category.staff_only:
        raise AskInputError("category_gone")
    topic = create_topic(
        author, category, draft.locale, draft.title, draft.body_markdown, list(draft.tags or [])
    )
    db.session.flush()
    db.session.execute(
        sa.update(AskDraft)
        .where(AskDraft.id == draft.id)
        .values(topic_id=topic.id, posted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return topic


def recent_deflection(session_key: str, flow: str) -> bool:
    """Whether this flow already recorded `ask_deflected` (a double-clicked "Yes")."""
    since = utcnow() - timedelta(hours=1)
    rows = db.session.scalars(
        sa.select(Event).where(
            Event.name == "ask_deflected",
            Event.session_key == session_key,
            Event.occurred_at >= since,
        )
    )
    return any((row.data or {}).get("flow") == flow for row in rows)
