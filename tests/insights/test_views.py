"""The insights pages, exports and API: roles, bad input, round trips, the gap workflow."""

from __future__ import annotations

import csv
import functools
import io
import json
import sqlite3
from datetime import timedelta

import pytest

from app.extensions import db
from app.insights.rollups import roll_up
from app.insights.task_models import GapTask
from tests.conftest import (
    build_sqlite_template,
    copy_sqlite_template,
    csrf_token_from,
    make_app,
    sign_in,
)
from tests.insights.scenario import NOW, START, build_month, quick_user

PASSWORD = "correct horse battery"
MARCH = "start=2025-03-01&end=2025-03-31"


def _build_month_with_one_user_per_role() -> None:
    build_month()
    roll_up(since=START, now=NOW)
    for role in ("cs_editor", "product", "admin", "customer", "moderator"):
        quick_user(f"{role}@example.com", role, role)


@functools.cache
def _month_template() -> sqlite3.Connection:
    return build_sqlite_template(_build_month_with_one_user_per_role)


@pytest.fixture
def month_app(tmp_path):
    """The scripted month, rolled up, and one user per role (tests/conftest.py's client keeps
    one client's signed-in user and CSRF token out of another's requests).

    Each test gets its own copy of a month built once per process (SQLite's backup API):
    building and rolling it up took most of these tests' time.
    """
    app = make_app(tmp_path)
    with app.app_context():
        copy_sqlite_template(_month_template())
        yield app
        db.session.remove()
        db.engine.dispose()


def client_for(app, role: str | None):
    client = app.test_client()
    if role:
        response = sign_in(client, f"{role}@example.com", PASSWORD)
        assert response.status_code == 303
    return client


PAGES = [
    "/insights/",
    "/insights/product",
    "/insights/explore?q=export",
    "/insights/tasks",
    "/insights/tokens",
    "/insights/export/gaps.csv",
    "/insights/export/summary.json",
]


@pytest.mark.parametrize("path", PAGES)
def test_customers_and_moderators_get_403(month_app, path):
    for role in ("customer", "moderator"):
        assert client_for(month_app, role).get(path).status_code == 403, (role, path)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(month_app, path):
    response = client_for(month_app, None).get(path)
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_who_sees_which_dashboard(month_app):
    expected = {
        "cs_editor": {"/insights/": 200, "/insights/product": 200, "/insights/tasks": 200},
        "product": {"/insights/": 403, "/insights/product": 200, "/insights/tasks": 403},
        "admin": {"/insights/": 200, "/insights/product": 200, "/insights/tasks": 200},
    }
    for role, pages in expected.items():
        client = client_for(month_app, role)
        for path, status in pages.items():
            assert client.get(f"{path}?{MARCH}").status_code == status, (role, path)


def test_product_users_cannot_change_tasks(month_app):
    client = client_for(month_app, "product")
    token = csrf_token_from(client.get("/insights/tokens").get_data(as_text=True))
    response = client.post(
        "/insights/tasks", data={"csrf_token": token, "locale": "en", "gap_key": "csv export"}
    )
    assert response.status_code == 403
    with month_app.app_context():
        assert db.session.query(GapTask).count() == 0


def test_cs_dashboard_shows_metrics_gaps_and_charts(month_app):
    html = client_for(month_app, "cs_editor").get(f"/insights/?{MARCH}").get_data(as_text=True)
    assert "<svg" in html and "<polyline" in html and "<table" in html
    assert "export csv" in html and "How do I export to CSV?" in html
    assert "Screens changed" in html  # worst article's comment
    assert "Can I merge two workspaces?" in html  # unanswered topic
    assert "2.0" in html and "50.0%" in html  # North Star and deflection
    assert "<script" not in html.split("</head>")[1]  # charts need no script


def test_write_an_article_link_prefills_the_editor(month_app):
    html = client_for(month_app, "cs_editor").get(f"/insights/?{MARCH}").get_data(as_text=True)
    assert "/editor/articles/new?" in html and "title=export+csv" in html


def test_product_dashboard_and_explorer(month_app):
    client = client_for(month_app, "product")
    html = client.get(f"/insights/product?{MARCH}").get_data(as_text=True)
    assert "Gantt charts" in html and html.index("Gantt charts") < html.index("Dark mode")
    assert "Unanswered searches per week" in html
    html = client.get(f"/insights/explore?q=csv&{MARCH}").get_data(as_text=True)
    assert "“<bdi>csv</bdi>”: 4 searches" in html and "How do I export to CSV?" in html


