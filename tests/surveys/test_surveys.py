"""Surveys: who is asked what, once per period; answers PII-scrubbed; dismissible; no JS needed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.surveys import services
from app.surveys.models import SurveyResponse
from tests.conftest import csrf_token_from, make_user, reader_token, sign_in
from tests.insights.scenario import quick_user

ARTICLE = "/en/articles/reset-your-password"
PERIODS = services.Periods(nps_days=90, csat_days=30)


def rows() -> list[SurveyResponse]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SurveyResponse).order_by(SurveyResponse.id)))


def answer_url(html: str) -> str:
    marker = 'action="/en/surveys/'
    start = html.index(marker) + len('action="')
    return html[start : html.index('"', start)]


def test_customer_answers_nps_without_js_once_per_period(demo_app):
    make_user()
    client = demo_app.test_client()
    sign_in(client)
    html = client.get(ARTICLE).get_data(as_text=True)
    assert "How likely are you to recommend Planwise" in html
    assert '<fieldset class="survey-scale"' in html and "<legend>" in html
    assert 'type="radio" name="score" id="survey-score-10" value="10"' in html
    # no score: refused with a message, the survey stays
    token = csrf_token_from(html)
    response = client.post(
        answer_url(html),
        data={"csrf_token": token, "comment": "x", "next": ARTICLE},
        follow_redirects=True,
    )
    assert "Please choose a score first." in response.get_data(as_text=True)
    response = client.post(
        answer_url(html),
        data={
            "csrf_token": token,
            "score": "9",
            "comment": "Great docs! Call me on 090-1234-5678 or jo@example.com",
            "next": ARTICLE,
        },
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(ARTICLE)
    page = client.get(ARTICLE).get_data(as_text=True)
    assert "Thank you for your answer." in page
    assert "How likely are you to recommend" not in page  # answered: not again this period
    [row] = rows()
    assert (row.kind, row.state, row.score, row.locale) == ("nps", "answered", 9, "en")
    assert row.comment == "Great docs! Call me on [phone] or [email]"
    other_browser = demo_app.test_client()
    sign_in(other_browser)
    assert "How likely" not in other_browser.get("/en/articles/invoices").get_data(as_text=True)


def test_nps_is_dismissible_and_shown_once_per_period_not_per_page(demo_app):
    user = make_user()
    client = demo_app.test_client()
    sign_in(client)
    html = client.get(ARTICLE).get_data(as_text=True)
    again = client.get(ARTICLE).get_data(as_text=True)  # same session: still offered
    assert "How likely" in again and len(rows()) == 1
    dismiss = answer_url(html).replace("/answer", "/dismiss")
    response = client.post(
        dismiss,
        data={"csrf_token": csrf_token_from(html), "next": ARTICLE},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"message": "We won't ask again for a while."}
    assert "How likely" not in client.get(ARTICLE).get_data(as_text=True)
    assert rows()[0].state == "dismissed"
    # After the period, asked again
    person = services.Person(user.id, "another-session", True)
    later = datetime.utcnow() + timedelta(days=91)
    assert services.survey_for_page(person, "en", later, PERIODS) is not None


def test_someone_elses_survey_cannot_be_answered(demo_app):
    make_user()
    make_user("bo@example.com", name="Bo")
    ada = demo_app.test_client()
    sign_in(ada)
    url = answer_url(ada.get(ARTICLE).get_data(as_text=True))
    bo = demo_app.test_client()
    sign_in(bo, "bo@example.com")
    token = csrf_token_from(bo.get("/en/").get_data(as_text=True))
    response = bo.post(url, data={"csrf_token": token, "score": "0"})
    assert response.status_code == 404
    assert rows()[0].state == "shown"


def test_reader_gets_csat_after_marking_an_article_helpful(demo_app):
    client = demo_app.test_client()
    assert "survey" not in client.get(ARTICLE).get_data(as_text=True)  # cacheable page
    token = reader_token(client)
    client.post(f"{ARTICLE}/feedback", data={"helpful": "yes", "csrf_token": token})
    html = client.get(ARTICLE).get_data(as_text=True)
    assert "How satisfied are you with the help you got?" in html
    assert "How likely" not in html  # anonymous readers get no NPS
    response = client.post(
        answer_url(html),
        data={"csrf_token": token, "score": "5", "comment": "card 4111 1111 1111 1111 worked"},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"message": "Thank you for your answer."}
    [row] = rows()
    assert (row.kind, row.score, row.subject_type) == ("csat", 5, "article")
    assert row.comment == "card [card] worked"
    with pytest.raises(services.SurveyError, match="score_missing"):
        services.answer(row, "6", "", 100, datetime.utcnow())  # CSAT is 1–5


def test_asker_gets_csat_on_a_solved_question(app):
    asker = quick_user("asker@example.com", "customer", "Asker")
    person = services.Person(asker.id, "k1", True)
    now = datetime(2025, 3, 3, 12, 0)
    offered = services.survey_for_page(person, "ja", now, PERIODS, solved_topic_id=7)
    assert (offered.kind, offered.subject_type, offered.subject_id) == ("csat", "topic", 7)
    # answered: the next page offers NPS instead, and no CSAT for 30 days
    services.answer(offered, "4", "", 100, now)
    db.session.commit()
    nxt = services.survey_for_page(person, "ja", now, PERIODS, solved_topic_id=8)
    assert nxt.kind == "nps"
    staff = services.Person(asker.id + 1, "k2", False)
    assert services.survey_for_page(staff, "en", now, PERIODS) is None  # NPS: customers only


def test_naughty_comments_are_stored_scrubbed_and_shown_inert(app):
    from app.insights import voice
    from app.insights.filters import Filters
    from tests.conftest import NAUGHTY_STRINGS
    from tests.hostile_html import assert_nothing_live

    customer = quick_user("naughty@example.com", "customer", "Naughty")
    now = datetime(2025, 3, 3, 12, 0)
    for n, text in enumerate(NAUGHTY_STRINGS):
        person = services.Person(customer.id, f"k{n}", True)
        offered = services.offer(person, "nps", None, "en", now + timedelta(days=n * 91), PERIODS)
        try:
            services.answer(offered, str(n % 11), text, 1000, now + timedelta(days=n * 91))
        except services.SurveyError as error:
            assert str(error) == "comment_too_long" and len(text) > 1000
    db.session.commit()
    everything = Filters(now.date(), (now + timedelta(days=len(NAUGHTY_STRINGS) * 91)).date())
    shown = voice.verbatims(everything, None)
    assert shown and all("\x00" not in v.comment for v in shown)
    row = services.offer(
        services.Person(customer.id, "nul", True), "csat", None, "en", now, PERIODS
    )
    services.answer(row, "3", "a\x00b\u202ec", 100, now)
    assert row.comment == "abc"  # no NUL (PostgreSQL refuses it) and no direction overrides
    with app.test_request_context():
        from flask import render_template_string

        html = render_template_string(
            "{% for v in shown %}<q>{{ v.comment }}</q>{% endfor %}", shown=shown
        )
    assert_nothing_live(html)
