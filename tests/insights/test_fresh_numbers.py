"""Fresh numbers: today's figures from raw events equal the roll-up of the same day tomorrow.

A day is scripted; its figures are read live during the day (pending implicit deflections
shown as pending, a gap addressed this morning already counting its searches), then the day
is rolled up the next night and every figure is compared with the live one.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.extensions import db
from app.insights.filters import Filters
from app.insights.metrics.articles import article_rows
from app.insights.metrics.deflection import deflection_metrics
from app.insights.metrics.search import search_metrics
from app.insights.metrics.self_service import self_service_metrics
from app.insights.rollups import roll_up
from app.insights.source import RangeData
from app.insights.task_models import GapTask
from app.insights.tasks import after_addressed, live_queries_since
from tests.insights.scenario import build_month

DAY = date(2025, 4, 2)
DURING = datetime(2025, 4, 2, 10, 0)  # the day is still running
END_OF_DAY = datetime(2025, 4, 3, 0, 59)  # every window closed, not rolled up yet
NEXT_NIGHT = datetime(2025, 4, 3, 2, 0)


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime(2025, 4, 2, int(hours), int(minutes))


@pytest.fixture
def day(app):
    script = build_month()
    task = GapTask(
        locale="en",
        gap_key="dark mode",
        label="dark mode",
        status="addressed",
        article_id=script.articles["A1"].id,
        addressed_at=at("08:00"),
    )
    db.session.add(task)
    s = script
    first = s.search("d1", at("08:30"), "dark mode", 0)
    second = s.search("d2", at("09:10"), "Dark mode", 3)
    s.click(second, 1, "invoices", at("09:11"))
    s.view("d2", "A1", at("09:11"))
    s.search("d3", at("09:20"), "refund", 2)
    s.ask("ask_opened", "d4", at("09:00"))
    s.ask("ask_suggestion_opened", "d4", at("09:05"))  # 30 minutes pass: implicit
    s.ask("ask_opened", "d5", at("09:45"))
    s.ask("ask_suggestion_opened", "d5", at("09:50"))  # at 10:00 still pending
    s.ask("ask_opened", "d6", at("09:30"))
    s.ask("ask_deflected", "d6", at("09:33"))
    s.ask("ask_posted", "d7", at("09:40"), topic="T1")
    s.vote("d2", "A1", True, at("09:12"))
    db.session.commit()
    assert first.id
    return task


def figures(now: datetime) -> dict:
    data = RangeData(Filters(DAY, DAY), now)
    search = search_metrics(data)
    deflection = deflection_metrics(data)
    north = self_service_metrics(data)
    articles = {row.id: (row.views, row.helpful_rate) for row in article_rows(data)}
    return {
        "searches": (search.volume, search.zero_results, search.clicked, search.abandoned),
        "deflection": (deflection.explicit, deflection.implicit, deflection.pending),
        "posted": deflection.posted,
        "north": (north.readers, north.askers),
        "articles": articles,
        "rolled": bool(data.rolled_days),
    }


def test_today_live_equals_tomorrows_rollup(day):
    during = figures(DURING)
    assert during["deflection"] == (1, 1, 1)  # one implicit, one pending — not 0
    assert during["searches"][0] == 3
    late = figures(END_OF_DAY)
    assert late["deflection"] == (1, 2, 0)  # the pending one became implicit
    assert not late["rolled"]
    report = roll_up(since=DAY, now=NEXT_NIGHT)
    assert DAY in report.days
    rolled = figures(NEXT_NIGHT)
    assert rolled["rolled"]
    assert {k: v for k, v in rolled.items() if k != "rolled"} == {
        k: v for k, v in late.items() if k != "rolled"
    }


def test_since_it_was_addressed_counts_the_same_day(day):
    members = {"dark mode"}
    live = live_queries_since(DAY, DURING)
    today = after_addressed(day, members, live)
    assert (today.searches, today.zero_results, today.clicks_on_article) == (2, 1, 1)
    without_live = after_addressed(day, members)
    assert without_live.searches == 0  # what the page showed before: roll-ups only
    roll_up(since=DAY, now=NEXT_NIGHT)
    tomorrow = after_addressed(day, members, live_queries_since(DAY, NEXT_NIGHT))
    assert tomorrow == today
