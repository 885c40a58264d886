"""Profile settings and password change (which signs out every other session)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.accounts.conftest import outbox, post_form, token_for
from tests.conftest import NAUGHTY_SAMPLE, make_user, naughty_chunks, sign_in

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def ada(app, client):
    user = make_user()
    sign_in(client)
    return user


def save_profile(client, csrf=None, **changes):
    data = {"display_name": "Ada L.", "locale": "en", "email_notifications": "y", **changes}
    if data["email_notifications"] is None:
        del data["email_notifications"]
    return post_form(client, "/account/profile", data, csrf)


def test_profile_shows_current_settings(ada, client):
    html = client.get("/account/profile").get_data(as_text=True)
    assert "ada@example.com" in html
    assert 'value="Ada"' in html
    assert '<input checked id="email_notifications" name="email_notifications"' in html
    assert '<option lang="ja" value="ja">日本語</option>' in html
    assert 'href="/account/profile"' in html  # the header links to it


def test_profile_update(ada, client):
    response = save_profile(
        client, display_name="  Ada \u202eLovelace\u2069 ", locale="ja", email_notifications=None
    )
    assert response.status_code == 303
    db.session.refresh(ada)
    assert (ada.display_name, ada.locale, ada.email_notifications) == ("Ada Lovelace", "ja", False)
    page = client.get("/account/profile")
    html = page.get_data(as_text=True)
    assert '<html lang="ja"' in html  # the chosen language applies at once
    assert '<option lang="ja" selected value="ja">' in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"display_name": ""}, "This field is required."),
        ({"display_name": "\u200f\u202e"}, "Enter a display name."),
        ({"display_name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"locale": "xx"}, "Not a valid choice."),
    ],
)
def test_profile_refusals_keep_the_old_values(ada, client, changes, message):
    response = save_profile(client, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(ada)
    assert (ada.display_name, ada.locale) == ("Ada", None)


@pytest.mark.slow
@pytest.mark.parametrize("naughty_strings", naughty_chunks(NAUGHTY_SAMPLE))
def test_naughty_profile_names_never_500(ada, client, naughty_strings):
    csrf = token_for(client, "/account/profile")
    for text in naughty_strings:
        response = save_profile(client, csrf, display_name=text)
        assert response.status_code in (303, 400)
        db.session.refresh(ada)
        assert not any(ch in ada.display_name for ch in "\u202e\u200f\x00")


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, csrf=None):
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return post_form(client, "/account/password", data, csrf)


def test_password_change_keeps_this_session_and_ends_the_others(app, ada, client):
    other_device = app.test_client()
    sign_in(other_device)
    assert other_device.get("/account/profile").status_code == 200

    response = change_password(client)
    assert response.status_code == 303
    assert client.get("/account/profile").status_code == 200
    assert other_device.get("/account/profile").status_code == 302
    db.session.refresh(ada)
    assert ada.check_password(NEW_PASSWORD) and not ada.check_password(PASSWORD)
    assert [mail["subject"] for mail in outbox(app)] == [
        "Your Planwise Help Center password was changed"
    ]


def test_password_change_renews_remember_me(app):
    make_user()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        post_form(
            device,
            "/account/sign-in",
            {"email": "ada@example.com", "password": PASSWORD, "remember": "y"},
        )
    old_cookie = laptop.get_cookie("remember_token").value
    assert change_password(phone).status_code == 303
    new_cookie = phone.get_cookie("remember_token").value
    assert new_cookie != old_cookie

    stolen = app.test_client()
    stolen.set_cookie("remember_token", old_cookie)
    assert stolen.get("/account/profile").status_code == 302
    renewed = app.test_client()
    renewed.set_cookie("remember_token", new_cookie)
    assert renewed.get("/account/profile").status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"current": "not my password"}, "That is not your current password."),
        ({"new": "short"}, "Use at least 10 characters."),
        ({"new": "password123"}, "That password is too common."),
        ({"confirm": "something else entirely"}, "The passwords differ."),
        ({"current": ""}, "This field is required."),
    ],
)
def test_password_change_refusals(ada, client, kwargs, message):
    response = change_password(client, **kwargs)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(ada)
    assert ada.check_password(PASSWORD)


@pytest.mark.slow
@pytest.mark.parametrize("naughty_strings", naughty_chunks(NAUGHTY_SAMPLE))
def test_naughty_password_change_fields_never_500(ada, client, naughty_strings):
    csrf = token_for(client, "/account/password")
    for text in naughty_strings:
        response = change_password(client, current=text, new=text, csrf=csrf)
        assert response.status_code == 400
