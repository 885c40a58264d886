"""Staff pages stay small and quick at volume: the explorer stops slow database work with a
clear message, and gap tasks, API tokens and the flag queue come one page at a time."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.insights import dashboards
from app.insights.task_models import ApiToken, GapTask
from app.insights.time_limit import QueryTooSlow, database_time_limit
from tests.conftest import make_app, sign_in
from tests.insights.scenario import quick_user

# Counts to 50 million one row at a time: many seconds on either database.
SLOW_QUERY = sa.text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
    "SELECT count(*) FROM n"
)


def test_slow_database_work_is_stopped_and_the_session_still_works(any_db_app):
    began = time.monotonic()
    with pytest.raises(QueryTooSlow), database_time_limit(200):
        db.session.execute(SLOW_QUERY)
    assert time.monotonic() - began < 5  # stopped near the limit, not after the query
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
    with database_time_limit(5000):  # quick work inside a limit is untouched
        assert db.session.execute(sa.text("SELECT 2")).scalar() == 2
    if db.engine.dialect.name == "postgresql":  # the limit ends with its block
        assert db.session.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
    db.session.execute(sa.text("SELECT 3"))  # and nothing later is interrupted


@pytest.fixture
def staff_app(tmp_path):
    app = make_app(tmp_path, INSIGHTS_EXPLORE_TIMEOUT_MS=200)
    with app.app_context():
        db.create_all()
        for role in ("product", "cs_editor", "moderator"):
            quick_user(f"{role}@example.com", role, role)
        yield app
        db.session.remove()


def client_as(app, role: str):
    client = app.test_client()
    assert sign_in(client, f"{role}@example.com").status_code == 303
    return client


def test_explorer_says_when_counting_took_too_long(staff_app, monkeypatch):
    def slow_explore(*args):
        db.session.execute(SLOW_QUERY)

    monkeypatch.setattr(dashboards, "explore", slow_explore)
    client = client_as(staff_app, "product")
    began = time.monotonic()
    response = client.get("/insights/explore?q=invoice")
    assert time.monotonic() - began < 10
    assert response.status_code == 400
    assert "took too long" in response.get_data(as_text=True)
    monkeypatch.undo()
    staff_app.config["INSIGHTS_EXPLORE_TIMEOUT_MS"] = 20_000  # a loaded test machine
    again = client.get("/insights/explore?q=invoice")
    assert again.status_code == 200, again.get_data(as_text=True)[-3000:]


def page_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="pagination" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert nav, "no pager"
    return dict(
        (rel, href.replace("&amp;", "&"))
        for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', nav.group(1))
    )


def test_gap_tasks_come_in_pages_that_cover_every_task(staff_app):
    for number in range(45):
        db.session.add(GapTask(locale="en", gap_key=f"gap {number}", label=f"Gap {number:03d}"))
    db.session.commit()
    client = client_as(staff_app, "cs_editor")
    seen, url, pages = [], "/insights/tasks", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"Gap (\d{3})", html)
        url = page_links(html).get("next")
        pages += 1
    assert pages == 3
    assert sorted(seen) == [f"{n:03d}" for n in range(45)]  # each task on exactly one page
    last = client.get("/insights/tasks?page=3").get_data(as_text=True)
    assert set(page_links(last)) == {"prev"}
    assert client.get("/insights/tasks?page=999").status_code == 200  # past the end: last page
    assert client.get("/insights/tasks?page=-1").status_code == 200


def test_saving_a_task_returns_to_its_page(staff_app):
    for number in range(30):
        db.session.add(GapTask(locale="en", gap_key=f"gap {number}", label=f"Gap {number:03d}"))
    db.session.commit()
    oldest = db.session.scalar(sa.select(GapTask).order_by(GapTask.id))
    client = client_as(staff_app, "cs_editor")
    html = client.get("/insights/tasks?page=2").get_data(as_text=True)
    field = f"t{oldest.id}-csrf_token"
    token = re.search(f'name="{field}" type="hidden" value="([^"]+)"', html)
    response = client.post(
        f"/insights/tasks/{oldest.id}",
        data={
            field: token.group(1),
            f"t{oldest.id}-status": "in_progress",
            f"t{oldest.id}-note": "on it",
        },
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith(f"#task-{oldest.id}")
    shown = client.get(location.split("#")[0]).get_data(as_text=True)
    assert f'id="task-{oldest.id}"' in shown


def test_api_tokens_come_in_pages(staff_app):
    user_id = db.session.scalar(sa.text("SELECT id FROM account_user WHERE role = 'product'"))
    for number in range(60):
        db.session.add(
            ApiToken(
                user_id=user_id, name=f"Token {number:03d}", token_hash=f"{number:064d}", prefix="x"
            )
        )
    db.session.commit()
    client = client_as(staff_app, "product")
    first = client.get("/insights/tokens").get_data(as_text=True)
    assert len(re.findall(r"Token \d{3}</bdi></th>", first)) == 25
    last = client.get(page_links(first)["next"].replace("page=2", "page=3"))
    assert len(re.findall(r"Token \d{3}</bdi></th>", last.get_data(as_text=True))) == 10


def test_flag_queue_comes_in_pages_most_flagged_first(staff_app):
    from app.forum.models import Flag, ForumCategory, Post, Topic

    reporters = [quick_user(f"r{n}@example.com", "customer", f"R{n}") for n in range(3)]
    category = ForumCategory(slug="questions", kind="questions", names={"en": "Questions"})
    for number in range(30):
        topic = Topic(locale="en", category=category, author=reporters[0], title=f"Q{number:03d}")
        post = Post(
            topic=topic,
            author=reporters[0],
            is_first=True,
            body_markdown="b",
            body_html="<p>b</p>",
            body_digest=f"{number}",
        )
        db.session.add(post)
        db.session.flush()
        for reporter in reporters[: 3 if number % 10 == 0 else 1]:  # three posts flagged thrice
            db.session.add(Flag(post_id=post.id, reporter_id=reporter.id, reason="spam"))
    db.session.commit()
    client = client_as(staff_app, "moderator")
    first = client.get("/moderation/").get_data(as_text=True)
    titles = re.findall(r"><bdi>Q(\d{3})</bdi></a>", first)
    assert len(titles) == 25 and titles[:3] == ["000", "010", "020"]
    assert "30" in re.search(r'<p class="lead">([^<]+)</p>', first).group(1)  # all, not a page
    second = client.get(page_links(first)["next"]).get_data(as_text=True)
    rest = re.findall(r"><bdi>Q(\d{3})</bdi></a>", second)
    assert sorted(titles + rest) == [f"{n:03d}" for n in range(30)]
