"""Which steps of a guide a reader has ticked off: per user when signed in, else in the session."""

from __future__ import annotations

from flask import session
from flask_login import current_user
from sqlalchemy import delete, select

from app.extensions import db
from app.kb.article_pages import ArticlePage
from app.kb.models import Article, GuideProgress

SESSION_FIELD = "guide_progress"


def done_steps(article: Article | ArticlePage) -> set[str]:
    """Keys of the steps the current reader has done, limited to steps the guide still has."""
    keys = {step.key for step in article.steps}
    if current_user.is_authenticated:
        rows = db.session.scalars(
            select(GuideProgress.step_key).filter_by(
                user_id=current_user.id, translation_key=article.translation_key
            )
        )
        done = set(rows)
    else:
        done = set(session.get(SESSION_FIELD, {}).get(article.translation_key, []))
    return done & keys


def mark_step(article: Article, step_key: str, done: bool) -> None:
    """Tick or untick a step; the caller commits."""
    if current_user.is_authenticated:
        match = dict(
            user_id=current_user.id, translation_key=article.translation_key, step_key=step_key
        )
        existing = db.session.scalar(select(GuideProgress).filter_by(**match))
        if done and existing is None:
            db.session.add(GuideProgress(**match))
        elif not done and existing is not None:
            db.session.execute(delete(GuideProgress).filter_by(**match))
        return
    progress = dict(session.get(SESSION_FIELD, {}))
    keys = set(progress.get(article.translation_key, []))
    keys = keys | {step_key} if done else keys - {step_key}
    progress[article.translation_key] = sorted(keys)
    session[SESSION_FIELD] = progress
