"""Editor test helpers: signed-in staff clients on the demo content, and form posting."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.kb.models import Article
from tests.conftest import csrf_token_from, make_user, sign_in

PASSWORD = "correct horse battery"


@pytest.fixture
def editor(demo_app):
    return make_user(email="cs@example.com", role="cs_editor", name="Casey")


@pytest.fixture
def editor_client(demo_app, editor):
    client = demo_app.test_client()
    sign_in(client, "cs@example.com", PASSWORD)
    return client


def second_editor_client(app, email="sam@example.com"):
    make_user(email=email, role="cs_editor", name="Sam")
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    return client


def article(locale="en", slug="reset-your-password") -> Article:
    db.session.expire_all()
    return db.session.query(Article).filter_by(locale=locale, slug=slug).one()


def form_values(html: str) -> dict[str, str]:
    """The values an HTML edit form would submit (text inputs, hidden inputs, textareas)."""
    from html import unescape

    start = html.find('class="editor-form"')
    if start != -1:
        html = html[html.rfind("<form", 0, start) : html.find("</form>", start)]
    values: dict[str, str] = {}
    for match in re.finditer(r"<input\b([^>]*)>", html):
        attrs = match.group(1)
        name = re.search(r'name="([^"]+)"', attrs)
        if not name or 'type="checkbox"' in attrs or 'type="submit"' in attrs:
            continue
        if 'type="file"' in attrs:
            continue
        value = re.search(r'value="([^"]*)"', attrs)
        values.setdefault(name.group(1), unescape(value.group(1)) if value else "")
    for match in re.finditer(r"<textarea\b([^>]*)>(.*?)</textarea>", html, re.S):
        name = re.search(r'name="([^"]+)"', match.group(1))
        if name:
            text = unescape(match.group(2))
            values[name.group(1)] = text.removeprefix("\r\n").removeprefix("\n")
    for match in re.finditer(r"<select\b([^>]*)>(.*?)</select>", html, re.S):
        name = re.search(r'name="([^"]+)"', match.group(1))
        options = re.findall(r"<option\b([^>]*)>", match.group(2))
        chosen = [o for o in options if re.search(r"\bselected\b", o)] or options[:1]
        if name and chosen:
            value = re.search(r'value="([^"]*)"', chosen[0])
            values[name.group(1)] = unescape(value.group(1)) if value else ""
    return values


def edit_form(client, article_id: int) -> dict[str, str]:
    response = client.get(f"/editor/articles/{article_id}/edit")
    assert response.status_code == 200, response.status_code
    return form_values(response.get_data(as_text=True))


def action(client, url: str, page_url: str = "/editor/"):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})
