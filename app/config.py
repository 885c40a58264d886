"""Configuration in layers: defaults → testing → instance file → TOUCHPOINT_* environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ENV_PREFIX = "TOUCHPOINT_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Defaults for a single machine: SQLite and a local search index, nothing else needed."""

    SECRET_KEY = "dev-only-change-me"
    DATABASE_URL = ""  # empty: a SQLite file under instance/
    CONTENT_DIR = str(PROJECT_ROOT / "content")
    SEARCH_INDEX_DIR = ""  # empty: instance/search-index
    LOCALES = ("en", "ja", "ar")
    DEFAULT_LOCALE = "en"
    RTL_LOCALES = ("ar",)
    SITE_NAME = "Planwise Help Center"
    BASE_URL = ""  # absolute links in the feed and sitemap; empty: from the request
    FEEDBACK_COMMENT_MAX = 2000
    # Anonymous readers' KB and forum pages: how long a shared cache (nginx) may keep them.
    PAGE_CACHE_SECONDS = 60
    # Each worker keeps anonymous readers' public pages this long (a publish drops them at once).
    APP_PAGE_CACHE_SECONDS = 10
    APP_PAGE_CACHE_ENTRIES = 500
    LISTING_CACHE_SECONDS = 60  # home's category counts, popular and recent lists, per process
    KB_ARTICLES_PER_PAGE = 30  # on a category page
    SITEMAP_MAX_URLS = 50_000  # per sitemap (the protocol's limit); /sitemap.xml is their index
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_FEEDBACK = "20 per minute"
    RATELIMIT_SIGN_IN = "10 per minute;50 per hour"
    RATELIMIT_SIGN_UP = "5 per minute;20 per hour"
    RATELIMIT_PASSWORD_RESET = "5 per minute;20 per hour"
    RATELIMIT_INSTANT_SEARCH = "60 per minute;1000 per hour"
    # If Redis (TOUCHPOINT_RATELIMIT_STORAGE_URI=redis://...) is down, limit in memory, never 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    PASSWORD_RESET_HOURS = 2
    # Outgoing mail: SMTP when MAIL_SERVER is set, otherwise messages are logged (app.mail).
    MAIL_SERVER = ""
    MAIL_PORT = 0  # 0: 465 with MAIL_USE_SSL, else 587
    MAIL_USE_TLS = True  # STARTTLS after connecting
    MAIL_USE_SSL = False  # implicit TLS (SMTPS)
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "Planwise Help Center <no-reply@localhost>"
    SESSION_KEY_ROTATION_HOURS = 24
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # The CSRF token is bound to the session; without a time limit a page served
    # as 304 from the browser cache still carries a valid token.
    WTF_CSRF_TIME_LIMIT = None
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "app" / "translations")
    # Apply search changes a crash left queued when the app starts.
    SEARCH_SYNC_ON_START = True
    # CS editor (app/editor/): a second person must publish what one sends for review.
    EDITOR_REQUIRE_REVIEW = False
    EDITOR_BODY_MAX = 100_000  # characters of Markdown per article body or guide step
    EDITOR_MEDIA_MAX_BYTES = 1_500_000  # per uploaded image (requests stop at MAX_CONTENT_LENGTH)
    # Scheduled publishing also runs lazily on requests at most this often (plus the CLI).
    EDITOR_PUBLISH_DUE_CHECK_SECONDS = 30
    # Spam defences for forum posts (app/forum/spam.py).
    SPAM_NEW_ACCOUNT_HOURS = 24
    SPAM_NEW_ACCOUNT_MAX_LINKS = 2
    SPAM_NEW_ACCOUNT_POSTS_PER_HOUR = 5
    SPAM_DUPLICATE_WINDOW_MINUTES = 10
    # Forum (app/forum/): limits on posts, posting rate, double-submit window, page size.
    FORUM_TITLE_MAX_CHARS = 200
    FORUM_BODY_MAX_CHARS = 20000
    FORUM_DUPLICATE_WINDOW_SECONDS = 120
    FORUM_TOPICS_PER_PAGE = 20
    FORUM_REPLIES_PER_PAGE = 30  # per topic page; the question and accepted answer head page 1
    RATELIMIT_POSTING = "10 per minute;100 per hour"
    RATELIMIT_FORUM_ACTIONS = "60 per minute;600 per hour"
    # SQLite waits this long for another writer instead of failing with "database is locked".
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # Insights (app/insights/): raw events older than this are pruned by `flask insights prune`;
    # roll-ups are kept. A webhook (empty: off) is told when a new content gap
    # crosses the threshold.
    INSIGHTS_RETENTION_DAYS = 395
    INSIGHTS_WEBHOOK_URL = ""
    INSIGHTS_WEBHOOK_THRESHOLD = 20
    INSIGHTS_WEBHOOK_TIMEOUT_SECONDS = 5
    TESTING = False


class TestingConfig(Config):
    """Fast, isolated defaults for the test suite."""

    TESTING = True
    SECRET_KEY = "testing"
    DATABASE_URL = "sqlite://"
    RATELIMIT_ENABLED = False
    SEARCH_SYNC_ON_START = False


def _coerce(current: Any, raw: str) -> Any:
    """Read an environment string as the type the default has."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int) and not isinstance(current, bool):
        return int(raw)
    if isinstance(current, tuple | list | dict):
        return (
            type(current)(json.loads(raw))
            if raw.strip()[:1] in "[{"
            else tuple(part.strip() for part in raw.split(",") if part.strip())
        )
    return raw


def settings_from_env(defaults: dict[str, Any], environ: dict[str, str] | None = None) -> dict:
    """Every setting can be given as TOUCHPOINT_<NAME> in the environment."""
    environ = dict(os.environ if environ is None else environ)
    found: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :]
        found[name] = _coerce(defaults.get(name, ""), raw)
    return found


def database_uri(url: str, instance_path: str) -> str:
    """Turn TOUCHPOINT_DATABASE_URL into a SQLAlchemy URI (SQLite file under instance/ if empty)."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "touchpoint.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
