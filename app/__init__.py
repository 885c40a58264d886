"""Touchpoint: a self-service help center."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter

from app.config import Config, TestingConfig, database_uri, settings_from_env
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    if not app.config["SEARCH_INDEX_DIR"]:
        app.config["SEARCH_INDEX_DIR"] = os.path.join(app.instance_path, "search-index")
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI", "memory://")


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
    app.url_map.locales = tuple(app.config["LOCALES"])
    app.url_map.converters["locale"] = LocaleConverter
    app.url_map.strict_slashes = False

    from app.locales import current_locale, pull_locale, push_locale

    db.init_app(app)
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
    from app.api.views import bp as api_bp
    from app.ask.views import bp as ask_bp
    from app.cli import register_cli
    from app.editor.views import bp as editor_bp
    from app.editor.views import init_editor, media_bp
    from app.errors import init_error_handlers
    from app.forum.views import bp as forum_bp
    from app.insights.views import bp as insights_bp
    from app.kb.views import bp as kb_bp
    from app.moderation.views import bp as moderation_bp
    from app.page_slots import init_page_slots
    from app.security import init_security
    from app.site.templating import init_templating
    from app.site.views import bp as site_bp
    from app.site_search.outbox import init_outbox, sync_on_start
    from app.site_search.views import bp as search_bp

    init_login(app)
    init_security(app)
    init_error_handlers(app)
    init_templating(app)
    init_page_slots(app)
    # Every area's pages: one blueprint per views module, registered here in URL order
    # (ask before forum: /community/ask is not a topic). Wiring beyond routes is init_<area>.
    for blueprint in (
        site_bp,
        kb_bp,
        accounts_bp,
        search_bp,
        api_bp,
        insights_api_bp,
        ask_bp,
        forum_bp,
        moderation_bp,
        admin_bp,
        insights_bp,
        editor_bp,
        media_bp,
    ):
        app.register_blueprint(blueprint)
    init_editor(app)
    init_outbox(app)
    if app.config["SEARCH_SYNC_ON_START"]:
        sync_on_start(app)
    register_cli(app)
    return app
