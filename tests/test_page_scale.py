"""Public pages cost the same at 30 and at 10,000 articles per locale (and 100,000 topics).

Counts the SQL statements each page runs and asks SQLite for each one's plan: no page may
read the article or topic table from end to end.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Topic
from app.kb.listing_cache import EXTENSION_KEY as LISTING_KEY
from app.kb.models import Article, Category
from app.kb.related import STATE_KEY
from app.page_cache import STORE_KEY as PAGES_KEY
from app.site_search.services import SYNONYM_CACHE_KEY
from bench.page_corpus import add_articles, add_topics
from tests.conftest import make_app

pytestmark = pytest.mark.slow
FULL_SCAN = re.compile(r"\bSCAN (kb_article|forum_topic|forum_post)\b")


def page_paths() -> dict[str, str]:
    article = db.session.scalar(
        sa.select(Article).where(Article.locale == "en").order_by(Article.id)
    )
    category = db.session.scalar(sa.select(Category).order_by(Category.id))
    topic = db.session.scalar(sa.select(Topic).where(Topic.locale == "en").order_by(Topic.id))
    from app.forum.paths import topic_slug

    return {
        "home": "/en/",
        "article": f"/en/articles/{article.slug}",
        "category": f"/en/categories/{category.slug}",
        "topic": f"/en/community/topics/{topic.id}/{topic_slug(topic.title)}",
        "community": "/en/community/",
    }


def run_page(client, path: str) -> list[tuple[str, object]]:
    """The statements one GET runs with every per-process memo cold.

    Each size starts from the same state: a memo left warm by the first size (the synonyms
    are kept 10 s) would save the second size a statement only when it was built fast.
    """
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    db.session.remove()
    client.application.extensions.pop(STATE_KEY, None)  # count the version read every time
    client.application.extensions.pop(LISTING_KEY, None)  # and the home page's lists
    client.application.extensions.pop(PAGES_KEY, None)  # and render the page (not a hit)
    client.application.extensions.pop(SYNONYM_CACHE_KEY, None)  # and the search's synonyms
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    return seen


def full_scans(statements) -> list[str]:
    found = []
    with db.engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            found += [f"{row[3]} in {statement[:120]}" for row in plan if FULL_SCAN.search(row[3])]
    return found


def measure(client) -> dict[str, int]:
    counts = {}
    for name, path in page_paths().items():
        statements = run_page(client, path)
        assert not full_scans(statements), (name, full_scans(statements))
        counts[name] = len(statements)
    return counts


def test_page_queries_do_not_grow_with_the_corpus(tmp_path):
    # The lazy scheduled-publish check runs once (the warm-up), not at whichever page is timed.
    url = f"sqlite:///{tmp_path / 'scale.sqlite3'}"
    app = make_app(tmp_path, url, EDITOR_PUBLISH_DUE_CHECK_SECONDS=86_400)
    with app.app_context():
        db.create_all()
        add_articles(30)
        add_topics(30)
        client = app.test_client()
        client.get("/healthz")
        client.get("/en/")
        small = measure(client)

        add_articles(10_000 - 30)
        add_topics(100_000 - 30)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 30_000
        large = measure(client)

    assert large == small
    assert max(small["home"], small["article"], small["category"]) <= 6, small
    # a topic page also searches for related help (the search backend's own statements)
    assert max(small["topic"], small["community"]) <= 30, small
