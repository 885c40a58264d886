"""The ask-flow tests' fixtures and builders: categories, a signed-in asker, the form's tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.events import Event
from app.extensions import db
from app.forum.models import ForumCategory, Topic
from tests.conftest import csrf_token_from, make_user, sign_in

ASK = "/en/community/ask"
FLOW_PATTERN = re.compile(r'name="flow" type="hidden" value="([^"]*)"')


def make_categories() -> dict[str, ForumCategory]:
    """What `flask forum init` creates, made directly so these tests need only the ORM."""
    rows = {
        "questions": ForumCategory(
            slug="questions",
            kind="questions",
            position=1,
            names={"en": "Questions", "ja": "質問", "ar": "أسئلة"},
        ),
        "ideas": ForumCategory(
            slug="ideas",
            kind="ideas",
            position=2,
            names={"en": "Ideas and feature requests", "ja": "アイデア", "ar": "أفكار"},
        ),
        "announcements": ForumCategory(
            slug="announcements",
            kind="announcements",
            position=3,
            staff_only=True,
            names={"en": "Announcements", "ja": "お知らせ", "ar": "إعلانات"},
        ),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


def form_tokens(html: str) -> tuple[str, str]:
    """The CSRF token and the flow token of the ask form (or the preview's post form)."""
    match = FLOW_PATTERN.search(html)
    assert match, "the page has no flow token"
    return csrf_token_from(html), match.group(1)


def open_form(client, path: str = ASK) -> tuple[str, str, str]:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    csrf, flow = form_tokens(html)
    return html, csrf, flow


def question(category_id: int, **fields) -> dict:
    data = {
        "title": "How do I reset my password?",
        "category": str(category_id),
        "tags": "password, sign-in",
        "body": "I forgot my password and the reset email never arrives.",
        "website": "",
    }
    data.update(fields)
    return data


def preview(client, category_id: int, **fields):
    """Open the form and submit it to the preview step."""
    _html, csrf, flow = open_form(client)
    return client.post(
        ASK, data={**question(category_id, **fields), "csrf_token": csrf, "flow": flow}
    )


def events(name: str) -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).filter_by(name=name).order_by(Event.id)))


def topics() -> list[Topic]:
    db.session.expire_all()
    return list(db.session.scalars(select(Topic).order_by(Topic.id)))


@pytest.fixture
def categories(search_app):
    return make_categories()


@pytest.fixture
def asker(search_app, categories):
    make_user()
    client = search_app.test_client()
    sign_in(client)
    return client
