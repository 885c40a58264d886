"""No redirect whose target comes from the request leaves the site, and none answers 5xx.

The redirecting endpoints are found by walking `app.url_map`: every GET and POST route is
asked once with `next=` and `to=` pointing at a harmless marker path, and every route that
sends the browser to the marker takes its target from the request. Each redirect trick
is then replayed against every one of them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
from argon2 import PasswordHasher

from app.accounts import models as account_models
from app.accounts.models import Role, User
from app.extensions import db
from app.request_numbers import whole_number
from app.security import safe_next_url
from tests.conftest import csrf_token_from, make_app, make_user
from tests.test_route_security import _rules, _url_for_rule

PASSWORD = "correct horse battery"
MARKER = "/en/?probe=redirect-target"
# Ways to write "another site" that a naive `startswith("/")` check lets through, or that
# browsers normalize into one (tabs and newlines dropped, backslash read as a slash, ...).
REDIRECT_TRICKS = [
    "/\t/example.com",
    "/\n/example.com",
    "/\r\n/example.com",
    "/\\example.com",
    "\\\\example.com",
    "//example.com",
    "///example.com",
    "/%2F/example.com",
    "/%252F/example.com",
    "/%09/example.com",
    "/%0A/example.com",
    "/%0D%0A/example.com",
    "/%5Cexample.com",
    "/%5C%5Cexample.com",
    "\u3000//example.com",
    " //example.com",
    "\x00//example.com",
    "\x0b//example.com",
    "//example.com/%2F..",
    "/.//example.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://example.com",
    "http:example.com",
    "http:/example.com",
    "https:\\\\example.com",
    "//example.com@localhost",
    "/" + "a" * 5000,  # longer than any page of ours
]
SITE_PATHS = [
    "/",
    "/en/articles/reset-your-password",
    "/ja/search?q=%E6%A4%9C%E7%B4%A2&page=2",
    "/ar/community/ask?title=x#draft",
    "/en/search?q=http://example.com",
]
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def browser_reading(location: str):
    """How a browser parses a Location: controls and spaces stripped at the ends, tabs and
    newlines dropped anywhere, backslashes read as slashes."""
    text = re.sub(r"[\t\n\r]", "", location.strip(C0_AND_SPACE)).replace("\\", "/")
    return urlsplit(text)


def assert_same_site(location: str) -> None:
    for parts in (urlsplit(location), browser_reading(location)):
        assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    path = browser_reading(location).path
    assert path.startswith("/") and not unquote(unquote(path)).startswith("//"), location


@pytest.mark.parametrize("target", REDIRECT_TRICKS)
def test_safe_next_url_refuses_other_sites(target):
    assert safe_next_url(target, "/fallback") == "/fallback"
    assert safe_next_url(target, None) is None


@pytest.mark.parametrize("target", SITE_PATHS)
def test_safe_next_url_keeps_paths_on_this_site(target):
    assert safe_next_url(target, "/fallback") == target


@pytest.fixture(scope="module")
def site(demo_db_file, tmp_path_factory):
    """The demo site with one user per role, a topic with a reply and a flag; hashing cheap."""
    from app.forum.models import Flag, ForumCategory, Post, Topic

    folder = tmp_path_factory.mktemp("redirects")
    copy = folder / "demo.sqlite3"
    copy.write_bytes(demo_db_file.read_bytes())
    app = make_app(folder, f"sqlite:///{copy}")
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        patch.setattr(account_models, "_hasher", cheap)
        users = {role: make_user(f"{role.value}@example.com", role=role.value) for role in Role}
        category = ForumCategory(slug="questions", kind="questions", names={"en": "Questions"})
        topic = Topic(locale="en", category=category, author=users[Role.CUSTOMER], title="Hi")
        db.session.add(topic)
        for first, body in ((True, "How do I export?"), (False, "Settings → Export.")):
            db.session.add(
                Post(
                    topic=topic,
                    author=users[Role.CUSTOMER],
                    is_first=first,
                    body_markdown=body,
                    body_html=f"<p>{body}</p>",
                    body_digest=body,
                )
            )
        db.session.flush()
        db.session.add(Flag(post_id=1, reporter_id=users[Role.MODERATOR].id, reason="spam"))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def sign_in_as(app, role: Role | None):
    """A new client signed in as the user of `role` (anonymous for None), and its token."""
    client = app.test_client()
    page = client.get("/account/sign-in").get_data(as_text=True)
    token = csrf_token_from(page)
    if role is not None:
        client.post(
            "/account/sign-in",
            data={"email": f"{role.value}@example.com", "password": PASSWORD, "csrf_token": token},
        )
        token = csrf_token_from(client.get("/account/profile").get_data(as_text=True))
    return client, token


def session_state(role: Role | None):
    """What decides whether the server still takes a session of `role`'s user
    (app/accounts/session.py): the password fingerprint and suspension."""
    if role is None:
        return None
    user = db.session.scalars(db.select(User).filter_by(email=f"{role.value}@example.com")).one()
    return user.password_fingerprint(), user.is_suspended


_SESSIONS: dict = {}  # (app, role) -> (cookies, token, session_state when signed in)


def client_as(app, role: Role | None):
    """A fresh client with the cookies of a session of `role`'s user and its token.

    Each probe starts from a cookie jar as it was right after signing in (a probe may sign
    out or change its session), without the three requests of signing in again: the
    session is signed in anew only when a probe changed what the server checks of it.
    """
    key = (id(app), role)
    with app.app_context():
        state = session_state(role)
    if key not in _SESSIONS or _SESSIONS[key][2] != state:
        signed_in, token = sign_in_as(app, role)
        _SESSIONS[key] = (list(signed_in._cookies.values()), token, state)
    cookies, token, _state = _SESSIONS[key]
    client = app.test_client()
    for cookie in cookies:
        client.set_cookie(
            cookie.key,
            cookie.value,
            domain=cookie.domain,
            path=cookie.path,
            secure=cookie.secure,
            httponly=cookie.http_only,
            samesite=cookie.same_site,
        )
    return client, token


def ask(app, method: str, url: str, role: Role | None, target: str):
    """One request carrying `target` as `next` and `to`, with what the forms need besides."""
    client, token = client_as(app, role)
    params = {"next": target, "to": target, "type": "article", "id": "1", "e": "1", "p": "1"}
    if method == "GET":
        return client.get(url, query_string=params)
    form = {
        **params,
        "csrf_token": token,
        "reason": "spam",  # a flag's reason and a moderator's written reason
        "email": f"{Role.ADMIN.value}@example.com",
        "password": PASSWORD,
    }
    return client.post(url, query_string={"next": target}, data=form)


@pytest.fixture(scope="module")
def redirecting_endpoints(site) -> dict[str, tuple[str, str, Role | None]]:
    """endpoint → (method, url, who) for every route that redirects to a target it was given."""
    found = {}
    for method in ("GET", "POST"):
        for rule in _rules(site, {method}):
            url = _url_for_rule(rule)
            for role in (None, Role.ADMIN):
                response = ask(site, method, url, role, MARKER)
                assert response.status_code < 500, f"{method} {url} → {response.status_code}"
                if response.headers.get("Location", "").endswith(MARKER):
                    found[rule.endpoint] = (method, url, role)
                    break
    return found


def test_the_walk_finds_the_redirects_that_take_a_target(redirecting_endpoints):
    """Sign-in `next`, the search click `to`, a suggestion's `to` and the moderators' `next`."""
    endpoints = set(redirecting_endpoints)
    assert {"accounts.sign_in", "site_search.click", "ask.open_suggestion"} <= endpoints
    assert {e for e in endpoints if e.startswith("moderation.")} >= {
        "moderation.flag_post",
        "moderation.lock_topic",
        "moderation.hide_post",
    }


@pytest.mark.parametrize("target", REDIRECT_TRICKS)
def test_every_redirect_stays_on_the_site(site, redirecting_endpoints, target):
    for endpoint, (method, url, role) in sorted(redirecting_endpoints.items()):
        response = ask(site, method, url, role, target)
        assert response.status_code < 500, f"{endpoint} → {response.status_code}"
        location = response.headers.get("Location")
        if location is not None:
            assert_same_site(location)
            assert location != target, endpoint


# Numbers a naive `str.isdigit()` accepts but `int()` refuses or a 32-bit column cannot hold.
NUMBER_TRICKS = ["⁰⁴⁵", "١٢", "９", "²", "-1", "1e9", "0x10", " 1", "9" * 30, "4294967296"]


@pytest.mark.parametrize("number", NUMBER_TRICKS)
def test_no_page_fails_on_an_odd_number(site, number):
    """Every GET route, as a visitor and as an admin, with odd page/id/position arguments."""
    params = {name: number for name in ("page", "e", "p", "id", "article", "limit", "offset")}
    for role in (None, Role.ADMIN):
        client, _token = client_as(site, role)
        for rule in _rules(site, {"GET"}):
            url = _url_for_rule(rule)
            response = client.get(url, query_string={**params, "q": "export", "type": "topic"})
            assert response.status_code < 500, f"GET {url} ({number!r}) → {response.status_code}"


@pytest.mark.parametrize(("text", "expected"), [("7", 7), ("0042", 42), ("999999999", 999999999)])
def test_whole_number_reads_ascii_digits(text, expected):
    assert whole_number(text) == expected


@pytest.mark.parametrize("text", [*NUMBER_TRICKS, "", None, "1" * 10])
def test_whole_number_refuses_everything_else(text):
    assert whole_number(text) is None
