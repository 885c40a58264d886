"""Forum metrics from its own tables: questions, time to first answer, solved, unanswered."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.forum.models import ForumCategory, ForumCategoryKind, Post, Topic
from app.insights.facts import day_bounds
from app.insights.filters import EARLIEST, Filters
from app.insights.metrics import ratio

UNANSWERED_AFTER = timedelta(hours=48)


@dataclass(frozen=True)
class QuestionRow:
    id: int
    title: str
    locale: str
    created_at: datetime
    first_answer_at: datetime | None
    solved: bool
    votes: int


@dataclass(frozen=True)
class ForumMetrics:
    questions: int
    answered: int
    median_hours_to_first_answer: float | None
    solved: int
    solved_rate: float | None
    unanswered_48h: int
    unanswered: list[QuestionRow]  # open questions with no answer yet, oldest first


def _first_answers(topic_ids: list[int]) -> dict[int, datetime]:
    """The first visible reply by someone other than the asker, per topic."""
    found: dict[int, datetime] = {}
    for offset in range(0, len(topic_ids), 500):
        chunk = topic_ids[offset : offset + 500]
        query = (
            sa.select(Post.topic_id, sa.func.min(Post.created_at))
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.topic_id.in_(chunk))
            .where(Post.is_first.is_(False), Post.is_hidden.is_(False))
            .where(Post.author_id != Topic.author_id)
            .group_by(Post.topic_id)
        )
        found.update({topic_id: at for topic_id, at in db.session.execute(query)})
    return found


def question_rows(filters: Filters, kind: str = ForumCategoryKind.QUESTIONS.value) -> list:
    start = day_bounds(filters.start)[0]
    end = day_bounds(filters.end)[1]
    query = (
        sa.select(Topic.id, Topic.title, Topic.locale, Topic.created_at, Topic.accepted_post_id)
        .add_columns(Topic.vote_count)
        .join(ForumCategory, ForumCategory.id == Topic.category_id)
        .where(ForumCategory.kind == kind, Topic.is_hidden.is_(False))
        .where(Topic.created_at >= start, Topic.created_at < end)
        .order_by(Topic.created_at)
    )
    if filters.locale:
        query = query.where(Topic.locale == filters.locale)
    rows = db.session.execute(query).all()
    answers = _first_answers([r.id for r in rows])
    return [
        QuestionRow(
            r.id,
            r.title,
            r.locale,
            r.created_at,
            answers.get(r.id),
            r.accepted_post_id is not None,
            r.vote_count,
        )
        for r in rows
    ]


def forum_metrics(filters: Filters, now: datetime) -> ForumMetrics:
    rows = question_rows(filters)
    waits = [
        (r.first_answer_at - r.created_at).total_seconds() / 3600
        for r in rows
        if r.first_answer_at is not None
    ]
    old_enough = [r for r in rows if r.created_at + UNANSWERED_AFTER <= now]
    unanswered_48h = [
        r
        for r in old_enough
        if r.first_answer_at is None or r.first_answer_at > r.created_at + UNANSWERED_AFTER
    ]
    solved = sum(r.solved for r in rows)
    return ForumMetrics(
        questions=len(rows),
        answered=len(waits),
        median_hours_to_first_answer=statistics.median(waits) if waits else None,
        solved=solved,
        solved_rate=ratio(solved, len(rows)),
        unanswered_48h=len(unanswered_48h),
        unanswered=[r for r in rows if r.first_answer_at is None and not r.solved],
    )


def feature_requests(filters: Filters, limit: int = 15) -> list[QuestionRow]:
    """Ideas up to the range's end (any age: votes accumulate), most votes first."""
    every = Filters(start=EARLIEST, end=filters.end, locale=filters.locale)
    rows = question_rows(every, ForumCategoryKind.IDEAS.value)
    return sorted(rows, key=lambda r: (-r.votes, r.created_at))[:limit]
