"""Configuration in layers: defaults → testing → instance file → TOUCHPOINT_* environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

ENV_PREFIX = "TOUCHPOINT_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Defaults for a single machine: SQLite and a local search index, nothing else needed."""

    SECRET_KEY: str = "dev-only-change-me"
    DATABASE_URL: str = ""  # empty: a SQLite file under instance/
    SQLALCHEMY_DATABASE_URI: str = ""  # set from DATABASE_URL at start-up, never by hand
    # PostgreSQL connections each process keeps open: at least its request threads (gunicorn's
    # threads, 8 in deploy/gunicorn.conf.py) plus its background threads. A request holds
    # one from its first query to its end; past the pool, each connection is opened for one
    # request and closed (a new PostgreSQL process every time: 181 in 20 s of reads with 5
    # pools of 5 and 8 threads each, bench/behind_nginx.py postgres_sessions_opened).
    DATABASE_POOL_SIZE: int = 10
    # A PostgreSQL streaming replica for searches, suggest and public pages (app/read_replica.py).
    DATABASE_READ_URL: str = ""
    CONTENT_DIR: str = str(PROJECT_ROOT / "content")
    LOCALES: tuple[str, ...] = ("en", "ja", "ar")
    DEFAULT_LOCALE: str = "en"
    RTL_LOCALES: tuple[str, ...] = ("ar",)
    SITE_NAME: str = "Planwise Help Center"
    BASE_URL: str = ""  # absolute links in the feed and sitemap; empty: from the request
    ASSET_VERSION: str = ""  # part of public pages' ETag: change it when static files change
    FEEDBACK_COMMENT_MAX: int = 2000
    # Anonymous readers' KB and forum pages: how long a shared cache (nginx) may keep them.
    PAGE_CACHE_SECONDS: int = 60
    # Each worker keeps anonymous readers' public pages this long (a publish drops them at once).
    APP_PAGE_CACHE_SECONDS: int = 10
    APP_PAGE_CACHE_ENTRIES: int = 500
    LISTING_CACHE_SECONDS: int = 60  # home's category counts, popular and recent lists, per process
    # Each worker keeps what article pages show every reader alike (a publish drops it at once).
    ARTICLE_PAGE_SECONDS: int = 60
    ARTICLE_PAGE_ENTRIES: int = 500
    # Page views are written in batches: this many rows, or after this many seconds (per worker).
    EVENT_BUFFER_SIZE: int = 50
    EVENT_BUFFER_SECONDS: int = 2
    # Writing requests (POST, ...) this host's server processes run at once, all together;
    # the others wait (app/write_gate.py). The turns are lock files in WRITE_GATE_DIR.
    WRITE_GATE_CONCURRENCY: int = 1
    WRITE_GATE_TIMEOUT_SECONDS: float = 20.0
    WRITE_GATE_DIR: str = ""  # a local folder; empty: instance/write-gate
    KB_ARTICLES_PER_PAGE: int = 30  # on a category page
    SITEMAP_MAX_URLS: int = (
        50_000  # per sitemap (the protocol's limit); /sitemap.xml is their index
    )
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_FEEDBACK: str = "20 per minute"
    RATELIMIT_SIGN_IN: str = "10 per minute;50 per hour"
    RATELIMIT_SIGN_UP: str = "5 per minute;20 per hour"
    RATELIMIT_PASSWORD_RESET: str = "5 per minute;20 per hour"
    RATELIMIT_INSTANT_SEARCH: str = "60 per minute;1000 per hour"
    RATELIMIT_ASK_PREVIEW: str = "30 per minute"
    RATELIMIT_ASK_SUGGESTIONS: str = "120 per minute"
    RATELIMIT_ENABLED: bool = True  # false: no rate limit anywhere (Flask-Limiter)
    # If Redis (TOUCHPOINT_RATELIMIT_STORAGE_URI=redis://...) is down, limit in memory, never 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: bool = True
    PASSWORD_RESET_HOURS: int = 2
    # Outgoing mail: SMTP when MAIL_SERVER is set, otherwise messages are logged (app.mail).
    MAIL_SERVER: str = ""
    MAIL_PORT: int = 0  # 0: 465 with MAIL_USE_SSL, else 587
    MAIL_USE_TLS: bool = True  # STARTTLS after connecting
    MAIL_USE_SSL: bool = False  # implicit TLS (SMTPS)
    MAIL_USERNAME: str = ""
    MAIL_PASSWORD: str = ""
    MAIL_FROM: str = "Planwise Help Center <no-reply@localhost>"
    SESSION_KEY_ROTATION_HOURS: int = 24
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = False
    SESSION_COOKIE_NAME: str = "session"
    # Flask's host check (None: any Host header); the page cache's front door applies it too.
    TRUSTED_HOSTS: tuple[str, ...] | None = None
    REMEMBER_COOKIE_NAME: str = "remember_token"
    WTF_CSRF_ENABLED: bool = True
    # The CSRF token is bound to the session; without a time limit a page served
    # as 304 from the browser cache still carries a valid token.
    WTF_CSRF_TIME_LIMIT: int | None = None
    BABEL_TRANSLATION_DIRECTORIES: str = str(PROJECT_ROOT / "app" / "translations")
    # CS editor (app/editor/): a second person must publish what one sends for review.
    EDITOR_REQUIRE_REVIEW: bool = False
    EDITOR_BODY_MAX: int = 100_000  # characters of Markdown per article body or guide step
    EDITOR_MEDIA_MAX_BYTES: int = (
        1_500_000  # per uploaded image (requests stop at MAX_CONTENT_LENGTH)
    )
    # Files attached to articles: the types accepted (keys of app/editor/file_types.py, found
    # from the content) and the largest size (requests stop at MAX_CONTENT_LENGTH).
    EDITOR_ATTACHMENT_TYPES: tuple[str, ...] = (
        "pdf",
        "png",
        "jpeg",
        "gif",
        "webp",
        "docx",
        "xlsx",
        "pptx",
        "zip",
        "csv",
        "txt",
    )
    EDITOR_ATTACHMENT_MAX_BYTES: int = 1_900_000
    # Scheduled publishing also runs lazily on requests at most this often (plus the CLI).
    EDITOR_PUBLISH_DUE_CHECK_SECONDS: int = 30
    # Spam defences for forum posts (app/forum/spam.py).
    SPAM_NEW_ACCOUNT_HOURS: int = 24
    SPAM_NEW_ACCOUNT_MAX_LINKS: int = 2
    SPAM_NEW_ACCOUNT_POSTS_PER_HOUR: int = 5
    SPAM_DUPLICATE_WINDOW_MINUTES: int = 10
    # Forum (app/forum/): limits on posts, posting rate, double-submit window, page size.
    FORUM_TITLE_MAX_CHARS: int = 200
    FORUM_BODY_MAX_CHARS: int = 20000
    FORUM_DUPLICATE_WINDOW_SECONDS: int = 120
    FORUM_TOPICS_PER_PAGE: int = 20
    FORUM_REPLIES_PER_PAGE: int = 30  # per topic page; the question and accepted answer head page 1
    # A topic page's related help is kept this long per process (a publish drops it at once).
    FORUM_RELATED_HELP_SECONDS: int = 60
    RATELIMIT_POSTING: str = "10 per minute;100 per hour"
    RATELIMIT_FORUM_ACTIONS: str = "60 per minute;600 per hour"
    # SQLite waits this long for another writer instead of failing with "database is locked".
    SQLITE_BUSY_TIMEOUT_MS: int = 15000
    # Insights (app/insights/): raw events older than this are pruned by `flask insights prune`;
    # roll-ups are kept. A webhook (empty: off) is told when a new content gap
    # crosses the threshold.
    INSIGHTS_RETENTION_DAYS: int = 395
    INSIGHTS_WEBHOOK_URL: str = ""
    INSIGHTS_WEBHOOK_THRESHOLD: int = 20
    INSIGHTS_WEBHOOK_TIMEOUT_SECONDS: int = 5
    # The query explorer's database work stops after this (0: no limit).
    INSIGHTS_EXPLORE_TIMEOUT_MS: int = 3000
    # Onboarding milestones: a customer this many days past sign-up who still misses one is stuck.
    INSIGHTS_MILESTONE_STUCK_DAYS: int = 14
    # Surveys (app/surveys/): NPS for signed-in customers, CSAT after a solved topic or a
    # helpful article. Each is shown to a person at most once per period (days).
    SURVEYS_ENABLED: bool = True
    SURVEY_NPS_PERIOD_DAYS: int = 90
    SURVEY_CSAT_PERIOD_DAYS: int = 30
    SURVEY_COMMENT_MAX: int = 1000
    # Deployment (deploy/, README "Deploy"). Proxies in front that may set X-Forwarded-*:
    # 0 trusts none (the socket's address is the client), 1 for nginx on the same host.
    PROXY_HOPS: int = 0
    LOG_LEVEL: str = "INFO"  # DEBUG, INFO, WARNING, ERROR
    LOG_FORMAT: str = "text"  # text: one readable line per record; json: one JSON object per line
    MEDIA_DIR: str = ""  # uploaded images; empty: instance/media. Shared storage for several hosts.
    # Background jobs (mail, webhooks): "thread" delivers them from a thread of the web
    # server, "worker" leaves them to `flask jobs work`, "inline" sends at once (tests).
    JOBS_RUNNER: str = "thread"
    JOBS_MAX_ATTEMPTS: int = 8  # then the job is marked failed (shown by `flask jobs status`)
    JOBS_RETRY_BASE_SECONDS: int = 10  # the n-th retry waits base * 2**(n-1) seconds
    JOBS_POLL_SECONDS: int = 2  # how often an idle worker looks for due jobs
    JOBS_READY_BACKLOG: int = 1000  # /readyz fails when more due jobs than this wait
    TESTING: bool = False


