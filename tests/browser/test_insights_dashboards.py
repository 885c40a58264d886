"""Insights dashboards in Chromium: charts drawn (SVG with a size), screenshots, axe clean."""

from __future__ import annotations

from datetime import timedelta
from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.test_accessibility import describe, run_axe

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def axe_js() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def insights_staff(live_server):
    """Staff accounts and two weeks of traffic in the live database."""
    from app.accounts.models import User
    from app.clock import utcnow
    from app.events import Event
    from app.insights.rollups import roll_up
    from app.kb.models import Article
    from search.analysis import normalize_query_text

    with live_server.app.app_context():
        for role in ("cs_editor", "product"):
            email = f"insights-{role}@example.com"
            if db.session.query(User).filter_by(email=email).first() is None:
                user = User(email=email, display_name=role, role=role)
                user.set_password(PASSWORD)
                db.session.add(user)
        articles = db.session.query(Article).filter_by(locale="en").limit(5).all()
        now = utcnow()
        queries = ["export csv", "csv export", "expotr csv", "reset password", "gantt chart"]
        for day in range(14):
            base = now - timedelta(days=day, hours=1)
            for n in range(3 + day % 4):
                session = f"b{day}-{n}"
                query = queries[(day + n) % len(queries)]
                results = 0 if "csv" in query or "expotr" in query else 3
                db.session.add(
                    Event(
                        name="search",
                        occurred_at=base + timedelta(minutes=n),
                        session_key=session,
                        locale="en",
                        data={
                            "query": query,
                            "normalized": normalize_query_text(query, "en"),
                            "results": results,
                            "source": "search_page",
                        },
                    )
                )
                article = articles[n % len(articles)]
                db.session.add(
                    Event(
                        name="article_view",
                        occurred_at=base + timedelta(minutes=n, seconds=30),
                        session_key=session,
                        locale="en",
                        subject_type="article",
                        subject_id=article.id,
                        data={},
                    )
                )
                for step, name in enumerate(
                    ["ask_opened", "ask_suggestions_shown", "ask_suggestion_opened"][: 1 + n % 3]
                ):
                    db.session.add(
                        Event(
                            name=name,
                            occurred_at=base + timedelta(minutes=n + 1, seconds=step),
                            session_key=session,
                            locale="en",
                            data={},
                        )
                    )
                if n % 3 == 0:
                    db.session.add(
                        Event(
                            name="ask_posted",
                            occurred_at=base + timedelta(minutes=n + 2),
                            session_key=session,
                            locale="en",
                            data={},
                        )
                    )
        db.session.commit()
        roll_up(since=(now - timedelta(days=20)).date(), now=now)
        db.session.remove()
    return live_server


def sign_in(page: Page, role: str) -> None:
    page.goto("/account/sign-in")
    page.fill("input[name=email]", f"insights-{role}@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def assert_charts_drawn(page: Page, minimum: int) -> None:
    charts = page.locator("svg.chart-svg")
    assert charts.count() >= minimum
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
    drawn = page.locator("svg.chart-svg polyline, svg.chart-svg rect.bar")
    assert drawn.count() >= minimum
    assert page.locator("figure.chart details table").count() >= minimum


def test_cs_dashboard_renders_charts(insights_staff, page: Page, screenshot, axe_js):
    sign_in(page, "cs_editor")
    response = page.goto("/insights/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Customer success insights")).to_be_visible()
    assert_charts_drawn(page, 4)
    expect(page.locator("table.gap-table")).to_contain_text("csv")
    assert page.locator("svg.sparkline").count() >= 1
    screenshot(page, "insights-cs-dashboard")
    violations = run_axe(page, axe_js)
    assert not violations, describe(violations)


def test_product_dashboard_renders_charts(
    insights_staff, page: Page, screenshot, axe_js, browser_errors
):
    browser_errors.allow(r"status of 403")
    sign_in(page, "product")
    assert page.goto("/insights/").status == 403  # the CS dashboard is not theirs
    response = page.goto("/insights/product")
    assert response is not None and response.status == 200
    assert_charts_drawn(page, 1)
    screenshot(page, "insights-product-dashboard")
    violations = run_axe(page, axe_js)
    assert not violations, describe(violations)
    page.goto("/insights/explore?q=csv")
    assert_charts_drawn(page, 1)
    screenshot(page, "insights-query-explorer")
    violations = run_axe(page, axe_js)
    assert not violations, describe(violations)
