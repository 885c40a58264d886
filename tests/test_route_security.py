"""Walk the whole URL map: every state-changing route needs a CSRF token, every staff route a role.

New routes are covered automatically: the walk reads `app.url_map`, so a view added
without CSRF protection or without a role check fails here.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from app.accounts.models import Role
from app.extensions import db
from tests.conftest import csrf_token_from, make_user, sign_in

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORD = "correct horse battery"

# Blueprints whose every route is for staff; a customer must get 403 on each of them.
STAFF_BLUEPRINTS = {
    "moderation",
    "editor",
    "insights",
    "insights_milestones",
    "insights_needs",
    "admin",
}
# ... except these, which any signed-in customer may use.
OPEN_TO_CUSTOMERS = {"moderation.flag_post"}
# Routes exempt from CSRF because they authenticate differently; each must say why.
CSRF_EXEMPT: dict[str, str] = {}
# Sample values for URL arguments; ids point at rows `seeded_app` creates.
SAMPLE_VALUES = {"locale": "en", "slug": "reset-your-password", "token": "x" * 32}


def _url_for_rule(rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        if name in SAMPLE_VALUES:
            values[name] = SAMPLE_VALUES[name]
        elif rule._converters[name].__class__.__name__ == "IntegerConverter":
            values[name] = 1
        else:
            values[name] = "sample"
    url = rule.build(values, append_unknown=False)
    assert url is not None, rule.rule
    return url[1]


def _rules(app, methods: set[str]) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static" and r.methods & methods),
        key=lambda r: r.rule,
    )


@pytest.fixture
def seeded_app(demo_app):
    """Demo content plus one user of each role, a forum topic with a reply and a flag."""
    from app.forum.models import Flag, ForumCategory, Post, Topic

    users = {
        role: make_user(email=f"{role.value}@example.com", role=role.value, name=role.value)
        for role in Role
    }
    category = ForumCategory(slug="questions", kind="questions", names={"en": "Questions"})
    db.session.add(category)
    db.session.flush()
    topic = Topic(locale="en", category=category, author=users[Role.CUSTOMER], title="Hello")
    db.session.add(topic)
    db.session.flush()
    for body in ("How do I export?", "Use Settings → Export."):
        db.session.add(
            Post(
                topic=topic,
                author=users[Role.CUSTOMER],
                is_first=body.startswith("How"),
                body_markdown=body,
                body_html=f"<p>{body}</p>",
                body_digest=body,
            )
        )
    db.session.flush()
    db.session.add(Flag(post_id=1, reporter_id=users[Role.MODERATOR].id, reason="spam"))
    db.session.commit()
    return demo_app


def test_every_state_changing_route_refuses_a_missing_csrf_token(seeded_app):
    client = seeded_app.test_client()
    sign_in(client, "admin@example.com", PASSWORD)
    checked = []
    for rule in _rules(seeded_app, STATE_CHANGING):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods & STATE_CHANGING):
            response = client.open(url, method=method, data={"anything": "1"})
            body = response.get_data(as_text=True)
            # The API refuses a missing token as a missing credential (403, error.code
            # "csrf_failed"); pages answer 400 with the form again.
            expected = 403 if url.startswith("/api/") else 400
            assert response.status_code == expected, f"{method} {url} → {response.status_code}"
            assert "form expired" in body or "CSRF" in body, f"{method} {url}: {body[:300]}"
            checked.append(rule.endpoint)
    assert "accounts.sign_in" in checked and "accounts.sign_out" in checked


def test_csrf_exempt_routes_refuse_requests_without_credentials(seeded_app):
    client = seeded_app.test_client()
    for rule in _rules(seeded_app, STATE_CHANGING):
        if rule.endpoint not in CSRF_EXEMPT:
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            response = client.open(_url_for_rule(rule), method=method, json={})
            assert response.status_code in (401, 403), f"{method} {rule.rule}"


def _staff_rules(app) -> list[Rule]:
    return [
        r
        for r in _rules(app, {"GET", "POST"})
        if r.endpoint.split(".", 1)[0] in STAFF_BLUEPRINTS and r.endpoint not in OPEN_TO_CUSTOMERS
    ]


def test_every_staff_route_refuses_a_customer(seeded_app):
    client = seeded_app.test_client()
    sign_in(client, "customer@example.com", PASSWORD)
    token = csrf_token_from(client.get("/en/").get_data(as_text=True))
    rules = _staff_rules(seeded_app)
    assert any(r.endpoint.startswith("moderation.") for r in rules)
    for rule in rules:
        url = _url_for_rule(rule)
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 403, f"GET {url} → {response.status_code}"
        if "POST" in rule.methods:
            response = client.post(url, data={"csrf_token": token, "reason": "x"})
            assert response.status_code == 403, f"POST {url} → {response.status_code}"


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(seeded_app):
    client = seeded_app.test_client()
    for rule in _staff_rules(seeded_app):
        if "GET" not in rule.methods:
            continue
        response = client.get(_url_for_rule(rule))
        assert response.status_code in (302, 303, 401, 403), rule.rule
        if response.status_code in (302, 303):
            assert "/account/sign-in" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.ADMIN])
def test_no_page_gives_a_server_error(seeded_app, role):
    """GET every page with sample arguments, as a customer and as an admin: never a 500."""
    client = seeded_app.test_client()
    sign_in(client, f"{role.value}@example.com", PASSWORD)
    for rule in _rules(seeded_app, {"GET"}):
        url = _url_for_rule(rule)
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} → {response.status_code}"
