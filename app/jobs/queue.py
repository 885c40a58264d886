"""Enqueue, claim and run jobs, with retries and exponential backoff.

A job is claimed by one worker at a time: the candidate row is selected with
`FOR UPDATE SKIP LOCKED` (PostgreSQL; ignored by SQLite) and then taken with a
conditional UPDATE (`... WHERE status = 'pending'`), which is atomic on both
databases, so two workers never run the same job. A worker that died while
running a job gives it up after CLAIM_TIMEOUT; it is then tried again.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.jobs.models import DONE, FAILED, PENDING, RUNNING, Job

log = logging.getLogger("app.jobs")
CLAIM_TIMEOUT = timedelta(minutes=10)
Handler = Callable[[dict], None]
_handlers: dict[str, Handler] = {}


class JobFailed(Exception):
    """Raised by a handler when delivery failed and should be tried again later."""


def register_handler(kind: str, handler: Handler) -> None:
    """Areas register how to deliver their kind of job (mail, webhook)."""
    _handlers[kind] = handler


def enqueue(kind: str, payload: dict, summary: str = "") -> None:
    """Queue a job in the current transaction; the caller commits it with its own changes."""
    if current_app.config["JOBS_RUNNER"] == "inline":
        _run_handler(kind, payload, summary)
        return
    db.session.add(
        Job(kind=kind, payload=json.dumps(payload, ensure_ascii=False), summary=summary[:300])
    )


def _run_handler(kind: str, payload: dict, summary: str) -> None:
    try:
        _handlers[kind](payload)
    except Exception:  # inline (tests): a failure is logged like the worker logs it
        log.exception("job %s (%s) failed", kind, summary)


def _due(now):
    stale = now - CLAIM_TIMEOUT
    return sa.or_(
        sa.and_(Job.status == PENDING, Job.run_after <= now),
        sa.and_(Job.status == RUNNING, Job.claimed_at < stale),
    )


def claim_next() -> Job | None:
    """Take the oldest due job for this worker, or None when nothing is due.

    One statement: UPDATE ... WHERE id = (the oldest due id) AND still due. PostgreSQL
    skips rows another worker has locked (SKIP LOCKED); SQLite runs the statement under
    its single write lock, so no read-then-upgrade race exists there.
    """
    now = utcnow()
    for _attempt in range(5):
        oldest_due = (
            sa.select(Job.id)
            .where(_due(now))
            .order_by(Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        token = secrets.token_hex(16)
        taken = db.session.execute(
            sa.update(Job)
            .where(Job.id == oldest_due, _due(now))
            .values(status=RUNNING, claimed_at=now, claim_token=token, attempts=Job.attempts + 1)
            .returning(Job.id)
        ).scalar()
        db.session.commit()
        if taken is not None:
            return db.session.scalar(sa.select(Job).filter_by(id=taken, claim_token=token))
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(_due(now))):
            return None
    return None


def backoff(attempts: int) -> timedelta:
    base = int(current_app.config["JOBS_RETRY_BASE_SECONDS"])
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def run_job(job: Job) -> bool:
    """Deliver one claimed job and record the outcome; True when it was delivered."""
    handler = _handlers.get(job.kind)
    error = ""
    try:
        if handler is None:
            raise JobFailed(f"no handler for {job.kind!r}")
        handler(json.loads(job.payload))
    except Exception as failure:  # any failure: record it, retry later, never lose the job
        error = f"{type(failure).__name__}: {failure}"[:500]
    token = job.claim_token
    values: dict = {"claim_token": None, "claimed_at": None}
    if not error:
        values.update(status=DONE, finished_at=utcnow(), last_error="")
        log.info("job %s %s delivered: %s", job.id, job.kind, job.summary)
    elif job.attempts >= int(current_app.config["JOBS_MAX_ATTEMPTS"]):
        values.update(status=FAILED, finished_at=utcnow(), last_error=error)
        log.error(
            "job %s %s failed after %s attempts: %s — %s",
            *(job.id, job.kind, job.attempts, job.summary, error),
        )
    else:
        delay = backoff(job.attempts)
        values.update(status=PENDING, run_after=utcnow() + delay, last_error=error)
        log.warning(
            "job %s %s attempt %s failed, retry in %ss: %s — %s",
            *(job.id, job.kind, job.attempts, int(delay.total_seconds()), job.summary, error),
        )
    db.session.execute(
        sa.update(Job).where(Job.id == job.id, Job.claim_token == token).values(**values)
    )
    db.session.commit()
    return not error


def run_due(limit: int = 100) -> int:
    """Run due jobs until none is left (or `limit`); returns how many were delivered."""
    delivered = 0
    for _ in range(limit):
        job = claim_next()
        if job is None:
            break
        delivered += run_job(job)
    return delivered


def counts() -> dict[str, int]:
    """Jobs per status, plus "due": pending jobs whose time has come."""
    rows = db.session.execute(sa.select(Job.status, sa.func.count()).group_by(Job.status)).all()
    found = {PENDING: 0, RUNNING: 0, DONE: 0, FAILED: 0, **dict(rows)}
    found["due"] = due_count()
    return found


def due_count() -> int:
    """Jobs waiting to be delivered now (the readiness check's backlog)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(_due(utcnow())))


def prune_finished(days: int) -> int:
    """Delete delivered jobs older than `days`; failed ones stay until retried."""
    cutoff = utcnow() - timedelta(days=days)
    deleted = db.session.execute(
        sa.delete(Job).where(Job.status == DONE, Job.finished_at < cutoff)
    ).rowcount
    db.session.commit()
    return deleted


def unfinished(limit: int = 50) -> list[Job]:
    """Pending, running and failed jobs, oldest first (for `flask jobs status`)."""
    return list(
        db.session.scalars(
            sa.select(Job)
            .where(Job.status.in_([PENDING, RUNNING, FAILED]))
            .order_by(Job.id)
            .limit(limit)
        )
    )


def retry_failed() -> int:
    """Give every failed job a fresh round of attempts."""
    changed = db.session.execute(
        sa.update(Job)
        .where(Job.status == FAILED)
        .values(status=PENDING, attempts=0, run_after=utcnow(), finished_at=None)
    ).rowcount
    db.session.commit()
    return changed
