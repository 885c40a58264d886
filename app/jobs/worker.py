"""The delivery loop: `flask jobs work` runs it in the foreground, the web server in a thread."""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

from app.extensions import db
from app.jobs.queue import run_due

log = logging.getLogger("app.jobs")
_started_in: set[int] = set()  # pids whose server already runs a delivery thread
_lock = threading.Lock()


def work(app: Flask, stop: threading.Event) -> None:
    """Deliver due jobs until `stop` is set; a database outage only pauses the loop."""
    poll = float(app.config["JOBS_POLL_SECONDS"])
    while not stop.is_set():
        delivered = 0
        try:
            with app.app_context():
                delivered = run_due()
                db.session.remove()
        except Exception:  # the database may be restarting: wait and try again
            log.exception("job delivery paused")
        if not delivered:
            stop.wait(poll)


def start_thread(app: Flask) -> threading.Thread | None:
    """Start the in-server delivery thread once per process (after a fork, again)."""
    with _lock:
        if os.getpid() in _started_in:
            return None
        _started_in.add(os.getpid())
    thread = threading.Thread(
        target=work, args=(app, threading.Event()), name="touchpoint-jobs", daemon=True
    )
    thread.start()
    log.info("delivering jobs from a thread of this server (TOUCHPOINT_JOBS_RUNNER=thread)")
    return thread


def init_jobs(app: Flask) -> None:
    """With JOBS_RUNNER=thread the first request of each server process starts the thread."""
    if app.config["JOBS_RUNNER"] != "thread":
        return

    @app.before_request
    def _deliver_jobs_in_background() -> None:
        if os.getpid() not in _started_in:
            start_thread(app)
