"""A served site for the process tests: the demo database (search rows included) and a topic."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import make_app

WRITER_PASSWORD = "correct horse battery"


@dataclass
class Site:
    database: Path
    media: Path
    topic_path: str  # /en/community/topics/<id>/<slug>
    article_path: str
    writer_email: str

    def settings(self, **extra) -> dict[str, str]:
        """TOUCHPOINT_* settings for a real server on this site (production defaults else)."""
        return {
            "DATABASE_URL": f"sqlite:///{self.database}",
            "MEDIA_DIR": str(self.media),
            "RATELIMIT_POSTING": "10000 per minute",
            "SPAM_NEW_ACCOUNT_POSTS_PER_HOUR": "100000",
            "LOG_LEVEL": "INFO",
            "WRITE_GATE_DIR": str(self.media.parent / "write-gate"),  # this site's processes
            **{k: str(v) for k, v in extra.items()},
        }


@pytest.fixture
def site(demo_db_file, tmp_path) -> Site:
    """A private copy of the demo site with one customer who may post and one topic."""
    return build_site(demo_db_file, tmp_path)


def build_site(demo_db_file: Path, tmp_path: Path) -> Site:
    """The demo database copied into `tmp_path`, a customer past the spam rules, a topic."""
    database = tmp_path / "site.sqlite3"
    shutil.copyfile(demo_db_file, database)
    (tmp_path / "media").mkdir()
    app = make_app(tmp_path, f"sqlite:///{database}")
    with app.app_context():
        from app.accounts.models import User
        from app.clock import utcnow
        from app.forum.models import ForumCategory
        from app.forum.posting import create_topic
        from app.forum.seeding import ensure_categories
        from app.kb import services

        db.create_all()  # tables added since the session's demo file was made
        ensure_categories()
        writer = User(email="writer@example.com", display_name="Writer", role="customer")
        writer.set_password(WRITER_PASSWORD)
        writer.created_at = utcnow() - timedelta(days=30)  # past the new-account spam rules
        db.session.add(writer)
        db.session.commit()
        category = db.session.scalars(db.select(ForumCategory)).first()
        topic = create_topic(writer, category, "en", "Restart drill", "Replies go below.")
        article = services.published_for_feed("en", limit=1)[0]
        from app.forum.paths import topic_path

        found = Site(
            database=database,
            media=tmp_path / "media",
            topic_path=topic_path("en", topic.id, topic.title),
            article_path=f"/en/articles/{article.slug}",
            writer_email=writer.email,
        )
        db.session.remove()
        db.engine.dispose()
    return found
