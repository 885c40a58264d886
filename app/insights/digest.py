"""The weekly digest: new gaps, worst articles and the North Star, mailed to staff or printed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.models import Role, User
from app.clock import utcnow
from app.extensions import db
from app.insights.filters import Filters
from app.insights.gaps import content_gaps
from app.insights.metrics.articles import article_rows, worst_articles
from app.insights.metrics.self_service import self_service_metrics
from app.insights.source import RangeData

DIGEST_ROLES = (Role.CS_EDITOR.value, Role.PRODUCT.value, Role.ADMIN.value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def build_digest(days: int = 7) -> tuple[str, str]:
    """(subject, plain-text body) for the last `days` days, today included."""
    now = utcnow()
    filters = Filters(start=now.date() - timedelta(days=days - 1), end=now.date())
    data = RangeData(filters, now)
    north = self_service_metrics(data)
    gaps = [g for g in content_gaps(data, limit=50) if g.is_new][:10]
    worst = worst_articles(article_rows(data), limit=5)
    score = "—" if north.score is None else f"{north.score:.1f}"
    lines = [
        _("Help center insights, %(start)s to %(end)s", start=filters.start, end=filters.end),
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
    lines += [f"  - [{g.locale}] {g.label} — {g.no_clicks} / {g.searches}" for g in gaps] or [
        "  " + _("none")
    ]
    lines += ["", _("Least helpful articles:")]
    lines += [
        f"  - [{a.locale}] {a.title} — {_percent(a.helpful_rate)} ({a.votes})" for a in worst
    ] or ["  " + _("none")]
    subject = ngettext(
        "Help center insights: %(num)d new gap", "Help center insights: %(num)d new gaps", len(gaps)
    )
    return subject, "\n".join(lines) + "\n"


def send_digest(subject: str, body: str) -> list[str]:
    """Queue the digest for every staff member who takes email; returns their addresses."""
    from app.mail import send_mail

    recipients = db.session.scalars(
        sa.select(User).where(
            User.role.in_(DIGEST_ROLES),
            User.is_suspended.is_(False),
            User.email_notifications.is_(True),
        )
    ).all()
    for user in recipients:
        send_mail(user.email, subject, body)
    db.session.commit()
    return [user.email for user in recipients]
