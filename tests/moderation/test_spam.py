"""Spam rules for new posts: suspension, new-account links and rate, duplicates, the honeypot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.forum.spam import (
    PostRejected,
    body_digest,
    check_new_post,
    count_links,
    honeypot_tripped,
    is_new_account,
)
from tests.conftest import make_app, make_user
from tests.moderation.conftest import age, make_category, make_post, make_topic


def rejection(author, body, title=None) -> str | None:
    try:
        check_new_post(author, body, title=title)
    except PostRejected as error:
        assert str(error.message)  # a readable, localized message
        return error.code
    return None


# --- Link counting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("no links at all", 0),
        ("[docs](https://example.com/docs)", 1),
        ("<https://example.com>", 1),
        ("see https://example.com/a?b=c and http://example.org", 2),
        ("www.example.com is good", 1),
        ('<a href="https://example.com">raw</a>', 1),
        ('<p>block</p>\n\n<div><a href="http://a.example">a</a></div>', 1),
        ("[ref][1]\n\n[1]: https://example.com/ref", 1),
        ("[https://shown.example](https://real.example)", 1),  # one link, not two
        ("<someone@example.com>", 1),
        ("`https://example.com` in code", 0),
        ("```\nhttps://a.example\nhttps://b.example\n```", 0),
        ("![picture](https://example.com/x.png)", 0),  # an image is not a link
        ('<a name="anchor">no href</a>', 0),
        ("example.com without a scheme", 0),
        ("", 0),
    ],
)
def test_count_links(app, body, links):
    assert count_links(body) == links


# --- Digest ----------------------------------------------------------------------------


def test_body_digest_normalizes_case_width_spaces_and_invisible_characters():
    digest = body_digest("Buy cheap   pens\nnow")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert body_digest("BUY CHEAP PENS NOW") == digest
    assert body_digest("  buy\tcheap pens now  ") == digest
    assert body_digest("ＢＵＹ ｃｈｅａｐ pens now") == digest  # NFKC folds full-width letters
    assert body_digest("buy che\u200bap pens now") == digest  # zero-width space dropped
    assert body_digest("Straße") == body_digest("STRASSE")  # case-folded, not lower-cased
    assert body_digest("buy cheap pens later") != digest


# --- Rules -----------------------------------------------------------------------------


def test_suspended_author_is_rejected_even_when_staff(app):
    for role in ("customer", "moderator"):
        user = make_user(f"{role}@example.com", role=role)
        age(user, 1000)
        user.is_suspended = True
        db.session.commit()
        assert rejection(user, "Hello") == "suspended"


def test_new_account_boundary_is_the_configured_hours(app):
    user = make_user()
    age(user, 23.99)
    assert is_new_account(user)
    age(user, 24.01)
    assert not is_new_account(user)


@pytest.mark.parametrize("role", ["moderator", "cs_editor", "product", "admin"])
def test_staff_accounts_are_never_new(app, role):
    assert not is_new_account(make_user(role=role))


def test_new_account_may_post_two_links_but_not_three(app):
    user = make_user()
    assert rejection(user, "[a](https://a.example) and https://b.example") is None
    assert rejection(user, "https://a.example https://b.example https://c.example") == (
        "too_many_links"
    )


def test_links_in_a_new_topic_title_count_too(app):
    user = make_user()
    assert rejection(user, "https://a.example", title="see www.b.example") is None
    assert rejection(user, "https://a.example https://b.example", title="www.c.example") == (
        "too_many_links"
    )


def test_old_and_staff_accounts_may_post_many_links(app):
    links = " ".join(f"https://{n}.example" for n in range(10))
    old = make_user()
    age(old, 25)
    assert rejection(old, links) is None
    assert rejection(make_user("mod@example.com", role="moderator"), links) is None


def test_link_limit_comes_from_config(tmp_path):
    app = make_app(tmp_path, SPAM_NEW_ACCOUNT_MAX_LINKS=0)
    with app.app_context():
        db.create_all()
        user = make_user()
        assert rejection(user, "no links") is None
        assert rejection(user, "one https://a.example") == "too_many_links"
        db.session.remove()


def _posts(author, count, ago=timedelta(minutes=5)):
    category = make_category(f"c{author.id}-{count}-{ago.seconds}")
    topic = make_topic(author, category, body=f"question {author.id} {ago}")
    for n in range(count - 1):
        make_post(topic, author, f"reply number {n} {ago}", ago=ago)
    return topic


def test_new_account_posts_per_hour_boundary(app):
    user = make_user()
    topic = _posts(user, 4)
    assert rejection(user, "my fifth post") is None
    make_post(topic, user, "the fifth")
    assert rejection(user, "my sixth post") == "too_many_posts"


def test_posts_older_than_an_hour_do_not_count(app):
    user = make_user()
    topic = _posts(user, 1)
    for n in range(6):
        make_post(topic, user, f"old post {n}", ago=timedelta(minutes=61))
    assert rejection(user, "a new post") is None


def test_old_and_staff_accounts_have_no_hourly_limit(app):
    old = make_user()
    age(old, 48)
    moderator = make_user("mod@example.com", role="moderator")
    for user in (old, moderator):
        _posts(user, 8)
        assert rejection(user, "another one") is None


def test_duplicate_body_within_the_window_is_rejected_anywhere(app):
    user = make_user()
    age(user, 48)  # duplicates are refused for every account, not only new ones
    topic = make_topic(user, make_category(), body="Call me on 555 0100 for cheap pens")
    assert topic is not None
    assert rejection(user, "call me on 555 0100\nfor CHEAP pens") == "duplicate"
    assert rejection(user, "Call me on 555 0100 for cheap pencils") is None


def test_duplicate_window_boundary(app):
    user = make_user()
    age(user, 48)
    topic = make_topic(user, make_category(), body="first body")
    make_post(topic, user, "said ten minutes ago", ago=timedelta(minutes=10, seconds=5))
    make_post(topic, user, "said nine minutes ago", ago=timedelta(minutes=9))
    assert rejection(user, "said ten minutes ago") is None
    assert rejection(user, "said nine minutes ago") == "duplicate"


def test_same_body_by_another_author_is_not_a_duplicate(app):
    one, two = make_user(), make_user("two@example.com", name="Two")
    make_topic(one, make_category(), body="Thanks, that worked!")
    assert rejection(two, "Thanks, that worked!") is None


def test_rules_on_both_databases(any_db_app):
    user = make_user()
    topic = make_topic(user, make_category(), body="hello there")
    for n in range(3):
        make_post(topic, user, f"post {n}")
    assert rejection(user, "hello   THERE") == "duplicate"
    assert rejection(user, "something new") is None
    make_post(topic, user, "the fifth post this hour")
    assert rejection(user, "something new") == "too_many_posts"
    age(user, 30)
    assert rejection(user, "something new") is None


# --- Honeypot --------------------------------------------------------------------------


def test_honeypot_on_a_wtforms_form(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class Form(FlaskForm):
        class Meta:
            csrf = False

        website = StringField()

    with app.test_request_context(method="POST", data={"website": "http://spam.example"}):
        assert honeypot_tripped(Form())
    with app.test_request_context(method="POST", data={"website": "  "}):
        assert not honeypot_tripped(Form())
    with app.test_request_context(method="POST", data={}):
        assert not honeypot_tripped(Form())


def test_honeypot_on_request_form_data(app):
    assert honeypot_tripped(MultiDict({"website": "x"}))
    assert honeypot_tripped({"website": "x"})
    assert not honeypot_tripped(MultiDict({"website": ""}))
    assert not honeypot_tripped(MultiDict({"title": "hi"}))


def test_honeypot_on_a_form_without_the_field_reads_the_request(app):
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        class Meta:
            csrf = False

    with app.test_request_context(method="POST", data={"website": "bot"}):
        assert honeypot_tripped(Form())
    with app.test_request_context(method="POST", data={"title": "human"}):
        assert not honeypot_tripped(Form())


def test_honeypot_partial_renders_a_hidden_labelled_field(app):
    from flask import render_template

    with app.test_request_context():
        html = render_template("moderation/_honeypot.html")
    assert 'name="website"' in html and 'tabindex="-1"' in html and "<label" in html
    assert 'aria-hidden="true"' in html and "style=" not in html
