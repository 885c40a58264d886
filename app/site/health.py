"""Readiness checks for /readyz: each returns None when fine, else a short reason."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import text

from app.extensions import db
from app.jobs.queue import due_count
from app.site_search.services import SearchRequest, run_search

PROBE_QUERY = "help"


def database_problem() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def search_problem() -> str | None:
    """One query per language through the app's search service, as a visitor would ask it."""
    for locale in current_app.config["LOCALES"]:
        run_search(SearchRequest(text=PROBE_QUERY, locale=locale, per_page=1))
    return None


def redis_problem() -> str | None:
    """Ping the rate-limit store when it is Redis; None when Redis is not configured."""
    uri = str(current_app.config["RATELIMIT_STORAGE_URI"])
    if not uri.startswith(("redis://", "rediss://")):
        return None
    import redis  # the `redis` extra, installed with `.[postgres,redis]`

    client = redis.Redis.from_url(uri, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return None


def jobs_problem() -> str | None:
    limit = int(current_app.config["JOBS_READY_BACKLOG"])
    waiting = due_count()
    return f"{waiting} jobs due (limit {limit})" if waiting > limit else None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": database_problem,
    "search": search_problem,
    "redis": redis_problem,
    "jobs": jobs_problem,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check; a check that raises fails with the exception's type (no detail leaked)."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as error:  # any failure means "not ready": name it, keep serving
            db.session.rollback()
            current_app.logger.warning("readiness check %s failed", name, exc_info=True)
            problem = f"failed ({type(error).__name__})"
        results[name] = problem or "ok"
    return all(value == "ok" for value in results.values()), results
