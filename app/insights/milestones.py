"""Onboarding milestones: who reached which, when, how long it took, who is stuck, and what
the customers who reached them did that the others did not.

A milestone is reached at a customer's first event of a name (the event log), their first
forum topic, reply or accepted answer (the forum's own rows), or when they ticked off a
guide's last step (or one step; `kb_guide_progress`). Customers are signed-in users with the
customer role; a cohort is the week (Monday) they signed up.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.events import Event
from app.extensions import db
from app.forum.models import Post, Topic
from app.insights.milestone_models import Milestone, MilestoneKind
from app.insights.milestone_targets import EVENT_ACTIONS, FORUM_ACTIONS, all_milestones
from app.kb.models import Article, GuideProgress, GuideStep

CHUNK = 2000  # user ids per IN list

# -- reaching ----------------------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for offset in range(0, len(ids), CHUNK):
        yield ids[offset : offset + CHUNK]


def _guide_steps(key: str) -> set[str]:
    """A guide's step keys (its source language's, else any translation's)."""
    rows = db.session.execute(
        sa.select(Article.locale, GuideStep.key)
        .join(GuideStep, GuideStep.article_id == Article.id)
        .where(Article.translation_key == key)
    ).all()
    by_locale: dict[str, set[str]] = defaultdict(set)
    for locale, step in rows:
        by_locale[locale].add(step)
    if not by_locale:
        return set()
    return by_locale.get("en") or next(iter(by_locale.values()))


def _reached_query(milestone: Milestone, ids: list[int]):
    kind, target = milestone.kind, milestone.target
    if kind == "forum":
        if target == "topic":
            return (
                sa.select(Topic.author_id, sa.func.min(Topic.created_at))
                .where(Topic.author_id.in_(ids), Topic.is_hidden.is_(False))
                .group_by(Topic.author_id)
            )
        if target == "reply":
            return (
                sa.select(Post.author_id, sa.func.min(Post.created_at))
                .where(Post.author_id.in_(ids), Post.is_first.is_(False), Post.is_hidden.is_(False))
                .group_by(Post.author_id)
            )
        # accepted: when the answer later accepted was written (acceptance is not timed)
        return (
            sa.select(Topic.author_id, sa.func.min(Post.created_at))
            .join(Post, Post.id == Topic.accepted_post_id)
            .where(Topic.author_id.in_(ids))
            .group_by(Topic.author_id)
        )
    if kind == MilestoneKind.STEP:
        key, _sep, step = target.partition("/")
        return (
            sa.select(GuideProgress.user_id, sa.func.min(GuideProgress.done_at))
            .where(
                GuideProgress.user_id.in_(ids),
                GuideProgress.translation_key == key,
                GuideProgress.step_key == step,
            )
            .group_by(GuideProgress.user_id)
        )
    steps = _guide_steps(target)
    return (
        sa.select(GuideProgress.user_id, sa.func.max(GuideProgress.done_at))
        .where(
            GuideProgress.user_id.in_(ids),
            GuideProgress.translation_key == target,
            GuideProgress.step_key.in_(sorted(steps) or [""]),
        )
        .group_by(GuideProgress.user_id)
        .having(sa.func.count(sa.distinct(GuideProgress.step_key)) == max(len(steps), 1))
    )


def reached_at(milestones: list[Milestone], user_ids: list[int]) -> dict[int, dict[int, datetime]]:
    """milestone id → {user id → when that customer reached it}."""
    found: dict[int, dict[int, datetime]] = {m.id: {} for m in milestones}
    ids = sorted(set(user_ids))
    by_event = [m for m in milestones if m.kind == MilestoneKind.EVENT]
    for chunk in _chunks(ids):
        if by_event:  # one query, a column per milestone: an index seek per customer each
            firsts = [
                sa.select(sa.func.min(Event.occurred_at))
                .where(Event.user_id == User.id, Event.name == m.target)
                .scalar_subquery()
                for m in by_event
            ]
            for user_id, *whens in db.session.execute(
                sa.select(User.id, *firsts).where(User.id.in_(chunk))
            ):
                for milestone, when in zip(by_event, whens, strict=True):
                    if when is not None:
                        found[milestone.id][user_id] = _as_datetime(when)
        for milestone in milestones:
            if milestone.kind == MilestoneKind.EVENT:
                continue
            for user_id, when in db.session.execute(_reached_query(milestone, chunk)):
                if when is not None:
                    found[milestone.id][user_id] = _as_datetime(when)
    return found


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# -- the report --------------------------------------------------------------------------------


@dataclass
class Customer:
    id: int
    name: str
    locale: str | None
    signed_up: datetime
    reached: dict[int, datetime] = field(default_factory=dict)  # milestone id → when
    stuck_on: Milestone | None = None
    stuck_days: int = 0

    def days_to(self, milestone_id: int) -> float | None:
        when = self.reached.get(milestone_id)
        return None if when is None else max((when - self.signed_up).total_seconds(), 0) / 86400


@dataclass
class CohortCell:
    reached: int = 0
    median_days: float | None = None


@dataclass
class Cohort:
    week: date
    customers: int = 0
    cells: dict[int, CohortCell] = field(default_factory=dict)  # milestone id → cell


@dataclass
class Outcome:
    key: str
    label: str
    reached_share: float | None
    others_share: float | None

    @property
    def difference(self) -> float:
        return (self.reached_share or 0) - (self.others_share or 0)


@dataclass
class MilestoneReport:
    milestones: list[Milestone]
    customers: list[Customer]
    cohorts: list[Cohort]
    stuck: list[Customer]
    outcomes: list[Outcome]
    reached_all: int
    totals: dict[int, int]  # milestone id → customers who reached it


