"""Alembic migrations build the whole schema from nothing, and match the models exactly."""

import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from search.backends.tables import is_token_table
from tests.conftest import POSTGRES_URL, drop_postgres_schema, make_app, reset_postgres_schema

pytestmark = pytest.mark.slow  # every schema built from nothing on both databases


def schema_differences(app) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _: kind != "table" or not is_token_table(name),
            },
        )
        return compare_metadata(context, db.metadata)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path):
    if request.param == "sqlite":
        yield make_app(tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        return
    url, schema = reset_postgres_schema(POSTGRES_URL)
    app = make_app(tmp_path, url)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop_postgres_schema(POSTGRES_URL, schema)


def test_upgrade_builds_the_schema_the_models_describe(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert schema_differences(fresh_app) == [], "a model changed without a migration"
        downgrade(revision="base")
        upgrade()
        assert schema_differences(fresh_app) == []


BEFORE_AUDIT_LOG = "7c2abf90d9cd"


def test_one_audit_log_keeps_the_moderation_admin_and_editor_rows(fresh_app):
    """The two old logs land in audit_log with their area, and come back on downgrade."""
    with fresh_app.app_context():
        upgrade(revision=BEFORE_AUDIT_LOG)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO account_user (id, email, display_name, password_hash, role,"
                    " is_suspended, email_notifications, created_at)"
                    " VALUES (7, 'mod@example.com', 'Mo', 'x', 'admin', false, true, :at)"
                ),
                {"at": datetime(2026, 1, 1)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO forum_moderation_action"
                    " (moderator_id, action, target_type, target_id, reason, created_at)"
                    " VALUES (7, 'hide', 'post', 3, 'Spam', :at),"
                    " (7, 'role_change', 'user', 8, 'customer → moderator', :at)"
                ),
                {"at": datetime(2026, 1, 2)},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO editor_audit (actor_id, action, article_id, subject, detail,"
                    " created_at) VALUES (7, 'synonym_save', NULL, 'en: invoice', :detail, :at)"
                ),
                {"detail": '{"synonyms": ["bill"]}', "at": datetime(2026, 1, 3)},
            )
        upgrade()
        with db.engine.connect() as connection:
            moved = connection.execute(
                sa.text(
                    "SELECT area, actor_id, action, target_type, target_id, subject, reason"
                    " FROM audit_log ORDER BY id"
                )
            ).all()
            detail = connection.execute(
                sa.text("SELECT detail FROM audit_log WHERE area = 'editor'")
            ).scalar_one()
        assert [tuple(row) for row in moved] == [
            ("moderation", 7, "hide", "post", 3, "", "Spam"),
            ("admin", 7, "role_change", "user", 8, "", "customer → moderator"),
            ("editor", 7, "synonym_save", "", None, "en: invoice", ""),
        ]
        assert (json.loads(detail) if isinstance(detail, str) else detail) == {"synonyms": ["bill"]}
        downgrade(revision=BEFORE_AUDIT_LOG)
        with db.engine.connect() as connection:
            moderation = connection.execute(
                sa.text("SELECT action, reason FROM forum_moderation_action ORDER BY id")
            ).all()
            editor = connection.execute(sa.text("SELECT action, subject FROM editor_audit")).all()
        assert [tuple(row) for row in moderation] == [
            ("hide", "Spam"),
            ("role_change", "customer → moderator"),
        ]
        assert [tuple(row) for row in editor] == [("synonym_save", "en: invoice")]
