"""The customer-voice page: NPS by week and group, verbatims by score and language, and what
promoters and detractors did before answering (from the event log); the same in the API."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.events import Event
from app.extensions import db
from app.insights import voice
from app.insights.filters import Filters
from app.surveys.models import SurveyResponse
from tests.conftest import sign_in
from tests.insights.scenario import quick_user

MARCH = Filters(date(2025, 3, 1), date(2025, 3, 31))
QUERY = "start=2025-03-01&end=2025-03-31"


def answer(user, kind, score, when, locale="en", comment=None, subject=None):
    db.session.add(
        SurveyResponse(
            kind=kind,
            person=f"u:{user.id}",
            user_id=user.id,
            session_key="k",
            locale=locale,
            subject_type=subject,
            state="answered",
            score=score,
            comment=comment,
            shown_at=when,
            answered_at=when,
        )
    )


def did(user, name, when, **data):
    db.session.add(
        Event(name=name, occurred_at=when, session_key=f"s{user.id}", user_id=user.id, data=data)
    )


@pytest.fixture
def voice_app(any_db_app):
    """Answers and the respondents' events, on SQLite and PostgreSQL (dates are counted there)."""
    app = any_db_app
    quick_user("product@example.com", "product", "Product")
    quick_user("customer@example.com", "customer", "Customer")
    fans = [quick_user(f"fan{n}@example.com", "customer", f"Fan {n}") for n in range(3)]
    critic = quick_user("critic@example.com", "customer", "Critic")
    middle = quick_user("middle@example.com", "customer", "Middle")
    week1, week2 = datetime(2025, 3, 3, 12), datetime(2025, 3, 12, 12)
    answer(fans[0], "nps", 10, week1, "en", "Search finds everything")
    answer(fans[1], "nps", 9, week2, "ja", "検索が便利です")
    answer(fans[2], "nps", 9, week2, "ar")
    answer(critic, "nps", 3, week2, "ar", "لم أجد الإجابة")
    answer(middle, "nps", 7, week1, "en", "OK")
    answer(critic, "csat", 5, week2, "ar", "شكرا", "topic")
    answer(middle, "csat", 2, week2, "en", None, "article")
    for fan in fans:  # promoters read and search; the critic posted questions
        did(fan, "search", week1 - timedelta(days=2), source="search_page")
        did(fan, "article_view", week1 - timedelta(days=2))
        did(fan, "article_view", week1 - timedelta(days=1))
    did(fans[0], "ask_deflected", week1 - timedelta(hours=5))
    did(fans[0], "search", datetime(2025, 2, 27), source="search_page")  # before the range
    did(critic, "ask_posted", week2 - timedelta(days=1))
    did(critic, "ask_posted", week2 - timedelta(days=3))
    did(critic, "search", week2 - timedelta(days=1), source="ask")  # the ask form's
    did(critic, "search", week2 + timedelta(days=1), source="search_page")
    db.session.commit()
    return app


def test_nps_by_week_and_group(voice_app):
    report = voice.nps_report(MARCH)
    assert (report.total.answers, report.total.promoters, report.total.detractors) == (5, 3, 1)
    assert report.total.nps == pytest.approx(40.0)  # 60% − 20%
    weeks = dict(report.weeks)
    assert weeks[date(2025, 3, 3)].answers == 2 and weeks[date(2025, 3, 3)].nps == 50.0
    assert weeks[date(2025, 3, 10)].nps == pytest.approx(100 / 3)
    assert weeks[date(2025, 3, 24)].answers == 0 and weeks[date(2025, 3, 24)].nps is None
    assert report.by_locale["ar"].nps == 0.0
    ar_only = voice.nps_report(Filters(MARCH.start, MARCH.end, locale="ar"))
    assert ar_only.total.answers == 2
    csat = voice.csat_report(MARCH)
    assert (csat.answers, csat.mean, csat.satisfied_rate) == (2, 3.5, 0.5)


def test_verbatims_filter_by_score_and_language(voice_app):
    assert [v.comment for v in voice.verbatims(MARCH, "promoters")] == [
        "検索が便利です",
        "Search finds everything",
    ]
    assert [v.comment for v in voice.verbatims(MARCH, "3")] == ["لم أجد الإجابة"]
    ja = Filters(MARCH.start, MARCH.end, locale="ja")
    assert [v.comment for v in voice.verbatims(ja, None)] == ["検索が便利です"]


def test_what_promoters_and_detractors_did(voice_app):
    found = voice.behaviour(MARCH)
    assert found.respondents == {"promoters": 3, "passives": 1, "detractors": 1}
    rows = {row.action: row for row in found.rows}
    assert rows["articles_viewed"].mean["promoters"] == 2.0
    assert rows["articles_viewed"].did_it["detractors"] == 0.0
    assert rows["searches"].mean["promoters"] == 1.0
    assert rows["searches"].mean["detractors"] == 1.0  # the ask form's search is not counted
    assert rows["questions_posted"].mean["detractors"] == 2.0
    assert rows["deflections"].mean["promoters"] == pytest.approx(1 / 3)
    assert rows["deflections"].did_it["detractors"] == 0.0


def test_page_and_api_for_staff_only(voice_app):
    staff = voice_app.test_client()
    sign_in(staff, "product@example.com")
    page = staff.get(f"/insights/voice?{QUERY}&score=detractors")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "data-nps>40<" in html and "لم أجد الإجابة" in html
    assert "Search finds everything" not in html  # filtered to detractors
    assert "What promoters and detractors did differently" in html
    nps = staff.get(f"/api/v1/insights/nps?{QUERY}").get_json()
    assert nps["rows"][-1] == {
        "week": "total",
        "answers": 5,
        "promoters": 3,
        "passives": 1,
        "detractors": 1,
        "nps": 40.0,
    }
    answers = staff.get(f"/api/v1/insights/survey_answers?{QUERY}&locale=ar").get_json()
    assert [(r["kind"], r["score"], r["group"]) for r in answers["rows"]] == [
        ("nps", 9, "promoters"),
        ("nps", 3, "detractors"),
        ("csat", 5, None),
    ]
    assert "user_id" not in answers["columns"]
    customer = voice_app.test_client()
    sign_in(customer, "customer@example.com")
    assert customer.get("/insights/voice").status_code == 403
    assert customer.get("/api/v1/insights/nps").status_code == 403
