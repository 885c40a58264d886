"""Every text field takes the Big List of Naughty Strings without a 500 or a reflected script.

Query boxes (search, suggest, the explorer) are in tests/test_hostile_queries.py."""

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.kb.models import ArticleFeedback
from tests.conftest import csrf_token_from, reader_token


def assert_handled(response):
    assert response.status_code < 500, response.status_code
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    assert "<script>alert(" not in html


def test_feedback_comment(demo_app, demo_client, naughty_strings):
    slug = "/en/articles/refund-policy"
    token = reader_token(demo_client)
    for text in naughty_strings:
        demo_client.post(f"{slug}/feedback", data={"helpful": "no", "csrf_token": token})
        response = demo_client.post(
            f"{slug}/feedback/details",
            data={"reason": "unclear", "comment": text, "csrf_token": token},
        )
        assert_handled(response)
    comments = [f.comment for f in db.session.scalars(select(ArticleFeedback))]
    stored = {c for c in comments if c}
    expected = {t.strip() for t in naughty_strings if t.strip()}
    assert stored == expected  # every comment kept exactly, none lost or mangled


def test_sign_up_and_sign_in_fields(app, client, naughty_strings, fast_hashing):
    for number, text in enumerate(naughty_strings):
        token = csrf_token_from(client.get("/account/sign-up").get_data(as_text=True))
        for data in (
            {"email": text, "display_name": "Ada", "password": "a sturdy passphrase"},
            {
                "email": f"user{number}@example.com",
                "display_name": text,
                "password": "a sturdy passphrase",
            },
            {"email": f"pw{number}@example.com", "display_name": "Ada", "password": text},
        ):
            assert_handled(client.post("/account/sign-up", data={**data, "csrf_token": token}))
            client.post("/account/sign-out", data={"csrf_token": token})
        response = client.post(
            "/account/sign-in", data={"email": text, "password": text, "csrf_token": token}
        )
        assert_handled(response)
    names = db.session.scalars(select(User.display_name)).all()
    assert all(name and not any(ch in name for ch in "\u202e\u200f\u0000") for name in names)