@pytest.mark.parametrize(
    "query",
    [
        "start=2025-03-31&end=2025-03-01",  # reversed
        "start=1900-01-01&end=2025-03-01",  # absurd
        "start=2025-13-45",  # malformed
        "start=yesterday",
        "end=9999-12-31",
        "start=2010-01-01&end=2025-03-01",  # too long
        "locale=xx",
        "category=no-such-category",
        "start=%00%ff",
    ],
)
def test_bad_filters_get_400_with_a_message(month_app, query):
    client = client_for(month_app, "admin")
    for path in ("/insights/", "/insights/product", "/insights/explore?q=a"):
        response = client.get(f"{path}{'&' if '?' in path else '?'}{query}")
        assert response.status_code == 400, (path, query)
        assert 'role="alert"' in response.get_data(as_text=True)
    assert client.get(f"/insights/export/gaps.csv?{query}").status_code == 400
    api = client.get(f"/api/v1/insights/gaps?{query}")
    assert api.status_code == 400 and api.get_json()["error"]["message"]


def test_unknown_parameters_are_ignored_and_unknown_tables_404(month_app):
    client = client_for(month_app, "admin")
    assert client.get(f"/insights/?{MARCH}&colour=blue").status_code == 200
    assert client.get("/insights/export/nothing.csv").status_code == 404
    assert client.get("/insights/export/gaps.xlsx").status_code == 404
    assert client.get("/api/v1/insights/nothing").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "summary",
        "daily",
        "funnel",
        "gaps",
        "articles",
        "questions",
        "unanswered_topics",
        "feature_requests",
        "unanswered_by_week",
        "gap_tasks",
        "survey_answers",
        "nps",
    ],
)
def test_exports_round_trip(month_app, name):
    client = client_for(month_app, "product")
    as_json = client.get(f"/insights/export/{name}.json?{MARCH}")
    as_csv = client.get(f"/insights/export/{name}.csv?{MARCH}")
    api = client.get(f"/api/v1/insights/{name}?{MARCH}")
    assert as_json.status_code == as_csv.status_code == api.status_code == 200
    document = json.loads(as_json.get_data(as_text=True))
    assert document["rows"] == api.get_json()["rows"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert list(rows[0].keys()) if rows else True
    assert len(rows) == len(document["rows"])
    for from_csv, from_json in zip(rows, document["rows"], strict=True):
        assert from_csv == {k: "" if v is None else str(v) for k, v in from_json.items()}


def test_empty_range_exports(month_app):
    client = client_for(month_app, "product")
    empty = "start=2024-01-01&end=2024-01-31"
    for name in ("gaps", "daily", "summary", "questions"):
        response = client.get(f"/insights/export/{name}.csv?{empty}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).splitlines()[0].count(",") >= 1
        assert client.get(f"/insights/export/{name}.json?{empty}").status_code == 200
    gaps = client.get(f"/insights/export/gaps.json?{empty}").get_json()
    assert gaps["rows"] == []


def test_api_tokens(month_app):
    client = client_for(month_app, "product")
    page = client.get("/insights/tokens").get_data(as_text=True)
    response = client.post(
        "/insights/tokens", data={"csrf_token": csrf_token_from(page), "name": "BI"}
    )
    html = response.get_data(as_text=True)
    token = html.split('<code class="token">')[1].split("<")[0]
    anonymous = month_app.test_client()
    assert anonymous.get("/api/v1/insights/summary").status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert anonymous.get(f"/api/v1/insights/summary?{MARCH}", headers=bearer).status_code == 200
    wrong = {"Authorization": "Bearer tpi_wrong"}
    assert anonymous.get("/api/v1/insights/summary", headers=wrong).status_code == 401
    from app.insights.task_models import ApiToken

    with month_app.app_context():
        stored = db.session.query(ApiToken).one()
        assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    page = client.get("/insights/tokens").get_data(as_text=True)
    assert token not in page
    client.post(f"/insights/tokens/{stored.id}/revoke", data={"csrf_token": csrf_token_from(page)})
    assert anonymous.get("/api/v1/insights/summary", headers=bearer).status_code == 401


def test_customer_sessions_and_tokens_get_403_from_the_api(month_app):
    assert client_for(month_app, "customer").get("/api/v1/insights/summary").status_code == 403
    from app.accounts.models import User
    from app.insights.tokens import create_token

    with month_app.app_context():
        customer = db.session.query(User).filter_by(role="customer").first()
        _token, plain = create_token(customer, "sneaky")
    response = month_app.test_client().get(
        "/api/v1/insights/summary", headers={"Authorization": f"Bearer {plain}"}
    )
    assert response.status_code == 403


def test_gap_workflow_and_after_addressed(month_app):
    from datetime import datetime

    from app.accounts.models import User
    from app.insights.tasks import after_addressed
    from app.kb.models import Article

    client = client_for(month_app, "cs_editor")
    html = client.get(f"/insights/?{MARCH}").get_data(as_text=True)
    token = csrf_token_from(html)
    response = client.post(
        "/insights/tasks",
        data={"csrf_token": token, "locale": "en", "gap_key": "csv export", "label": "export csv"},
    )
    assert response.status_code == 303
    with month_app.app_context():
        task = db.session.query(GapTask).one()
        assert (task.status, task.label) == ("open", "export csv")
        task_id = task.id
        article_id = db.session.query(Article).filter_by(slug="invoices").one().id
        cs_id = db.session.query(User).filter_by(role="cs_editor").one().id
    prefix = f"t{task_id}-"
    # "addressed" without an article is refused with a message; nothing is lost
    response = client.post(
        f"/insights/tasks/{task_id}",
        data={"csrf_token": token, prefix + "status": "addressed", prefix + "note": "soon"},
    )
    assert response.status_code == 400
    assert "Say which article addresses the gap." in response.get_data(as_text=True)
    response = client.post(
        f"/insights/tasks/{task_id}",
        data={
            "csrf_token": token,
            prefix + "status": "addressed",
            prefix + "assignee": str(cs_id),
            prefix + "article": str(article_id),
            prefix + "note": "wrote it, customer +1 (555) 123-4567",
        },
    )
    assert response.status_code == 303
    with month_app.app_context():
        task = db.session.get(GapTask, task_id)
        assert (task.status, task.assignee_id, task.article_id) == ("addressed", cs_id, article_id)
        assert task.note == "wrote it, customer [phone]"
        task.addressed_at = datetime(2025, 3, 20)
        db.session.commit()
        result = after_addressed(task, {"csv export", "csv expotr"})
        assert (result.searches, result.zero_results, result.clicks_on_article) == (3, 3, 0)
    page = client.get("/insights/tasks").get_data(as_text=True)
    assert "Since it was addressed" in page
    bad = client.post(
        f"/insights/tasks/{task_id}", data={"csrf_token": token, prefix + "status": "nonsense"}
    )
    assert bad.status_code == 400
    assert client.post("/insights/tasks/999", data={"csrf_token": token}).status_code == 404


def test_digest_and_webhook(month_app, monkeypatch):
    from app.insights import webhooks
    from app.mail import sent_mail

    runner = month_app.test_cli_runner()
    result = runner.invoke(args=["insights", "digest", "--print"])
    assert result.exit_code == 0 and "Self-service score" in result.output
    result = runner.invoke(args=["insights", "digest"])
    assert result.exit_code == 0
    with month_app.app_context():
        sent = {m["to"] for m in sent_mail()}
        assert sent >= {"cs_editor@example.com", "product@example.com"}
        posted = []

        def fake_post(url, payload, timeout):
            posted.append(payload)
            return True

        monkeypatch.setattr(webhooks, "post_json", fake_post)
        month_app.config.update(
            INSIGHTS_WEBHOOK_URL="https://hooks.example.com/x", INSIGHTS_WEBHOOK_THRESHOLD=1
        )
        assert webhooks.notify_new_gaps(now=NOW) == 1  # "export csv": 3 in the last 7 days
        assert posted[0]["label"] == "export csv" and posted[0]["unanswered_searches"] == 3
        assert webhooks.notify_new_gaps(now=NOW) == 0  # announced once


def test_webhook_failures_are_logged_not_raised(app, caplog):
    from app.insights.webhooks import post_json

    # Another test's app may have left the root logger at a stricter level (TOUCHPOINT_LOG_LEVEL).
    caplog.set_level("WARNING", logger="app.insights.webhooks")
    assert post_json("http://127.0.0.1:9/hook", {"a": 1}, timeout=0.5) is False
    assert "insights webhook" in caplog.text


def test_cli_rollup_and_prune(app, runner, monkeypatch):
    # The CLI rolls up to today: a clock three days after the scripted month keeps the run
    # at a month of days instead of one more every day since March 2025.
    monkeypatch.setattr("app.insights.rollups.utcnow", lambda: NOW + timedelta(days=3))
    build_month()
    result = runner.invoke(args=["insights", "rollup", "--since", "2025-03-01"])
    assert result.exit_code == 0 and "rolled up" in result.output
    again = runner.invoke(args=["insights", "rollup", "--since", "2025-03-01"])
    assert again.exit_code == 0
    assert runner.invoke(args=["insights", "rollup", "--since", "March"]).exit_code == 2
    result = runner.invoke(args=["insights", "prune", "--days", "1"])
    assert result.exit_code == 0 and "deleted" in result.output
    from app.events import Event

    assert db.session.query(Event).count() == 0
