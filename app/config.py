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
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_FEEDBACK = "20 per minute"
    RATELIMIT_SIGN_IN = "10 per minute;50 per hour"
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
