"""Which survey a person is offered on a page, and what they answer (no request objects here).

The rules (README settings `SURVEY_*`):

- **CSAT** (1–5) on an article the person just marked helpful, or on their own question once
  it has an accepted answer; at most once per `SURVEY_CSAT_PERIOD_DAYS`.
- **NPS** (0–10 and why) for signed-in customers on help-center and forum pages, when no CSAT
  question is on the page; at most once per `SURVEY_NPS_PERIOD_DAYS`.
- "Once" means one browser session: the row is written when the survey is first shown, it
  stays on that session's pages until answered or dismissed, and another session in the
  same period is not asked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.kb.models import ArticleFeedback
from app.pii import scrub
from app.surveys.models import SCORES, SurveyKind, SurveyResponse, SurveyState


class SurveyError(ValueError):
    """An answer that cannot be stored as sent (the message key says why)."""


@dataclass(frozen=True)
class Person:
    """Who is asked: a signed-in user, else the browser's anonymous session."""

    user_id: int | None
    session_key: str
    is_customer: bool

    @property
    def key(self) -> str:
        return f"u:{self.user_id}" if self.user_id is not None else f"s:{self.session_key}"


@dataclass(frozen=True)
class Periods:
    nps_days: int
    csat_days: int

    def of(self, kind: str) -> timedelta:
        return timedelta(days=self.nps_days if kind == SurveyKind.NPS else self.csat_days)


def offer(
    person: Person,
    kind: str,
    subject: tuple[str, int] | None,
    locale: str,
    now: datetime,
    periods: Periods,
) -> SurveyResponse | None:
    """The survey to show now, written as shown on first showing; None if not this period."""
    latest = db.session.scalars(
        sa.select(SurveyResponse)
        .where(
            SurveyResponse.person == person.key,
            SurveyResponse.kind == kind,
            SurveyResponse.shown_at > now - periods.of(kind),
        )
        .order_by(SurveyResponse.shown_at.desc())
        .limit(1)
    ).first()
    if latest is not None:
        still_open = latest.state == SurveyState.SHOWN and latest.session_key == person.session_key
        return latest if still_open else None
    response = SurveyResponse(
        kind=kind,
        person=person.key,
        user_id=person.user_id,
        session_key=person.session_key,
        locale=locale,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        shown_at=now,
    )
    db.session.add(response)
    db.session.commit()
    return response


def marked_helpful(person: Person, article_id: int) -> bool:
    """Did this person say "Yes" to "Was this helpful?" on the article?"""
    who = ArticleFeedback.session_key == person.session_key
    if person.user_id is not None:
        who = sa.or_(who, ArticleFeedback.user_id == person.user_id)
    query = sa.select(ArticleFeedback.id).where(
        ArticleFeedback.article_id == article_id, ArticleFeedback.helpful.is_(True), who
    )
    return db.session.scalar(query.limit(1)) is not None


def survey_for_page(
    person: Person,
    locale: str,
    now: datetime,
    periods: Periods,
    article_id: int | None = None,
    solved_topic_id: int | None = None,
) -> SurveyResponse | None:
    """At most one survey per page: CSAT where it applies, else NPS for a customer."""
    subject = None
    if solved_topic_id is not None:
        subject = ("topic", solved_topic_id)
    elif article_id is not None and marked_helpful(person, article_id):
        subject = ("article", article_id)
    if subject is not None:
        found = offer(person, SurveyKind.CSAT, subject, locale, now, periods)
        if found is not None:
            return found
    if person.user_id is not None and person.is_customer:
        return offer(person, SurveyKind.NPS, None, locale, now, periods)
    return None


def response_of(person: Person, response_id: int) -> SurveyResponse | None:
    """The person's own survey row, still waiting for an answer."""
    response = db.session.get(SurveyResponse, response_id)
    if response is None or response.person != person.key:
        return None
    return response if response.state == SurveyState.SHOWN else None


def answer(
    response: SurveyResponse, score: str | None, comment: str, limit: int, now: datetime
) -> None:
    """Store the score and the PII-scrubbed comment; the caller commits."""
    if score is None or not score.strip().isdecimal():
        raise SurveyError("score_missing")
    value = int(score)
    if value not in SCORES[SurveyKind(response.kind)]:
        raise SurveyError("score_missing")
    comment = " ".join("".join(c for c in comment or "" if c.isprintable() or c.isspace()).split())
    if len(comment) > limit:
        raise SurveyError("comment_too_long")
    response.score = value
    response.comment = scrub(comment) or None
    response.state = SurveyState.ANSWERED.value
    response.answered_at = now


def dismiss(response: SurveyResponse, now: datetime) -> None:
    response.state = SurveyState.DISMISSED.value
    response.answered_at = now