class TestingConfig(Config):
    """Fast, isolated defaults for the test suite."""

    TESTING = True
    SECRET_KEY = "testing"
    DATABASE_URL = "sqlite://"
    RATELIMIT_ENABLED = False
    EVENT_BUFFER_SIZE = 1  # tests read the log right after a request
    JOBS_RUNNER = "inline"


class SettingError(ValueError):
    """A TOUCHPOINT_* environment variable whose value is not of the setting's declared type."""


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
NONE_WORDS = frozenset({"", "none"})


def declared_settings() -> dict[str, Any]:
    """Every setting's name → its declared type (the annotations on Config)."""
    return {name: kind for name, kind in get_type_hints(Config).items() if name.isupper()}


def parse_setting(kind: Any, raw: str) -> Any:
    """Read an environment string as `kind`; ValueError when it is not one."""
    text = raw.strip()
    if kind is bool:
        if text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        raise ValueError("expected one of " + ", ".join(sorted(TRUE_WORDS | FALSE_WORDS)))
    if kind is int:
        if not text.lstrip("-").isdigit():
            raise ValueError("expected a whole number")
        return int(text)
    if kind is str:
        return raw
    if get_origin(kind) is tuple:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    arguments = get_args(kind)
    if get_origin(kind) in (UnionType, Union) and type(None) in arguments:
        inner = next(a for a in arguments if a is not type(None))
        return None if text.lower() in NONE_WORDS else parse_setting(inner, raw)
    raise TypeError(f"no parser for settings of type {kind}")


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every declared setting can be given as TOUCHPOINT_<NAME>, parsed by its declared type.

    Raises SettingError naming the variable when a value does not parse. Variables that
    name no setting are left alone (tools read some: TOUCHPOINT_DEMO_PASSWORD, ...).
    """
    environ = os.environ if environ is None else environ
    declared = declared_settings()
    found: dict[str, Any] = {}
    for key, raw in environ.items():
        name = key[len(ENV_PREFIX) :]
        if not key.startswith(ENV_PREFIX) or name not in declared:
            continue
        try:
            found[name] = parse_setting(declared[name], raw)
        except ValueError as error:
            raise SettingError(f"{key}={raw!r} is not a valid {name}: {error}") from None
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
