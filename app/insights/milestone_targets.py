"""What an onboarding milestone can be defined from (events, forum firsts, guides and their
steps), and defining one; the words each is shown with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.insights.milestone_models import Milestone
from app.kb.models import Article, ArticleKind

# Events a customer's onboarding can be measured by (app/insights/EVENTS.md).
EVENT_ACTIONS = {
    "search": _l("Searched the help center"),
    "search_click": _l("Opened a search result"),
    "article_view": _l("Read a help article"),
    "article_feedback": _l("Rated an article"),
    "ask_opened": _l("Started asking a question"),
    "ask_suggestion_opened": _l("Opened a suggested answer while asking"),
    "ask_deflected": _l("Found the answer while asking"),
    "ask_posted": _l("Posted a question from the ask form"),
}
FORUM_ACTIONS = {
    "topic": _l("Started a forum topic"),
    "reply": _l("Replied in the forum"),
    "accepted": _l("Got an accepted answer"),
}


class MilestoneError(ValueError):
    """A milestone that cannot be saved; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Target:
    value: str  # "event:ask_posted", "forum:topic", "guide:<key>", "step:<key>/<step>"
    label: str
    group: str


def guide_targets(locale: str) -> list[Target]:
    """Each guide (all its steps) and each of its steps, titled in `locale` where translated."""
    guides: dict[str, Article] = {}
    for article in db.session.scalars(
        sa.select(Article).where(Article.kind == ArticleKind.GUIDE.value).order_by(Article.id)
    ):
        if article.translation_key not in guides or article.locale == locale:
            guides[article.translation_key] = article
    targets = []
    for key, article in sorted(guides.items(), key=lambda item: item[1].title):
        targets.append(
            Target(f"guide:{key}", str(_l("Finished “%(title)s”", title=article.title)), "guide")
        )
        for step in article.steps:
            targets.append(
                Target(
                    f"step:{key}/{step.key}",
                    str(_l("%(guide)s: %(step)s", guide=article.title, step=step.title)),
                    "step",
                )
            )
    return targets


def targets(locale: str) -> list[Target]:
    """Everything a milestone can be defined from, in the order the form lists it."""
    found = [Target(f"event:{n}", str(label), "event") for n, label in EVENT_ACTIONS.items()]
    found += [Target(f"forum:{n}", str(label), "forum") for n, label in FORUM_ACTIONS.items()]
    return found + guide_targets(locale)


def parse_target(value: str, known: Iterable[Target]) -> tuple[str, str]:
    if value not in {t.value for t in known}:
        raise MilestoneError("target")
    kind, _sep, target = value.partition(":")
    return kind, target


def create_milestone(name: str, value: str, user_id: int | None, locale: str) -> Milestone:
    """Add a milestone at the end of the list; the caller commits."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise MilestoneError("name")
    kind, target = parse_target(value, targets(locale))
    last = db.session.scalar(sa.select(sa.func.max(Milestone.position))) or 0
    milestone = Milestone(
        name=name, kind=kind, target=target, position=last + 1, created_by_id=user_id
    )
    db.session.add(milestone)
    return milestone


def all_milestones() -> list[Milestone]:
    return list(db.session.scalars(sa.select(Milestone).order_by(Milestone.position, Milestone.id)))


def target_labels(milestones: list[Milestone], locale: str) -> dict[int, str]:
    """What reaching each milestone means, in words (a guide or step since removed: its key)."""
    known = {t.value: t.label for t in targets(locale)} if milestones else {}
    return {m.id: known.get(f"{m.kind}:{m.target}", f"{m.kind}:{m.target}") for m in milestones}


def action_label(key: str) -> str:
    kind, _sep, name = key.partition(":")
    labels = EVENT_ACTIONS if kind == "event" else FORUM_ACTIONS
    return str(labels.get(name, key))
