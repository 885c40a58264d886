"""Touchpoint: a self-service help center."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from app.config import Config, TestingConfig, database_uri, settings_from_env
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.read_replica import init_read_replica

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

REPLICA_READ_ENDPOINTS = (
    "api.search",
    "api.suggest",
    "site_search.search",
    "kb.home",
    "kb.category",
    "kb.article",
    "forum.index",
    "forum.category",
    "forum.topic",
)
"""GET endpoints whose reads may go to the DATABASE_READ_URL replica (app/read_replica.py)."""


class LocaleConverter(BaseConverter):
    """Matches only the configured locales, so /xx/... is a plain 404."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map)
        self.regex = "(?:" + "|".join(url_map.locales) + ")"


def _configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    base = TestingConfig if config and config.get("TESTING") else Config
    app.config.from_object(base)
    app.config.from_pyfile("touchpoint.cfg", silent=True)
    app.config.update(settings_from_env())
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(
        app.config["DATABASE_URL"], app.instance_path
    )
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    if postgres and "SQLALCHEMY_ENGINE_OPTIONS" not in app.config:  # unless a test sets its own
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": app.config["DATABASE_POOL_SIZE"]}


def _register_search_sources() -> None:
    """Each area's searchable documents (search itself imports no area's models)."""
    from app.forum.search_source import TopicSource
    from app.kb.search_source import ArticleSource
    from app.site_search.sources import register_source

    register_source(ArticleSource())
    register_source(TopicSource())


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides every other layer (tests pass a dict)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    _configure(app, config)
    os.makedirs(app.instance_path, exist_ok=True)
    from app.log_config import configure_logging

    if not app.testing:  # tests keep pytest's log capture (they call it with their own stream)
        configure_logging(app)
    app.url_map.locales = tuple(app.config["LOCALES"])
    app.url_map.converters["locale"] = LocaleConverter
    app.url_map.strict_slashes = False

    from app.locales import current_locale, pull_locale, push_locale

    db.init_app(app)
    init_read_replica(
        app,
        database_uri(app.config["DATABASE_READ_URL"], app.instance_path),
        endpoints=REPLICA_READ_ENDPOINTS,
    )
    from app.sqlite_settings import init_sqlite

    init_sqlite(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=current_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    app.url_value_preprocessor(pull_locale)
    app.url_defaults(push_locale)

    from app import models  # noqa: F401  (every model registered before use)
    from app.accounts.session import init_login
    from app.accounts.views import bp as accounts_bp
    from app.admin.views import bp as admin_bp
    from app.api.insights import bp as insights_api_bp
    from app.api.reference import bp as api_reference_bp
    from app.api.views import bp as api_bp
    from app.ask.views import bp as ask_bp
    from app.cli import register_cli
    from app.editor.views import bp as editor_bp
    from app.editor.views import init_editor, media_bp
    from app.errors import init_error_handlers
    from app.flashes import init_flashes
    from app.form_translations import init_form_translations
    from app.forum.view_counts import init_view_counts as init_topic_view_counts
    from app.forum.views import bp as forum_bp
    from app.insights.milestone_views import bp as milestones_bp
    from app.insights.need_views import bp as needs_bp
    from app.insights.views import bp as insights_bp
    from app.insights.webhooks import deliver_job as deliver_webhook
    from app.jobs.queue import register_handler
    from app.jobs.worker import init_jobs
    from app.kb.related import init_related
    from app.kb.view_counts import init_view_counts as init_kb_view_counts
    from app.kb.views import bp as kb_bp
    from app.mail import deliver_job as deliver_mail
    from app.moderation.views import bp as moderation_bp
    from app.page_cache import init_page_cache
    from app.page_cache_front import init_page_cache_front
    from app.page_slots import init_page_slots
    from app.request_ids import init_request_ids
    from app.security import init_security
    from app.site.views import bp as site_bp
    from app.site_search.engine import init_search_schema
    from app.site_search.views import bp as search_bp
    from app.site_search.writing import init_search_writes
    from app.static_urls import init_static_urls
    from app.surveys.views import bp as surveys_bp
    from app.surveys.views import init_surveys
    from app.templating import init_templating
    from app.write_gate import init_write_gate

    init_request_ids(app)
    init_static_urls(app)
    init_login(app)
    init_security(app)
    # What nginx refused (X-Proxy-Refusal) is answered before a cached page could be.
    init_error_handlers(app)
    init_page_cache(app)
    init_templating(app)
    init_form_translations(app)
    init_page_slots(app)
    init_write_gate(app)
    init_flashes(app)
    # Every area's pages: one blueprint per views module, registered here in URL order
    # (ask before forum: /community/ask is not a topic). Wiring beyond routes is init_<area>.
    for blueprint in (
        site_bp,
        kb_bp,
        accounts_bp,
        search_bp,
        api_bp,
        insights_api_bp,
        api_reference_bp,
        ask_bp,
        surveys_bp,
        forum_bp,
        moderation_bp,
        admin_bp,
        insights_bp,
        milestones_bp,
        needs_bp,
        editor_bp,
        media_bp,
    ):
        app.register_blueprint(blueprint)
    init_editor(app)
    init_surveys(app)
    _register_search_sources()
    init_search_schema(app)
    init_search_writes(app)
    register_handler("mail", deliver_mail)
    register_handler("webhook", deliver_webhook)
    init_jobs(app)
    init_related(app)
    init_kb_view_counts(app)
    init_topic_view_counts(app)
    register_cli(app)
    init_page_cache_front(app)
    _trust_proxies(app)  # outermost: the front door and Flask see the client's host
    return app


def _trust_proxies(app: Flask) -> None:
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:  # trust X-Forwarded-* from this many proxies: limits and logs see the client
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
