"""Sign-up: every refusal is a 400 with the text kept and a message, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from tests.accounts.conftest import post_form
from tests.conftest import make_user

GOOD = {"email": "grace@example.com", "display_name": "Grace", "password": "a sturdy passphrase"}


def sign_up(client, **changes):
    return post_form(client, "/account/sign-up", {**GOOD, **changes})


def users() -> list[User]:
    return list(db.session.scalars(select(User)))


def test_sign_up_creates_a_customer_and_signs_in(app, client):
    response = client.get("/account/sign-up", headers={"Accept-Language": "ja"})
    assert response.status_code == 200
    response = post_form(client, "/account/sign-up", GOOD, headers={"Accept-Language": "ja"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ja/"
    (user,) = users()
    assert (user.email, user.display_name, user.role, user.locale) == (
        "grace@example.com",
        "Grace",
        "customer",
        "ja",
    )
    assert user.password_hash.startswith("$argon2id$")
    assert "sturdy" not in user.password_hash
    assert client.get("/account/profile").status_code == 200


def test_email_is_normalized(app, client):
    assert sign_up(client, email="  Grace@Example.COM ").status_code == 303
    assert users()[0].email == "grace@example.com"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": ""}, "This field is required."),
        ({"display_name": ""}, "This field is required."),
        ({"password": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password": "short"}, "Use at least 10 characters."),
        ({"password": "password123"}, "That password is too common."),
        ({"password": "aaaaaaaaaaaa"}, "That password is too common."),
        ({"display_name": "\u202e\u200f\u2066"}, "Enter a display name."),
        ({"display_name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"email": "a" * 250 + "@example.com"}, "Field cannot be longer than 254 characters."),
        ({"password": "p" * 150 + "q" * 51}, "Field cannot be longer than 200 characters."),
    ],
)
def test_refused_sign_ups(app, client, changes, message):
    response = sign_up(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert users() == []
    if changes.get("display_name"):
        assert 'value="' in html  # the form is shown again with what was typed


def test_taken_email_in_any_case(app, client):
    make_user(email="grace@example.com")
    response = sign_up(client, email="GRACE@example.com")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert len(users()) == 1


def test_bidi_override_characters_are_stripped_from_names(app, client):
    assert sign_up(client, display_name="\u202eGr\u200face\u2066 \u0000 Hopper").status_code == 303
    assert users()[0].display_name == "Grace Hopper"


def test_keeps_text_after_a_refusal(app, client):
    response = sign_up(client, password="short", display_name="Grace <b>H</b>")
    html = response.get_data(as_text=True)
    assert 'value="grace@example.com"' in html
    assert "Grace &lt;b&gt;H&lt;/b&gt;" in html
    assert "short" not in html.split("<main", 1)[1].split('type="password"')[1][:80]


def test_hostile_next_is_ignored(app, client):
    page = client.get("/account/sign-up?next=//evil.example.com/")
    assert page.status_code == 200
    response = sign_up(client, next="//evil.example.com/")
    assert response.headers["Location"] == "/en/"


def test_names_that_grow_under_nfc_still_fit(any_db_app):
    """U+0958 becomes two code points under NFC: 80 of them must not overflow the column."""
    client = any_db_app.test_client()
    response = sign_up(client, display_name="\u0958" * 80)
    assert response.status_code == 303
    assert len(users()[0].display_name) <= 80


def test_nul_and_odd_emails_never_reach_the_database(any_db_app):
    client = any_db_app.test_client()
    for email in ("ada\x00@example.com", "\x00", "ada@exam\x00ple.com"):
        assert sign_up(client, email=email).status_code == 400
        response = post_form(
            client, "/account/sign-in", {"email": email, "password": "a sturdy passphrase"}
        )
        assert response.status_code == 400
    assert users() == []