def week_of(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def customers_between(start: date, end: date, locale: str | None = None) -> list[Customer]:
    """Customers who signed up in [start, end], newest first."""
    query = (
        sa.select(User.id, User.display_name, User.locale, User.created_at)
        .where(
            User.role == Role.CUSTOMER.value,
            User.created_at >= datetime.combine(start, datetime.min.time()),
            User.created_at < datetime.combine(end + timedelta(days=1), datetime.min.time()),
        )
        .order_by(User.created_at.desc(), User.id.desc())
    )
    if locale:
        query = query.where(User.locale == locale)
    return [Customer(i, name, loc, created) for i, name, loc, created in db.session.execute(query)]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _cohorts(milestones: list[Milestone], customers: list[Customer]) -> list[Cohort]:
    by_week: dict[date, list[Customer]] = defaultdict(list)
    for customer in customers:
        by_week[week_of(customer.signed_up)].append(customer)
    cohorts = []
    for week in sorted(by_week, reverse=True):
        members = by_week[week]
        cohort = Cohort(week, len(members))
        for m in milestones:
            days = [d for c in members if (d := c.days_to(m.id)) is not None]
            cohort.cells[m.id] = CohortCell(len(days), _median(days))
        cohorts.append(cohort)
    return cohorts


def _mark_stuck(milestones: list[Milestone], customers: list[Customer], now: datetime, days: int):
    """Stuck: signed up `days` ago or more and a milestone still missing; the first missing one,
    and how long since the last progress (the last milestone reached, else the sign-up)."""
    stuck = []
    for customer in customers:
        missing = next((m for m in milestones if m.id not in customer.reached), None)
        if missing is None or now - customer.signed_up < timedelta(days=days):
            continue
        last = max([customer.signed_up, *customer.reached.values()])
        customer.stuck_on = missing
        customer.stuck_days = max((now - last).days, 0)
        stuck.append(customer)
    return sorted(stuck, key=lambda c: (-c.stuck_days, c.id))


def action_sets(user_ids: list[int]) -> dict[int, set[str]]:
    """Each customer's actions, from the event log and the forum: "event:<name>", "forum:…".

    One query per chunk of customers, a column per action: each an index seek per customer
    (`ix_insights_event_user_name_time`), however many events they have.
    """
    keys = [f"event:{name}" for name in sorted(EVENT_ACTIONS)] + ["forum:topic", "forum:reply"]
    columns = [
        sa.exists().where(Event.user_id == User.id, Event.name == name)
        for name in sorted(EVENT_ACTIONS)
    ]
    columns.append(sa.exists().where(Topic.author_id == User.id))
    columns.append(sa.exists().where(Post.author_id == User.id, Post.is_first.is_(False)))
    actions: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(sorted(set(user_ids))):
        for user_id, *took in db.session.execute(
            sa.select(User.id, *columns).where(User.id.in_(chunk))
        ):
            actions[user_id].update(key for key, yes in zip(keys, took, strict=True) if yes)
    return actions


def outcomes(milestones: list[Milestone], customers: list[Customer]) -> list[Outcome]:
    """Share of the customers who reached every milestone that took each action, beside the
    share of the others; the actions that set them apart most first."""
    if not milestones or not customers:
        return []
    ids = {m.id for m in milestones}
    reached = [c.id for c in customers if ids <= c.reached.keys()]
    others = [c.id for c in customers if not ids <= c.reached.keys()]
    actions = action_sets([c.id for c in customers])
    taken: dict[str, Counter] = defaultdict(Counter)
    for group, members in (("reached", reached), ("others", others)):
        for user_id in members:
            for action in actions.get(user_id, ()):
                taken[action][group] += 1
    labels = {f"event:{k}": v for k, v in EVENT_ACTIONS.items()}
    labels.update({f"forum:{k}": v for k, v in FORUM_ACTIONS.items() if k != "accepted"})
    rows = [
        Outcome(
            key,
            str(label),
            taken[key]["reached"] / len(reached) if reached else None,
            taken[key]["others"] / len(others) if others else None,
        )
        for key, label in labels.items()
    ]
    return sorted(rows, key=lambda o: (-o.difference, o.key))


def milestone_report(
    start: date, end: date, now: datetime, stuck_days: int, locale: str | None = None
) -> MilestoneReport:
    milestones = all_milestones()
    customers = customers_between(start, end, locale)
    reached = reached_at(milestones, [c.id for c in customers])
    for customer in customers:
        customer.reached = {
            m.id: reached[m.id][customer.id] for m in milestones if customer.id in reached[m.id]
        }
    ids = {m.id for m in milestones}
    return MilestoneReport(
        milestones=milestones,
        customers=customers,
        cohorts=_cohorts(milestones, customers),
        stuck=_mark_stuck(milestones, customers, now, stuck_days),
        outcomes=outcomes(milestones, customers),
        reached_all=sum(1 for c in customers if ids and ids <= c.reached.keys()),
        totals={m.id: len(reached[m.id]) for m in milestones},
    )


def customer_detail(
    user: User, now: datetime, stuck_days: int
) -> tuple[Customer, list[Milestone], set[str]]:
    """One customer's milestones (reached when, or missing) and the actions they took."""
    milestones = all_milestones()
    customer = Customer(user.id, user.display_name, user.locale, user.created_at)
    reached = reached_at(milestones, [user.id])
    customer.reached = {
        m.id: reached[m.id][user.id] for m in milestones if user.id in reached[m.id]
    }
    _mark_stuck(milestones, [customer], now, stuck_days)
    return customer, milestones, action_sets([user.id]).get(user.id, set())
