"""Onboarding milestones: who reached which, when, how long it took, who is stuck, and what
the customers who reached them did that the others did not.

A milestone is reached at a customer's first event of a name (the event log), their first
forum topic, reply or accepted answer (the forum's own rows), or when they ticked off a
guide's last step (or one step; `kb_guide_progress`). Customers are signed-in users with the
customer role; a cohort is the week (Monday) they signed up.
"""

from __future__ import annotations

import gc
import statistics
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from app.forum.models import Post, Topic
from app.insights.customer_firsts import FirstEvents, first_events
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


def reached_at(
    milestones: list[Milestone], user_ids: list[int], firsts: FirstEvents | None = None
) -> dict[int, dict[int, datetime]]:
    """milestone id → {user id → when that customer reached it}."""
    found: dict[int, dict[int, datetime]] = {m.id: {} for m in milestones}
    ids = sorted(set(user_ids))
    by_event = [m for m in milestones if m.kind == MilestoneKind.EVENT]
    if by_event:
        if firsts is None:
            firsts = first_events([m.target for m in by_event], ids)
        targets = {m.target: m.id for m in by_event}
        for (user_id, name), when in firsts.items():
            if name in targets:
                found[targets[name]][user_id] = when
    for chunk in _chunks(ids):
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
        # Core rows, created_at as text for fromisoformat: the ORM's row loading took longer
        sa.select(
            User.id, User.display_name, User.locale, sa.type_coerce(User.created_at, sa.String)
        )
        .where(
            User.role == Role.CUSTOMER.value,
            User.created_at >= datetime.combine(start, datetime.min.time()),
            User.created_at < datetime.combine(end + timedelta(days=1), datetime.min.time()),
        )
        .order_by(User.created_at.desc(), User.id.desc())
    )
    if locale:
        query = query.where(User.locale == locale)
    return [
        Customer(i, name, loc, _as_datetime(created))
        for i, name, loc, created in db.session.connection().execute(query)
    ]


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
        for mid in [m.id for m in milestones]:
            days = [d for c in members if (d := c.days_to(mid)) is not None]
            cohort.cells[mid] = CohortCell(len(days), _median(days))
        cohorts.append(cohort)
    return cohorts


def _mark_stuck(milestones: list[Milestone], customers: list[Customer], now: datetime, days: int):
    """Stuck: signed up `days` ago or more and a milestone still missing; the first missing one,
    and how long since the last progress (the last milestone reached, else the sign-up)."""
    stuck = []
    ordered = [(m.id, m) for m in milestones]  # ORM attribute reads are slow in a hot loop
    cutoff = now - timedelta(days=days)
    for customer in customers:
        if customer.signed_up > cutoff:
            continue
        missing = next((m for mid, m in ordered if mid not in customer.reached), None)
        if missing is None:
            continue
        last = max([customer.signed_up, *customer.reached.values()])
        customer.stuck_on = missing
        customer.stuck_days = max((now - last).days, 0)
        stuck.append(customer)
    return sorted(stuck, key=lambda c: (-c.stuck_days, c.id))


def action_sets(user_ids: list[int], firsts: FirstEvents | None = None) -> dict[int, set[str]]:
    """Each customer's actions, from the event log and the forum: "event:<name>", "forum:…"."""
    ids = sorted(set(user_ids))
    if firsts is None:
        firsts = first_events(EVENT_ACTIONS, ids)
    actions: dict[int, set[str]] = defaultdict(set)
    for user_id, name in firsts:
        if name in EVENT_ACTIONS:
            actions[user_id].add(f"event:{name}")
    wanted = set(ids)
    forum = (
        ("forum:topic", sa.select(Topic.author_id).distinct()),
        ("forum:reply", sa.select(Post.author_id).where(Post.is_first.is_(False)).distinct()),
    )
    for key, query in forum:
        for user_id in db.session.scalars(query):
            if user_id in wanted:
                actions[user_id].add(key)
    return actions


def outcomes(
    milestones: list[Milestone], customers: list[Customer], firsts: FirstEvents | None = None
) -> list[Outcome]:
    """Share of the customers who reached every milestone that took each action, beside the
    share of the others; the actions that set them apart most first."""
    if not milestones or not customers:
        return []
    ids = {m.id for m in milestones}
    reached = [c.id for c in customers if ids <= c.reached.keys()]
    others = [c.id for c in customers if not ids <= c.reached.keys()]
    actions = action_sets([c.id for c in customers], firsts)
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


_pause_lock = threading.Lock()
_pauses = {"running": 0, "resume": False}


@contextmanager
def _collection_paused():
    """Python's cyclic garbage collector off while a report is built: its tens of thousands of
    rows and customers (no cycles among them) set off full collections that scanned the whole
    heap, almost half the report's time with 20,000 customers.

    The collector is per process, so the pause is too: the other threads of the worker keep
    freeing everything by reference counting, and only their cycles wait until the last
    report running ends (reports overlapping in threads are counted, so the first to end
    does not turn the collector back on under the others, and one that began with it off,
    e.g. under a caller's own pause, leaves it off).
    """
    with _pause_lock:
        if _pauses["running"] == 0:
            _pauses["resume"] = gc.isenabled()
            gc.disable()
        _pauses["running"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses["running"] -= 1
            if _pauses["running"] == 0 and _pauses["resume"]:
                gc.enable()


def milestone_report(
    start: date, end: date, now: datetime, stuck_days: int, locale: str | None = None
) -> MilestoneReport:
    with _collection_paused():
        return _milestone_report(start, end, now, stuck_days, locale)


def _milestone_report(
    start: date, end: date, now: datetime, stuck_days: int, locale: str | None
) -> MilestoneReport:
    milestones = all_milestones()
    customers = customers_between(start, end, locale)
    ids = [c.id for c in customers]
    # One read of the customers' first events serves the milestones and the outcomes.
    names = set(EVENT_ACTIONS) | {m.target for m in milestones if m.kind == MilestoneKind.EVENT}
    firsts = first_events(names, ids) if milestones and customers else {}
    reached = reached_at(milestones, ids, firsts)
    by_milestone = [(m.id, reached[m.id]) for m in milestones]
    for customer in customers:
        cid = customer.id
        customer.reached = {mid: when[cid] for mid, when in by_milestone if cid in when}
    every = {m.id for m in milestones}
    return MilestoneReport(
        milestones=milestones,
        customers=customers,
        cohorts=_cohorts(milestones, customers),
        stuck=_mark_stuck(milestones, customers, now, stuck_days),
        outcomes=outcomes(milestones, customers, firsts),
        reached_all=sum(1 for c in customers if every and every <= c.reached.keys()),
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
