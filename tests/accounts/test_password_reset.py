"""Password reset by mailed link: one use, expiring, hashed at rest, same answer for everyone."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import password_reset
from app.accounts.models import PasswordResetToken
from app.clock import utcnow
from app.extensions import db
from tests.accounts.conftest import outbox, post_form, reset_token_from, token_for
from tests.conftest import NAUGHTY_SAMPLE, make_user, naughty_chunks

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
SENT = "If an account exists for that address, we sent it a link"


def ask_for_link(client, email="ada@example.com"):
    return post_form(client, "/account/password-reset", {"email": email})


def choose_password(client, token, new=NEW_PASSWORD, confirm=None):
    path = f"/account/password-reset/{token}"
    page = client.get(path)
    if page.status_code != 200:
        return page
    return post_form(client, path, {"new_password": new, "confirm": confirm or new})


def tokens() -> list[PasswordResetToken]:
    db.session.expire_all()
    return list(db.session.scalars(select(PasswordResetToken).order_by(PasswordResetToken.id)))


def test_reset_end_to_end(any_db_app):
    """On SQLite and PostgreSQL: ask, get the mail, set the password, be signed in."""
    user = make_user()
    client = any_db_app.test_client()
    response = ask_for_link(client)
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    (mail,) = outbox(any_db_app)
    assert mail["to"] == "ada@example.com"
    assert mail["subject"] == "Reset your Planwise Help Center password"
    assert "expires in 2 hours" in mail["text_body"]
    token = reset_token_from(mail)

    (stored,) = tokens()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash and stored.used_at is None
    assert stored.expires_at - stored.created_at == timedelta(hours=2)

    page = client.get(f"/account/password-reset/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    response = choose_password(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/"
    assert client.get("/account/profile").status_code == 200  # signed in

    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert tokens()[0].used_at is not None

    again = any_db_app.test_client().get(f"/account/password-reset/{token}")
    assert again.status_code == 400
    assert "already used" in again.get_data(as_text=True)
    assert "/account/password-reset" in again.get_data(as_text=True)


def test_same_answer_whether_or_not_the_account_exists(app, client):
    make_user()

    def main_part(response):
        return response.get_data(as_text=True).split("<main", 1)[1]

    known = ask_for_link(client, "ada@example.com")
    unknown = ask_for_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert main_part(known) == main_part(unknown)
    assert [mail["to"] for mail in outbox(app)] == ["ada@example.com"]


def test_mail_in_the_users_language(app, client, monkeypatch):
    """The mail is composed in the account's language, whatever the page's language."""
    from flask_babel import get_locale

    languages = set()
    gettext = password_reset._

    def noting_language(*args, **kwargs):
        languages.add(str(get_locale()))
        return gettext(*args, **kwargs)

    monkeypatch.setattr(password_reset, "_", noting_language)
    user = make_user()
    user.locale = "ja"
    db.session.commit()
    post_form(
        client,
        "/account/password-reset",
        {"email": "ada@example.com"},
        headers={"Accept-Language": "ar"},
    )
    assert languages == {"ja"}
    reset_token_from(outbox(app)[0])


def test_suspended_accounts_get_no_link(app, client):
    user = make_user()
    user.is_suspended = True
    db.session.commit()
    assert SENT in ask_for_link(client).get_data(as_text=True)
    assert outbox(app) == []


def test_a_failing_mail_server_gives_the_same_page(app, client):
    make_user()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    response = ask_for_link(client)
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)


def test_unknown_and_mangled_tokens_are_a_friendly_404(app, client):
    make_user()
    for token in ("nope", "x" * 300, "%00", "\u202e\u0000", "a.b"):
        response = client.get(f"/account/password-reset/{token}")
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "Ask for a new link" in html
    assert client.get("/account/password-reset/..%2F..%2Fetc").status_code == 404
    response = post_form(
        client,
        "/account/password-reset",
        {"email": "ada@example.com"},
    )
    token = reset_token_from(outbox(app)[0])
    response = client.post(
        f"/account/password-reset/{token[:-1]}",
        data={
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token_for(client, "/account/password-reset"),
        },
    )
    assert response.status_code == 404


def test_expired_link(app, client):
    user = make_user()
    created = password_reset.create_reset_token(user.email, now=utcnow() - timedelta(hours=3))
    assert created is not None
    response = choose_password(client, created[1])
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_validity_is_configurable(app, client):
    app.config["PASSWORD_RESET_HOURS"] = 1
    user = make_user()
    created = password_reset.create_reset_token(user.email, now=utcnow() - timedelta(minutes=61))
    assert choose_password(client, created[1]).status_code == 400


def test_using_one_link_cancels_the_others(app, client):
    make_user()
    ask_for_link(client)
    ask_for_link(client)
    first, second = (reset_token_from(mail) for mail in outbox(app))
    assert choose_password(app.test_client(), second).status_code == 303
    assert choose_password(app.test_client(), first).status_code == 400
    assert all(token.used_at is not None for token in tokens())


def test_password_change_cancels_outstanding_links(app, client):
    make_user()
    ask_for_link(client)
    token = reset_token_from(outbox(app)[0])
    from tests.conftest import sign_in

    sign_in(client)
    post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert choose_password(app.test_client(), token).status_code == 400


def test_reset_signs_out_other_sessions(app):
    make_user()
    old_device = app.test_client()
    from tests.conftest import sign_in

    sign_in(old_device)
    assert old_device.get("/account/profile").status_code == 200
    client = app.test_client()
    ask_for_link(client)
    choose_password(client, reset_token_from(outbox(app)[0]))
    assert old_device.get("/account/profile").status_code == 302


def test_at_most_five_links_an_hour(app, client):
    make_user()
    for _ in range(7):
        assert SENT in ask_for_link(client).get_data(as_text=True)
    assert len(outbox(app)) == password_reset.MAX_LINKS_PER_HOUR


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short", None, "Use at least 10 characters."),
        ("password123", None, "That password is too common."),
        (NEW_PASSWORD, "something else entirely", "The passwords differ."),
    ],
)
def test_refused_new_password_keeps_the_link_usable(app, client, new, confirm, message):
    make_user()
    ask_for_link(client)
    token = reset_token_from(outbox(app)[0])
    response = choose_password(client, token, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert choose_password(client, token).status_code == 303


def test_request_form_refusals(app, client):
    for email, message in [("", "This field is required."), ("nope", "valid email")]:
        response = ask_for_link(client, email)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.parametrize("naughty_strings", naughty_chunks(NAUGHTY_SAMPLE))
def test_naughty_reset_fields_never_500(app, client, naughty_strings, monkeypatch):
    monkeypatch.setattr(password_reset, "MAX_LINKS_PER_HOUR", len(naughty_strings) + 1)
    make_user()
    csrf = token_for(client, "/account/password-reset")
    for text in naughty_strings:
        response = post_form(client, "/account/password-reset", {"email": text}, csrf)
        assert response.status_code in (200, 400)
        _, token = password_reset.create_reset_token("ada@example.com")
        response = post_form(
            client,
            f"/account/password-reset/{token}",
            {"new_password": text, "confirm": text},
            csrf,
        )
        assert response.status_code in (303, 400)


def test_racing_uses_of_one_link_let_exactly_one_win(postgres_app):
    """Two requests with the same link at the same moment: one sets the password.

    On PostgreSQL only: the in-memory SQLite test database has a single connection.
    """
    any_db_app = postgres_app
    user = make_user()
    token = password_reset.create_reset_token(user.email)[1]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def use(password: str) -> None:
        with any_db_app.app_context():
            barrier.wait()
            try:
                password_reset.complete_reset(token, password)
                results.append("ok")
            except password_reset.ResetLinkError as error:
                results.append(str(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=use, args=(p,)) for p in ("first passphrase!", "second passphrase!")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "used"]
