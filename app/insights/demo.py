"""Demo insights for `flask insights seed-demo`: onboarding milestones the demo customers
reached, their guide progress and reading, and one need searched in three languages.

Run after `flask forum seed-demo` (it uses the demo customers); safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.events import Event
from app.extensions import db
from app.insights.milestone_models import Milestone, MilestoneKind
from app.insights.need_models import NeedSynonymGroup
from app.kb.models import Article, GuideProgress
from search.analysis import normalize_query_text

GUIDE = "set-up-your-workspace"
MILESTONES = [
    ("Finished the Set up your workspace guide", MilestoneKind.GUIDE.value, GUIDE),
    ("Asked a first question", "forum", "topic"),
    ("First accepted answer", "forum", "accepted"),
]
# Customers (by e-mail) who finished the guide, and those who ticked only its first steps.
FINISHED = ("maya.chen@example.com", "kenji.sato@example.com", "layla.haddad@example.com")
STARTED = ("tom.becker@example.com", "yui.tanaka@example.com")
DARK_MODE = {"en": ["dark mode"], "ja": ["ダークモード"], "ar": ["الوضع الداكن"]}
DEMO_SESSION = "demo-insights"


@dataclass
class DemoReport:
    milestones: int = 0
    progress: int = 0
    events: int = 0
    groups: int = 0


def seed_demo_insights(now: datetime) -> DemoReport:
    report = DemoReport()
    if db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0:
        for position, (name, kind, target) in enumerate(MILESTONES, start=1):
            db.session.add(Milestone(name=name, kind=kind, target=target, position=position))
            report.milestones += 1
    customers = {
        u.email: u
        for u in db.session.scalars(sa.select(User).where(User.role == Role.CUSTOMER.value))
    }
    report.progress = _guide_progress(customers)
    if not _seeded():
        report.events = _events(customers, now)
    if not any(
        "dark mode" in (g.terms or {}).get("en", [])
        for g in db.session.scalars(sa.select(NeedSynonymGroup))
    ):
        db.session.add(NeedSynonymGroup(terms=DARK_MODE))
        report.groups = 1
    db.session.commit()
    return report


def _guide_progress(customers: dict[str, User]) -> int:
    guide = db.session.scalar(
        sa.select(Article).where(Article.translation_key == GUIDE, Article.locale == "en")
    )
    if guide is None:
        return 0
    steps = [s.key for s in guide.steps]
    added = 0
    for email, user in customers.items():
        wanted = steps if email in FINISHED else steps[:2] if email in STARTED else []
        have = set(
            db.session.scalars(
                sa.select(GuideProgress.step_key).filter_by(user_id=user.id, translation_key=GUIDE)
            )
        )
        for n, key in enumerate(wanted):
            if key not in have:
                done = user.created_at + timedelta(days=2 + n)
                db.session.add(
                    GuideProgress(
                        user_id=user.id, translation_key=GUIDE, step_key=key, done_at=done
                    )
                )
                added += 1
    return added


def _seeded() -> bool:
    found = db.session.scalar(
        sa.select(Event.id).where(Event.session_key.like(f"{DEMO_SESSION}%")).limit(1)
    )
    return found is not None


def _events(customers: dict[str, User], now: datetime) -> int:
    count = 0
    for email, user in sorted(customers.items()):
        if email not in FINISHED + STARTED:
            continue
        articles = db.session.scalars(
            sa.select(Article)
            .where(Article.status == "published", Article.locale == (user.locale or "en"))
            .order_by(Article.id)
            .limit(3)
        )
        for step, article in enumerate(articles):
            db.session.add(
                Event(
                    name="article_view",
                    occurred_at=user.created_at + timedelta(days=1, hours=step),
                    session_key=f"{DEMO_SESSION}-u{user.id}",
                    user_id=user.id,
                    locale=article.locale,
                    subject_type="article",
                    subject_id=article.id,
                    data={},
                )
            )
            count += 1
    for locale, (term,) in DARK_MODE.items():
        for n in range(4 if locale == "en" else 3):
            db.session.add(
                Event(
                    name="search",
                    occurred_at=now - timedelta(days=n + 1, hours=2),
                    session_key=f"{DEMO_SESSION}-{locale}-{n}",
                    locale=locale,
                    data={
                        "query": term,
                        "normalized": normalize_query_text(term, locale),
                        "results": 0,
                        "source": "search_page",
                        "kind": None,
                        "category": None,
                        "page": 1,
                    },
                )
            )
            count += 1
    return count
