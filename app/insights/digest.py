"""The weekly digest: new gaps, worst articles and the North Star, mailed to staff or printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.accounts.models import Role, User
from app.clock import utcnow
from app.extensions import db
from app.insights.filters import Filters
from app.insights.gaps import content_gaps
from app.insights.metrics.articles import article_rows, worst_articles
from app.insights.metrics.self_service import SelfServiceMetrics, self_service_metrics
from app.insights.source import RangeData

DIGEST_ROLES = (Role.CS_EDITOR.value, Role.PRODUCT.value, Role.ADMIN.value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def isolated(text: object) -> str:
    """`text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: plain text's <bdi>.

    A Latin article title in an Arabic digest (or an Arabic search in an English one) keeps
    its own direction and does not drag the punctuation around it along.
    """
    return f"\u2068{text}\u2069"


@dataclass(frozen=True)
class DigestFacts:
    """What the digest says, computed once and then written in each reader's language."""

    start: date
    end: date
    north: SelfServiceMetrics
    gaps: list
    worst: list


def digest_facts(days: int = 7) -> DigestFacts:
    """The numbers for the last `days` days, today included."""
    now = utcnow()
    filters = Filters(start=now.date() - timedelta(days=days - 1), end=now.date())
    data = RangeData(filters, now)
    return DigestFacts(
        start=filters.start,
        end=filters.end,
        north=self_service_metrics(data),
        gaps=[g for g in content_gaps(data, limit=50) if g.is_new][:10],
        worst=worst_articles(article_rows(data), limit=5),
    )


def render_digest(facts: DigestFacts, locale: str) -> tuple[str, str]:
    """(subject, plain-text body) in `locale`."""
    with force_locale(locale):
        return _render(facts)


def _render(facts: DigestFacts) -> tuple[str, str]:
    north, gaps, worst = facts.north, facts.gaps, facts.worst
    score = "—" if north.score is None else f"{north.score:.1f}"
    lines = [
        _("Help center insights, %(start)s to %(end)s", start=facts.start, end=facts.end),
        "",
        _(
            "Self-service score: %(score)s (%(readers)s, %(askers)s)",
            score=score,
            readers=ngettext(
                "%(num)d session read help", "%(num)d sessions read help", north.readers
            ),
            askers=ngettext("%(num)d posted a question", "%(num)d posted a question", north.askers),
        ),
        "",
        _("New content gaps:"),
    ]
    lines += [
        f"  - [{g.locale}] {isolated(g.label)} — {g.no_clicks} / {g.searches}" for g in gaps
    ] or ["  " + _("none")]
    lines += ["", _("Least helpful articles:")]
    lines += [
        f"  - [{a.locale}] {isolated(a.title)} — {_percent(a.helpful_rate)} ({a.votes})"
        for a in worst
    ] or ["  " + _("none")]
    subject = ngettext(
        "Help center insights: %(num)d new gap", "Help center insights: %(num)d new gaps", len(gaps)
    )
    return subject, "\n".join(lines) + "\n"


def build_digest(days: int = 7, locale: str | None = None) -> tuple[str, str]:
    """(subject, plain-text body) for the last `days` days in `locale` (default: the site's)."""
    return render_digest(digest_facts(days), locale or current_app.config["DEFAULT_LOCALE"])


def send_digest(days: int = 7) -> list[str]:
    """Queue the digest for every staff member who takes email, each in their own language
    (their profile's, else the site's); returns their addresses."""
    from app.mail import send_mail

    recipients = db.session.scalars(
        sa.select(User).where(
            User.role.in_(DIGEST_ROLES),
            User.is_suspended.is_(False),
            User.email_notifications.is_(True),
        )
    ).all()
    facts = digest_facts(days)
    written: dict[str, tuple[str, str]] = {}
    for user in recipients:
        locale = user.locale if user.locale in current_app.config["LOCALES"] else None
        locale = locale or current_app.config["DEFAULT_LOCALE"]
        if locale not in written:
            written[locale] = render_digest(facts, locale)
        subject, body = written[locale]
        send_mail(user.email, subject, body)
    db.session.commit()
    return [user.email for user in recipients]
