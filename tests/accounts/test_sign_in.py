"""Sign-in, sign-out and remember-me; failures never say whether an email exists."""

from __future__ import annotations

from app.extensions import db
from tests.accounts.conftest import post_form
from tests.conftest import csrf_token_from, make_user, sign_in

PASSWORD = "correct horse battery"
FAILURE = "That email and password do not match an account."


def test_sign_in_and_out(app, client):
    make_user()
    assert client.get("/account/profile").status_code == 302
    response = sign_in(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/"
    assert client.get("/account/profile").status_code == 200
    assert "Ada" in client.get("/en/").get_data(as_text=True)
    token_page = client.get("/account/profile").get_data(as_text=True)
    response = client.post("/account/sign-out", data={"csrf_token": csrf_token_from(token_page)})
    assert response.status_code == 303
    assert client.get("/account/profile").status_code == 302


def test_failure_message_is_the_same_for_unknown_email_and_wrong_password(app, client):
    make_user()
    wrong_password = sign_in(client, password="not the password at all")
    unknown_email = sign_in(client, email="nobody@example.com")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 400
        assert FAILURE in response.get_data(as_text=True)

    def main_part(response):
        html = response.get_data(as_text=True).split("<main", 1)[1]
        html = html.replace(csrf_token_from(html), "TOKEN")
        return html.replace("nobody@example.com", "ada@example.com")

    assert main_part(wrong_password) == main_part(unknown_email)


def test_email_is_matched_without_case_or_spaces(app, client):
    make_user()
    assert sign_in(client, email="  ADA@example.com ").status_code == 303


def test_suspended_user_cannot_sign_in(app, client):
    user = make_user()
    user.is_suspended = True
    db.session.commit()
    response = sign_in(client)
    assert response.status_code == 400
    assert FAILURE in response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302


def test_suspension_ends_an_existing_session(app, client):
    user = make_user()
    sign_in(client)
    assert client.get("/account/profile").status_code == 200
    user.is_suspended = True
    db.session.commit()
    assert client.get("/account/profile").status_code == 302


def test_remember_me_sets_a_lasting_cookie_that_signs_in_a_new_browser(app, client):
    make_user()
    response = post_form(
        client,
        "/account/sign-in",
        {"email": "ada@example.com", "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 303
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    assert cookie.http_only

    other = app.test_client()
    assert other.get("/account/profile").status_code == 302
    other.set_cookie("remember_token", cookie.value)
    assert other.get("/account/profile").status_code == 200


def test_without_remember_me_no_lasting_cookie(app, client):
    make_user()
    sign_in(client)
    assert client.get_cookie("remember_token") is None


def test_signs_in_to_the_users_language(app, client):
    user = make_user()
    user.locale = "ar"
    db.session.commit()
    assert sign_in(client).headers["Location"] == "/ar/"


def test_next_wins_over_language_and_must_be_local(app, client):
    user = make_user()
    user.locale = "ja"
    db.session.commit()
    for target, expected in [
        ("/en/articles/refund-policy", "/en/articles/refund-policy"),
        ("https://evil.example.com/", "/ja/"),
        ("//evil.example.com/", "/ja/"),
        ("/\\evil.example.com", "/ja/"),
    ]:
        response = post_form(
            client,
            "/account/sign-in",
            {"email": "ada@example.com", "password": PASSWORD, "next": target},
        )
        assert response.headers["Location"] == expected


def test_profile_requires_sign_in_and_comes_back(app, client):
    make_user()
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert "/account/sign-in?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/account/profile"' in page
    assert "Sign in to see that page." in page
