"""Replay a scripted month (tests/insights/scenario.py) and check every metric by hand.

The month is rolled up through the 30th and the 31st ("today") is read from raw events, as
the dashboards do; the same numbers must come out with nothing rolled up at all. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.insights.filters import Filters
from app.insights.gaps import content_gaps
from app.insights.metrics.articles import article_rows, worst_articles
from app.insights.metrics.deflection import deflection_metrics
from app.insights.metrics.forum import feature_requests, forum_metrics
from app.insights.metrics.search import search_metrics
from app.insights.metrics.self_service import self_service_metrics
from app.insights.rollup_models import DailyCount, DailyQuery, DailySession, RolledDay
from app.insights.rollups import roll_up
from app.insights.source import RangeData
from tests.conftest import create_empty_schema, make_app
from tests.insights.scenario import END, NOW, START, build_month

MONTH = Filters(START, END)


@pytest.fixture(
    scope="module",
    params=["rolled-sqlite", "raw-sqlite", "rolled-postgresql", "raw-postgresql"],
)
def month(request, tmp_path_factory, postgres_schemas):
    """The scripted month; "rolled": roll-ups through the 30th, "raw": nothing rolled.

    Built once per module for each variant: the metric tests only read it.
    """
    mode, database = request.param.split("-")
    folder = tmp_path_factory.mktemp("month")
    url = "sqlite://" if database == "sqlite" else postgres_schemas.emptied(f"month-{mode}")
    app = make_app(folder, url)
    with app.app_context():
        if database == "sqlite":
            create_empty_schema()
        script = build_month()
        if mode == "rolled":
            report = roll_up(since=START, now=NOW)
            assert report.days[0] == START and report.days[-1] == date(2025, 3, 30)
        yield script
        db.session.remove()
        db.engine.dispose()


def data(filters: Filters = MONTH) -> RangeData:
    return RangeData(filters, NOW)


def test_search_metrics(month):
    m = search_metrics(data())
    assert m.volume == 10  # the ask form's search is not counted
    assert m.zero_results == 5 and m.zero_result_rate == pytest.approx(0.5)
    assert m.clicked == 4 and m.click_through_rate == pytest.approx(0.4)
    assert m.clicks == 4 and m.mean_click_position == pytest.approx(1.75)  # (1+2+3+1)/4
    assert m.refined == 1 and m.refined_rate == pytest.approx(0.1)
    assert m.abandoned == 4 and m.abandoned_rate == pytest.approx(0.4)
    by_day = {d.day: d for d in m.series}
    assert by_day[date(2025, 3, 3)].volume == 4
    assert by_day[date(2025, 3, 3)].zero_result_rate == pytest.approx(0.25)
    assert by_day[date(2025, 3, 3)].click_through_rate == pytest.approx(0.5)
    assert by_day[date(2025, 3, 25)].volume == 3
    assert by_day[date(2025, 3, 31)].click_through_rate == 1.0
    assert by_day[date(2025, 3, 1)].zero_result_rate is None


def test_search_metrics_by_locale_and_category(month):
    ja = search_metrics(data(Filters(START, END, locale="ja")))
    assert (ja.volume, ja.zero_results, ja.clicked, ja.mean_click_position) == (1, 0, 1, 3.0)
    billing = search_metrics(data(Filters(START, END, category="billing")))
    assert (billing.volume, billing.clicked, billing.zero_results) == (1, 1, 0)
    # a search's category: its filter, else the category of the article clicked from it
    account = search_metrics(data(Filters(START, END, category="account")))
    assert (account.volume, account.clicked) == (3, 3)
    assert account.mean_click_position == pytest.approx(2.0)


def test_self_service_score(month):
    m = self_service_metrics(data())
    assert (m.readers, m.askers) == (6, 3)  # s6 read on two days: one session
    assert m.score == pytest.approx(2.0)
    series = {day: (readers, askers, score) for day, readers, askers, score in m.series}
    assert series[date(2025, 3, 3)] == (2, 0, None)
    assert series[date(2025, 3, 10)] == (1, 2, 0.5)
    assert series[date(2025, 3, 21)] == (0, 1, 0.0)  # s8 posted after midnight
    ja = self_service_metrics(data(Filters(START, END, locale="ja")))
    assert (ja.readers, ja.askers, ja.score) == (1, 0, None)


def test_deflection_rate_and_funnel(month):
    m = deflection_metrics(data())
    assert (m.explicit, m.implicit, m.posted, m.not_answered) == (1, 2, 3, 1)
    assert m.rate == pytest.approx(0.5)  # (1 + 2) / (3 + 3)
    assert [(s.key, s.count) for s in m.funnel] == [
        ("ask_opened", 7),
        ("suggestions_shown", 6),
        ("suggestion_opened", 6),
        ("explicit", 1),
        ("implicit", 2),
        ("posted", 3),
    ]
    by_day = dict(m.series)
    assert by_day[date(2025, 3, 3)] == 1.0
    assert by_day[date(2025, 3, 10)] == pytest.approx(1 / 3)
    assert by_day[date(2025, 3, 31)] == 1.0  # s16 implicit; s15 still pending
    assert by_day[date(2025, 3, 20)] is None


def test_article_metrics(month):
    rows = {r.slug + "/" + r.locale: r for r in article_rows(data())}
    a1, a2, a3 = rows["invoices/en"], rows["reset-password/en"], rows["reset-password/ja"]
    assert (a1.views, a1.helpful, a1.not_helpful, a1.search_clicks) == (4, 1, 3, 1)
    assert a1.helpful_rate == pytest.approx(0.25)
    assert [c[2] for c in a1.comments] == ["Screens changed"]
    assert dict(a1.reasons) == {"outdated": 2, "unclear": 1}
    assert (a2.views, a2.votes, a2.helpful_rate, a2.search_clicks, a2.comments) == (
        2,
        1,
        1.0,
        2,
        [],
    )
    assert (a3.views, a3.votes, a3.helpful_rate, a3.search_clicks) == (1, 1, 0.0, 1)
    assert a3.updated_at.date() == date(2025, 1, 15)
    assert [r.slug for r in worst_articles(list(rows.values()))] == ["invoices"]
    billing = article_rows(data(Filters(START, END, category="billing")))
    assert [r.slug for r in billing] == ["invoices"]
    ja = article_rows(data(Filters(START, END, locale="ja")))
    assert [(r.slug, r.views) for r in ja] == [("reset-password", 1)]


def test_forum_metrics(month):
    m = forum_metrics(MONTH, NOW)
    assert (m.questions, m.answered, m.solved, m.unanswered_48h) == (3, 2, 1, 2)
    assert m.median_hours_to_first_answer == pytest.approx(37.0)  # median of 2 h and 72 h
    assert m.solved_rate == pytest.approx(1 / 3)
    assert [t.title for t in m.unanswered] == ["Can I merge two workspaces?"]
    assert [(t.title, t.votes) for t in feature_requests(MONTH)] == [
        ("Gantt charts", 9),
        ("Dark mode", 5),
    ]


def test_content_gaps(month):
    gaps = content_gaps(data())
    summary = [(g.locale, g.label, g.no_clicks, g.zero_results, g.searches) for g in gaps]
    assert summary == [
        ("en", "export csv", 4, 4, 4),  # word order and the typo "expotr" fold together
        ("en", "invoice pdf", 1, 0, 2),
        ("en", "pasword reset", 1, 1, 3),  # folded onto "password reset" (searched, clicked)
    ]
    export = gaps[0]
    assert dict(export.examples) == {"export csv": 2, "csv export": 1, "expotr csv": 1}
    assert [t[1] for t in export.topics] == ["How do I export to CSV?"]
    trend = {day: n for day, n in export.trend if n}
    assert trend == {date(2025, 3, 10): 1, date(2025, 3, 25): 3}
    assert export.first_seen == date(2025, 3, 10) and not export.is_new
    recent = content_gaps(data(Filters(date(2025, 3, 20), END)))
    assert [(g.label, g.no_clicks, g.is_new) for g in recent] == [("export csv", 3, False)]


def test_rollup_is_idempotent(any_db_app):
    build_month()
    roll_up(since=START, now=NOW)

    def snapshot():
        counts = db.session.execute(
            sa.select(
                DailyCount.day, DailyCount.locale, DailyCount.metric, DailyCount.value
            ).order_by(DailyCount.day, DailyCount.locale, DailyCount.metric, DailyCount.category)
        ).all()
        sessions = db.session.scalar(sa.select(sa.func.count()).select_from(DailySession))
        queries = db.session.scalar(sa.select(sa.func.count()).select_from(DailyQuery))
        days = db.session.scalar(sa.select(sa.func.count()).select_from(RolledDay))
        return counts, sessions, queries, days

    first = snapshot()
    roll_up(since=START, now=NOW)
    assert snapshot() == first
    roll_up(now=NOW)  # default: from the day before the last rolled one
    assert snapshot() == first
    assert first[3] == 30
