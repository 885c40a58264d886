"""The optional outgoing webhook: POST JSON when a new gap crosses INSIGHTS_WEBHOOK_THRESHOLD."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.insights.filters import Filters
from app.insights.gaps import content_gaps
from app.insights.source import RangeData
from app.insights.task_models import GapAlert
from app.jobs.queue import JobFailed, enqueue

log = logging.getLogger("app.insights.webhooks")
WINDOW_DAYS = 7


def post_json(url: str, payload: dict, timeout: float) -> bool:
    """POST `payload`; True on a 2xx answer. Failures are logged, never raised."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            ok = 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError) as error:
        log.warning("insights webhook to %s failed: %s", url, error)
        return False
    if not ok:
        log.warning("insights webhook to %s answered %s", url, response.status)
    return ok


def notify_new_gaps(now=None) -> int:
    """Queue an alert for each gap of the last 7 days over the threshold, once; returns how many."""
    config = current_app.config
    url = config["INSIGHTS_WEBHOOK_URL"]
    if not url or not url.startswith(("http://", "https://")):
        return 0
    threshold = max(1, int(config["INSIGHTS_WEBHOOK_THRESHOLD"]))
    now = now or utcnow()
    filters = Filters(start=now.date() - timedelta(days=WINDOW_DAYS - 1), end=now.date())
    gaps = [g for g in content_gaps(RangeData(filters, now), limit=200) if g.no_clicks >= threshold]
    announced = {(a.locale, a.gap_key) for a in db.session.scalars(sa.select(GapAlert)).all()}
    sent = 0
    for gap in gaps:
        if (gap.locale, gap.key) in announced:
            continue
        payload = {
            "event": "insights.gap",
            "locale": gap.locale,
            "gap": gap.key,
            "label": gap.label,
            "unanswered_searches": gap.no_clicks,
            "searches": gap.searches,
            "zero_results": gap.zero_results,
            "examples": [text for text, _n in gap.examples.most_common(3)],
            "threshold": threshold,
            "window_days": WINDOW_DAYS,
        }
        # The alert and its delivery job commit together; the job worker retries until
        # the receiver answers 2xx, so each gap is announced once and never lost.
        enqueue(
            "webhook",
            {"url": url, "payload": payload},
            summary=f"webhook to {url}: gap [{gap.locale}] {gap.label}",
        )
        db.session.add(
            GapAlert(locale=gap.locale, gap_key=gap.key, count=gap.no_clicks, delivered=True)
        )
        sent += 1
    db.session.commit()
    return sent


def deliver_job(job: dict) -> None:
    """The job handler: POST one queued alert; raise JobFailed so it is retried."""
    timeout = float(current_app.config["INSIGHTS_WEBHOOK_TIMEOUT_SECONDS"])
    if not post_json(job["url"], job["payload"], timeout):
        raise JobFailed(f"webhook to {job['url']} not accepted")
