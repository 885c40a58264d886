"""The job queue: queued with the change, delivered once, retried with backoff, never lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.jobs import queue
from app.jobs.models import Job
from app.mail import send_mail, sent_mail


@pytest.fixture
def queued(any_db_app):
    any_db_app.config.update(JOBS_RUNNER="worker", JOBS_RETRY_BASE_SECONDS=10)
    return any_db_app


def test_a_job_commits_with_the_change_that_caused_it(queued):
    send_mail("ada@example.com", "Hello", "Body")
    db.session.rollback()  # the change was abandoned: its mail goes with it
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    send_mail("ada@example.com", "Hello", "Body")
    db.session.commit()
    assert sent_mail() == []  # queued, not sent by the request
    assert queue.run_due() == 1
    assert [m["to"] for m in sent_mail()] == ["ada@example.com"]
    assert queue.run_due() == 0  # nothing sent twice
    assert queue.counts()["done"] == 1


def test_a_failure_is_retried_with_exponential_backoff(queued, monkeypatch):
    outcomes = [False, False, True]
    monkeypatch.setattr("app.mail.deliver", lambda *_a: outcomes.pop(0))
    send_mail("ada@example.com", "Hello", "Body")
    db.session.commit()
    before = utcnow()
    assert queue.run_due() == 0
    job = db.session.scalar(sa.select(Job))
    assert (job.status, job.attempts) == ("pending", 1)
    assert "did not take" in job.last_error
    assert job.run_after >= before + timedelta(seconds=10)
    assert queue.run_due() == 0  # not due yet
    db.session.execute(sa.update(Job).values(run_after=utcnow()))
    db.session.commit()
    queue.run_due()
    job = db.session.scalar(sa.select(Job))
    assert job.attempts == 2 and job.run_after >= utcnow() + timedelta(seconds=15)
    db.session.execute(sa.update(Job).values(run_after=utcnow()))
    db.session.commit()
    assert queue.run_due() == 1
    assert db.session.scalar(sa.select(Job.status)) == "done"


def test_after_the_last_attempt_the_job_is_failed_and_shown(queued, monkeypatch):
    queued.config["JOBS_MAX_ATTEMPTS"] = 1
    monkeypatch.setattr("app.mail.deliver", lambda *_a: False)
    send_mail("ada@example.com", "Your reset link", "Body")
    db.session.commit()
    queue.run_due()
    result = queued.test_cli_runner().invoke(args=["jobs", "status"])
    assert "failed 1" in result.output
    assert "mail to ada@example.com: Your reset link" in result.output
    assert "last error" in result.output
    result = queued.test_cli_runner().invoke(args=["jobs", "retry-failed"])
    assert "1 failed job(s) queued again" in result.output
    assert queue.counts()["pending"] == 1


def test_a_job_left_running_by_a_dead_worker_is_taken_again(queued):
    send_mail("ada@example.com", "Hello", "Body")
    db.session.commit()
    job = queue.claim_next()
    assert job is not None and queue.claim_next() is None  # claimed: nobody else takes it
    db.session.execute(
        sa.update(Job).values(claimed_at=utcnow() - queue.CLAIM_TIMEOUT - timedelta(seconds=1))
    )
    db.session.commit()
    assert queue.run_due() == 1


def drain_with_four_workers(app) -> list[str]:
    """Queue 60 jobs, let four threads (own connections) run them; what each delivered."""
    delivered: list[str] = []
    lock = threading.Lock()

    def record(payload):
        with lock:
            delivered.append(payload["n"])

    queue.register_handler("count", record)
    with app.app_context():
        for n in range(60):
            queue.enqueue("count", {"n": str(n)})
        db.session.commit()

    def drain():
        with app.app_context():
            queue.run_due(limit=1000)
            db.session.remove()

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return delivered


def test_four_workers_deliver_each_job_once_on_a_sqlite_file(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'jobs.sqlite3'}", JOBS_RUNNER="worker")
    with app.app_context():
        db.create_all()
    assert sorted(drain_with_four_workers(app), key=int) == [str(n) for n in range(60)]


def test_four_workers_deliver_each_job_once_on_postgresql(postgres_app):
    postgres_app.config["JOBS_RUNNER"] = "worker"
    delivered = drain_with_four_workers(postgres_app)
    assert sorted(delivered, key=int) == [str(n) for n in range(60)]


def test_digest_cli_says_to_whom_and_what(queued):
    from tests.conftest import make_user

    make_user(email="cs@example.com", role="cs_editor", name="CS")
    result = queued.test_cli_runner().invoke(args=["insights", "digest"])
    assert result.exit_code == 0, result.output
    assert "queued for 1 staff member(s): cs@example.com" in result.output
    assert "Help center insights" in result.output
    result = queued.test_cli_runner().invoke(args=["jobs", "work", "--once"])
    assert "1 job(s) delivered" in result.output
