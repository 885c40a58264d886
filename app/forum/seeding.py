"""Default categories and demo topics; both safe to run again (they only add what is missing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.forum.default_categories import DEFAULT_CATEGORIES
from app.forum.demo_data import DEMO_TOPICS, DEMO_USERS
from app.forum.models import ForumCategory, Post, Topic
from app.forum.posting import create_reply, create_topic
from app.forum.voting import accept_answer, toggle_vote


def ensure_categories() -> tuple[int, int]:
    """Create missing default categories and fill in missing names; returns (created, updated)."""
    created = updated = 0
    for position, spec in enumerate(DEFAULT_CATEGORIES, start=1):
        category = db.session.scalar(sa.select(ForumCategory).filter_by(slug=spec["slug"]))
        if category is None:
            db.session.add(ForumCategory(position=position, **spec))
            created += 1
            continue
        names = {**spec["names"], **(category.names or {})}
        descriptions = {**spec["descriptions"], **(category.descriptions or {})}
        if names != category.names or descriptions != category.descriptions:
            category.names, category.descriptions = names, descriptions
            updated += 1
    db.session.commit()
    return created, updated


@dataclass
class SeedReport:
    users_created: list[str] = field(default_factory=list)
    topics_created: int = 0
    topics_skipped: int = 0


def _demo_user(email: str, name: str, role: str, locale: str, password_hash: str, report) -> User:
    user = db.session.scalar(sa.select(User).filter_by(email=email))
    if user is None:
        # Old enough that the new-account spam limits do not apply; no demo e-mail goes out.
        user = User(
            email=email,
            display_name=name,
            role=role,
            locale=locale,
            email_notifications=False,
            created_at=utcnow() - timedelta(days=120),
        )
        user.password_hash = password_hash  # one Argon2 hash for all demo accounts: fast seeding
        db.session.add(user)
        db.session.commit()
        report.users_created.append(email)
    return user


def _backdate(topic: Topic, days: int) -> None:
    """Spread a demo topic's posts over time so lists and dates look real."""
    start = utcnow() - timedelta(days=days, hours=3)
    posts = db.session.scalars(sa.select(Post).where(Post.topic_id == topic.id).order_by(Post.id))
    moment = start
    for step, post in enumerate(posts):
        moment = start + timedelta(hours=5 * step)
        post.created_at = moment
        if step == 1:
            topic.first_answer_at = moment
    topic.created_at = topic.updated_at = start
    topic.last_activity_at = moment


def seed_demo(password: str) -> SeedReport:
    """Demo customers and about eight topics per language: solved, ideas, unanswered."""
    ensure_categories()
    report = SeedReport()
    hasher = User(email="", display_name="")
    hasher.set_password(password)
    users = [_demo_user(*spec, hasher.password_hash, report=report) for spec in DEMO_USERS]
    _seed_topics(users, report)
    return report


def _seed_topics(users: list[User], report: SeedReport) -> None:
    categories = {c.slug: c for c in db.session.scalars(sa.select(ForumCategory))}
    for locale, topics in DEMO_TOPICS.items():
        for spec in topics:
            exists = db.session.scalar(
                sa.select(Topic.id).filter_by(locale=locale, title=spec["title"])
            )
            if exists is not None:
                report.topics_skipped += 1
                continue
            topic = create_topic(
                users[spec["author"]],
                categories[spec["category"]],
                locale,
                spec["title"],
                spec["body"],
                spec["tags"],
            )
            replies = [create_reply(users[a], topic, body) for a, body in spec["replies"]]
            question = next(p for p in topic.posts if p.is_first)
            for voter in spec["voters"]:
                toggle_vote(users[voter], question)
            if spec["accepted"] is not None:
                accept_answer(users[spec["author"]], topic, replies[spec["accepted"]])
            _backdate(topic, spec["days"])
            db.session.commit()
            report.topics_created += 1
