"""Account pages speak the language of the page the visitor came from (issue 18, item 1).

The order: the `next` URL's locale, then the profile's language, then Accept-Language.
"""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

from app.extensions import db
from tests.conftest import csrf_token_from, make_user, sign_in

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


def html_root(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


def heading(app, locale: str, text: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return f"<h1>{gettext(text)}</h1>"


def test_sign_in_from_an_arabic_page_is_arabic_and_right_to_left(app, client):
    asked = client.get("/ar/community/ask", headers=ENGLISH_BROWSER)
    assert asked.status_code in (302, 303)
    assert "/account/sign-in?next=/ar/community/ask" in asked.location.replace("%2F", "/")
    page = client.get(asked.location, headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert html_root(page) == ("ar", "rtl")
    assert heading(app, "ar", "Sign in") in page
    # The flash the ask page left is Arabic too, and so is the link to sign up.
    with app.test_request_context(), force_locale("ar"):
        assert gettext("Sign in to ask the community a question.") in page
    assert 'href="/account/sign-up?next=/ar/community/ask"' in page.replace("%2F", "/")


def test_a_failed_sign_in_stays_in_the_next_pages_language(app, client):
    make_user()
    form = client.get("/account/sign-in?next=/ja/community/", headers=ENGLISH_BROWSER)
    token = csrf_token_from(form.get_data(as_text=True))
    failed = client.post(
        "/account/sign-in",
        data={
            "email": "ada@example.com",
            "password": "wrong",
            "next": "/ja/community/",
            "csrf_token": token,
        },
        headers=ENGLISH_BROWSER,
    )
    assert failed.status_code == 400
    assert html_root(failed.get_data(as_text=True)) == ("ja", "ltr")


def test_sign_up_from_a_japanese_page_is_japanese(app, client):
    page = client.get("/account/sign-up?next=/ja/", headers=ENGLISH_BROWSER)
    assert html_root(page.get_data(as_text=True)) == ("ja", "ltr")


def test_without_next_the_profile_then_the_browser_decide(app, client):
    user = make_user()
    user.locale = "ja"
    db.session.commit()
    assert html_root(client.get("/account/sign-in", headers={"Accept-Language": "ar"}).text) == (
        "ar",
        "rtl",
    )
    assert sign_in(client).status_code == 303
    profile = client.get("/account/profile", headers={"Accept-Language": "ar"}).text
    assert html_root(profile) == ("ja", "ltr")
    from_arabic = client.get("/account/profile?next=/ar/", headers={"Accept-Language": "en"})
    assert html_root(from_arabic.text) == ("ar", "rtl")


def test_a_next_url_off_the_site_or_in_no_locale_changes_nothing(app, client):
    for target in ("//evil.example/ar/", "https://evil.example/ar/", "/xx/", "ar/"):
        page = client.get(f"/account/sign-in?next={target}", headers=ENGLISH_BROWSER).text
        assert html_root(page) == ("en", "ltr"), target
