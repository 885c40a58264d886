"""Anonymous readers' pages are cacheable (no cookie, public caching, ETag); views still count."""

from __future__ import annotations

import re

import pytest
from flask import request_started
from sqlalchemy import func, select

from app.events import Event
from app.extensions import db
from app.kb.models import Article
from tests.conftest import csrf_token_from, make_user, sign_in

PUBLIC_PAGES = [
    "/en/",
    "/ja/articles/reset-your-password",
    "/ar/articles/reset-your-password",
    "/en/categories/getting-started",
    "/en/community/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anonymous_pages_set_no_cookie_and_are_public(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    # Browsers revalidate (a publish shows on the next load); shared caches may keep it.
    assert response.headers["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert "Cookie" in response.headers["Vary"]
    assert response.headers["ETag"]
    again = demo_client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_article_page_has_no_token_and_a_last_modified(demo_client):
    response = demo_client.get("/en/articles/reset-your-password")
    html = response.get_data(as_text=True)
    assert 'name="csrf_token" value=""' in html  # filled by JS (or confirmed without it)
    assert response.last_modified is not None


def test_signed_in_pages_are_private(demo_app, demo_client, fast_hashing):
    make_user()
    db.session.commit()
    sign_in(demo_client)
    response = demo_client.get("/en/articles/reset-your-password")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert csrf_token_from(response.get_data(as_text=True))


def _views(slug):
    article = db.session.scalar(select(Article).filter_by(locale="en", slug=slug))
    events = db.session.scalar(
        select(func.count(Event.id)).where(
            Event.name == "article_view", Event.subject_id == article.id
        )
    )
    db.session.expire_all()
    return article.view_count, events


def test_a_view_counts_once_through_the_pages_beacon(demo_client):
    """Without JS a browser loads the <noscript> image; with JS the script asks the same URL."""
    before = _views("reset-your-password")
    html = demo_client.get("/en/articles/reset-your-password").get_data(as_text=True)
    assert _views("reset-your-password") == before  # rendering (or a cache hit) counts nothing
    beacon = re.search(r'<noscript><img class="beacon" src="([^"]+)"', html).group(1)
    assert re.search(r'data-beacon="' + re.escape(beacon) + '"', html)
    response = demo_client.get(beacon.replace("&amp;", "&") + "&k=" + "a" * 32)
    assert response.status_code == 200 and response.mimetype == "image/gif"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    views, events = _views("reset-your-password")
    assert (views, events) == (before[0] + 1, before[1] + 1)
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert event.session_key == "a" * 32


def test_beacon_for_a_wrong_article_is_404(demo_client):
    assert demo_client.get("/en/articles/reset-your-password/seen?a=999999").status_code == 404
    assert demo_client.get("/en/articles/reset-your-password/seen").status_code == 404


def test_no_js_vote_is_confirmed_with_a_token(demo_client):
    """A vote from a cached page (no token, no session) gets a confirm form, then counts."""
    response = demo_client.post(
        "/en/articles/reset-your-password/feedback", data={"helpful": "yes", "csrf_token": ""}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'name="helpful" value="yes"' in html
    token = csrf_token_from(html)
    done = demo_client.post(
        "/en/articles/reset-your-password/feedback", data={"helpful": "yes", "csrf_token": token}
    )
    assert done.status_code == 303


def test_csrf_token_endpoint_starts_the_session(demo_client):
    response = demo_client.get("/api/v1/csrf-token")
    assert response.get_json()["token"]
    assert "Set-Cookie" in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def statements_of(client, path, naming: str = "") -> int:
    """SQL statements run while `client` reads `path` (only those naming `naming`, if given)."""
    import sqlalchemy as sa

    seen = []

    def count(*args):
        if naming in args[2]:
            seen.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_worker_renders_a_public_page_once_until_a_publish(demo_app, demo_client):
    path = "/en/articles/reset-your-password"
    assert statements_of(demo_client, path) > 1
    assert statements_of(demo_client, path) <= 1  # at most the content version is read
    article = db.session.scalar(select(Article).filter_by(locale="en", slug="reset-your-password"))
    article.title = "Reset your password (new)"
    db.session.commit()  # publishing bumps the content version: the cached page is dropped
    assert "Reset your password (new)" in demo_client.get(path).get_data(as_text=True)


def test_sitemaps_are_split_at_the_configured_size(demo_app, demo_client):
    demo_app.config["SITEMAP_MAX_URLS"] = 10
    published = db.session.scalar(
        select(func.count(Article.id)).where(Article.locale == "ja", Article.status == "published")
    )
    pages = -(-published // 10)
    index = demo_client.get("/sitemap.xml").get_data(as_text=True)
    assert index.count("<sitemap>") == 3 * pages
    urls = 0
    for page in range(1, pages + 1):
        xml = demo_client.get(f"/sitemaps/ja-{page}.xml").get_data(as_text=True)
        assert xml.count("<url>") <= 10
        urls += xml.count("<url>")
    assert urls == published
    assert demo_client.get(f"/sitemaps/ja-{pages + 1}.xml").status_code == 404


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_kept_page_is_answered_like_the_rendered_one(demo_client, path):
    """The second reader gets the kept page (before Flask routes it) with the same headers."""
    first = demo_client.get(path)
    second = demo_client.get(path)
    assert second.data == first.data and second.status_code == 200

    def headers(response):
        return {k: v for k, v in response.headers.items() if k not in ("Date", "X-Request-ID")}

    assert headers(second) == headers(first)
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert second.headers["Date"]
    # A reader with a session cookie, or a proxy's refusal, is still answered by the app.
    started = []
    with request_started.connected_to(lambda sender, **extra: started.append(1)):
        demo_client.get(path)
        assert started == []
        demo_client.set_cookie("session", "not-a-valid-session")
        demo_client.get(path)
        assert started == [1]
        demo_client.delete_cookie("session")
        assert demo_client.get(path, headers={"X-Proxy-Refusal": "431"}).status_code == 431


def test_a_kept_page_carries_the_trusted_proxys_request_id(demo_app, demo_client):
    demo_app.config["PROXY_HOPS"] = 1  # the id nginx gave the request is in its access log
    for _ in range(2):  # rendered, then kept
        response = demo_client.get("/en/", headers={"X-Request-ID": "nginx-req-abc12345"})
        assert response.headers["X-Request-ID"] == "nginx-req-abc12345"
    demo_app.config["PROXY_HOPS"] = 0  # without a trusted proxy a client cannot name it
    response = demo_client.get("/en/", headers={"X-Request-ID": "nginx-req-abc12345"})
    assert response.headers["X-Request-ID"] != "nginx-req-abc12345"


def test_a_page_kept_for_http_is_not_answered_over_https(demo_client):
    """A page names its own address (its canonical link): each scheme is kept apart."""
    path = "/en/articles/reset-your-password"
    for _ in range(2):  # rendered, then kept
        plain = demo_client.get(path, base_url="http://localhost").get_data(as_text=True)
        assert 'href="http://localhost/en/articles/reset-your-password"' in plain
    for _ in range(2):
        secure = demo_client.get(path, base_url="https://localhost").get_data(as_text=True)
        assert 'href="https://localhost/en/articles/reset-your-password"' in secure
        assert "http://localhost/" not in secure
