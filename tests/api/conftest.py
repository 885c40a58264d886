"""A live API for the contract tests: nginx and gunicorn with the shipped configs, demo site."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import make_app
from tests.processes import Client, Gunicorn, Nginx, app_env, wait_for


@dataclass
class LiveApi:
    port: int  # nginx, in front of gunicorn
    token: str  # a product manager's personal insights token

    def client(self) -> Client:
        return Client(self.port)


def _seed(database: Path, tmp_path: Path) -> str:
    """Forum categories (search filters) and a product manager with an API token."""
    app = make_app(tmp_path, f"sqlite:///{database}")
    with app.app_context():
        from app.accounts.models import User
        from app.forum.seeding import ensure_categories
        from app.insights.tokens import create_token

        db.create_all()
        ensure_categories()
        manager = User(email="pm@example.com", display_name="PM", role="product")
        manager.set_password("correct horse battery")
        db.session.add(manager)
        db.session.commit()
        _token, plain = create_token(manager, "contract tests")
        db.session.remove()
        db.engine.dispose()
    return plain


@pytest.fixture(scope="module")
def live_api(demo_db_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("live_api")
    database = folder / "site.sqlite3"
    shutil.copyfile(demo_db_file, database)
    (folder / "media").mkdir()
    token = _seed(database, folder)
    env = app_env(
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_DIR=str(folder / "media"),
        PROXY_HOPS=1,
        RATELIMIT_INSTANT_SEARCH="100000 per minute",
        LOG_LEVEL="WARNING",
    )
    gunicorn = Gunicorn(env, folder / "gunicorn.log", workers=2).start()
    nginx = None
    try:
        nginx = Nginx(folder / "nginx", gunicorn, folder / "media").start()
        wait_for(nginx.port)
        yield LiveApi(nginx.port, token)
    finally:
        if nginx:
            nginx.stop()
        gunicorn.stop()
