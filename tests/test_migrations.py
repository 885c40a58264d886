"""Alembic migrations build the whole schema from nothing, and match the models exactly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from search.backends.tables import is_token_table
from tests.conftest import POSTGRES_URL, drop_postgres_schema, make_app, reset_postgres_schema


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
