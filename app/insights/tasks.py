"""The gap workflow: a gap becomes a task; "addressed by" an article is then checked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from app.accounts.models import Role, User
from app.clock import utcnow
from app.extensions import db
from app.insights.facts import QueryFacts
from app.insights.filters import Filters
from app.insights.rollup_models import DailyQuery
from app.insights.source import RangeData
from app.insights.task_models import GapStatus, GapTask
from app.kb.models import Article
from app.pagination import paginate
from app.pii import scrub

LiveQuery = tuple[date, str, str, str, QueryFacts]  # day, locale, category, normalized, facts

LABEL_MAX = 200


class TaskError(ValueError):
    """A task change that cannot be made; `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def assignable_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_([Role.CS_EDITOR.value, Role.ADMIN.value]))
            .where(User.is_suspended.is_(False))
            .order_by(User.display_name)
        )
    )


TASKS_PER_PAGE = 20
# The list's order: open work first (by status), the most recently changed first.
TASK_ORDER = (GapTask.status, GapTask.updated_at.desc(), GapTask.id.desc())


def task_page(page: int) -> Pagination:
    """One page of the task list."""
    return paginate(sa.select(GapTask).order_by(*TASK_ORDER), page, TASKS_PER_PAGE)


def page_of(task: GapTask) -> int:
    """The page of the task list that shows `task`."""
    before = sa.or_(
        GapTask.status < task.status,
        sa.and_(GapTask.status == task.status, GapTask.updated_at > task.updated_at),
        sa.and_(
            GapTask.status == task.status,
            GapTask.updated_at == task.updated_at,
            GapTask.id > task.id,
        ),
    )
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(GapTask).where(before))
    return ahead // TASKS_PER_PAGE + 1


def open_task(locale: str, gap_key: str, label: str, user_id: int | None) -> GapTask:
    """The task for a gap, created if it does not exist yet (twice is harmless)."""
    gap_key, label = gap_key.strip()[:200], " ".join(label.split())[:LABEL_MAX]
    if not gap_key:
        raise TaskError("empty")
    task = db.session.scalar(sa.select(GapTask).filter_by(locale=locale, gap_key=gap_key))
    if task is None:
        task = GapTask(
            locale=locale, gap_key=gap_key, label=label or gap_key, created_by_id=user_id
        )
        db.session.add(task)
        db.session.commit()
    return task


def update_task(
    task: GapTask,
    status: str,
    assignee_id: int | None,
    article_id: int | None,
    note: str,
    now: datetime | None = None,
) -> GapTask:
    if status not in {s.value for s in GapStatus}:
        raise TaskError("status")
    if assignee_id is not None and assignee_id not in {u.id for u in assignable_users()}:
        raise TaskError("assignee")
    article = db.session.get(Article, article_id) if article_id else None
    if article_id and article is None:
        raise TaskError("article")
    if status == GapStatus.ADDRESSED.value and article is None:
        raise TaskError("addressed_needs_article")
    now = now or utcnow()
    if status == GapStatus.ADDRESSED.value and task.status != status:
        task.addressed_at = now
    elif status != GapStatus.ADDRESSED.value:
        task.addressed_at = None
    task.status = status
    task.assignee_id = assignee_id
    task.article_id = article.id if article else None
    task.note = scrub(" ".join(note.split()))[:500]
    task.updated_at = now
    db.session.commit()
    return task


@dataclass(frozen=True)
class AfterAddressed:
    """How the gap's searches fare since the day it was addressed (roll-ups + today's events)."""

    searches: int
    zero_results: int
    no_clicks: int
    clicks_on_article: int


def live_queries_since(first: date, now: datetime) -> list[LiveQuery]:
    """Queries of the days since `first` not rolled up yet (today at least), from raw events."""
    return list(RangeData(Filters(first, now.date()), now).live_queries())


def after_addressed(
    task: GapTask, members: set[str] | None = None, live: Iterable[LiveQuery] = ()
) -> AfterAddressed | None:
    """Searches of the gap's query since the day it was addressed: found and clicked?

    Rolled days come from the roll-ups, the rest (`live`, from `live_queries_since`) from
    the same computation on raw events, so the day it was addressed counts at once.
    """
    if task.addressed_at is None or task.article_id is None:
        return None
    members = members or {task.gap_key}
    since = task.addressed_at.date()
    rows = db.session.execute(
        sa.select(
            DailyQuery.searches,
            DailyQuery.zero_results,
            DailyQuery.no_clicks,
            DailyQuery.clicked_articles,
        ).where(
            DailyQuery.locale == task.locale,
            DailyQuery.normalized.in_(sorted(members)),
            DailyQuery.day >= since,
        )
    )
    searches = zero = no_clicks = clicks = 0
    for row in rows:
        searches += row.searches
        zero += row.zero_results
        no_clicks += row.no_clicks
        clicks += int((row.clicked_articles or {}).get(str(task.article_id), 0))
    for day, locale, _category, normalized, query in live:
        if day >= since and locale == task.locale and normalized in members:
            searches += query.searches
            zero += query.zero_results
            no_clicks += query.no_clicks
            clicks += query.clicked_articles.get(str(task.article_id), 0)
    return AfterAddressed(searches, zero, no_clicks, clicks)
