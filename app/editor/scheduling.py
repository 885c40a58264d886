"""Scheduled publishing without a cron job: a throttled check at the start of requests.

`flask editor publish-due` is the dependable path (run it every minute); this lazy check
means a small site with no cron still publishes on time, give or take
EDITOR_PUBLISH_DUE_CHECK_SECONDS, as soon as anyone visits.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from app.editor.workflow import any_due, publish_due
from app.extensions import db

log = logging.getLogger(__name__)
STATE_KEY = "editor_publish_due_checked_at"


def check_due_lazily() -> None:
    if request.method != "GET" or request.endpoint in (None, "static", "media.media_file"):
        return
    interval = current_app.config["EDITOR_PUBLISH_DUE_CHECK_SECONDS"]
    now = time.monotonic()
    if now - current_app.extensions.get(STATE_KEY, float("-inf")) < interval:
        return
    current_app.extensions[STATE_KEY] = now
    try:
        if any_due():
            publish_due()
    except SQLAlchemyError:  # never let a background chore break a page
        db.session.rollback()
        log.exception("lazy publish-due check failed")


def init_scheduling(app: Flask) -> None:
    app.before_request(check_due_lazily)
