"""The demo as `python3 dev.py serve` seeds it (forum demo customers, then demo insights),
built once per test session and copied for each test, with a CS editor and a product user."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.clock import utcnow
from app.extensions import db
from app.forum.seeding import seed_demo
from app.insights.demo import seed_demo_insights
from tests.conftest import make_app
from tests.insights.scenario import quick_user

PASSWORD = "correct horse battery"


def seed_demo_everything():
    """Forum demo data, demo insights and two staff accounts in the current app context."""
    seed_demo(PASSWORD)
    report = seed_demo_insights(utcnow())
    for role in ("cs_editor", "product"):
        quick_user(f"{role}@example.com", role, role)
    return report


@pytest.fixture(scope="session")
def seeded_demo_file(demo_db_file, tmp_path_factory):
    return build_seeded_file(demo_db_file, tmp_path_factory.mktemp("seeded-demo"))


def build_seeded_file(demo_db_file: Path, folder: Path) -> Path:
    """A copy of the demo content database with the forum demo and demo insights added."""
    path = folder / "seeded.sqlite3"
    path.write_bytes(demo_db_file.read_bytes())
    app = make_app(folder, f"sqlite:///{path}")
    with app.app_context():
        seed_demo_everything()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def demo(seeded_demo_file, tmp_path):
    """An app on a private copy of the seeded demo database."""
    copy = tmp_path / "seeded.sqlite3"
    copy.write_bytes(seeded_demo_file.read_bytes())
    app = make_app(tmp_path, f"sqlite:///{copy}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
