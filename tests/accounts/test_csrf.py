"""Every account POST refuses a missing or wrong CSRF token with a localized 400."""

from __future__ import annotations

import pytest

from app.accounts import password_reset
from tests.conftest import make_user, sign_in

EXPIRED = "Your form expired or was sent from another page."


@pytest.fixture
def signed_in(app):
    client = app.test_client()
    make_user()
    sign_in(client)
    return client


def test_csrf_protection_is_on_in_tests(app):
    assert app.config.get("WTF_CSRF_ENABLED", True)


@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_every_account_post_needs_the_token(app, signed_in, csrf):
    _, token = password_reset.create_reset_token("ada@example.com")
    posts = {
        "/account/sign-in": {"email": "ada@example.com", "password": "correct horse battery"},
        "/account/sign-up": {
            "email": "new@example.com",
            "display_name": "New",
            "password": "a sturdy passphrase",
        },
        "/account/sign-out": {},
        "/account/profile": {"display_name": "Changed", "locale": "ja"},
        "/account/password": {
            "current_password": "correct horse battery",
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
        "/account/password-reset": {"email": "ada@example.com"},
        f"/account/password-reset/{token}": {
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    }
    covered = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("accounts.") and "POST" in (rule.methods or ())
    }
    assert covered == {path.replace(token, "<token>") for path in posts}
    for path, data in posts.items():
        if csrf:
            data = {**data, "csrf_token": csrf}
        response = signed_in.post(path, data=data)
        assert response.status_code == 400, path
        assert EXPIRED in response.get_data(as_text=True), path
    # Nothing changed: still signed in with the old password, the link still works.
    assert signed_in.get("/account/profile").status_code == 200
    assert 'value="Ada"' in signed_in.get("/account/profile").get_data(as_text=True)
    password_reset.token_from_link(token)
