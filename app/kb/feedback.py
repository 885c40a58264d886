"""“Was this helpful?” votes and the reasons and comments a “no” adds."""

from __future__ import annotations

from app.events import record_event
from app.extensions import db
from app.kb.models import Article, ArticleFeedback, FeedbackReason
from app.pii import scrub


class FeedbackError(ValueError):
    """Feedback that cannot be stored as sent."""


def record_vote(
    article: Article, helpful: bool, session_key: str, user_id: int | None
) -> ArticleFeedback:
    """Store a vote and its event; the caller commits."""
    feedback = ArticleFeedback(
        article_id=article.id, helpful=helpful, session_key=session_key, user_id=user_id
    )
    db.session.add(feedback)
    record_event(
        "article_feedback", locale=article.locale, subject=("article", article.id), helpful=helpful
    )
    return feedback


def add_details(feedback: ArticleFeedback, reason: str | None, comment: str, limit: int) -> None:
    """Attach why a reader said no (the comment PII-scrubbed); the vote is already stored."""
    if reason and reason not in {r.value for r in FeedbackReason}:
        raise FeedbackError("unknown reason")
    comment = comment.strip()
    if len(comment) > limit:
        raise FeedbackError("comment too long")
    feedback.reason = reason or None
    feedback.comment = scrub(comment) or None
