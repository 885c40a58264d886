"""Knowledge-base pages over the demo content: what a visitor sees and can do."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.kb.models import Article, ArticleFeedback, GuideProgress
from tests.conftest import make_user, reader_token, sign_in

LOCALES = ("en", "ja", "ar")


def test_root_negotiates_language(demo_client):
    assert demo_client.get("/", headers={"Accept-Language": "ja,en;q=0.5"}).location == "/ja/"
    assert demo_client.get("/", headers={"Accept-Language": "ar-EG"}).location == "/ar/"
    assert demo_client.get("/", headers={"Accept-Language": "de"}).location == "/en/"


@pytest.mark.parametrize("locale", LOCALES)
def test_home_lists_categories_popular_and_recent(demo_client, locale):
    html = demo_client.get(f"/{locale}/").get_data(as_text=True)
    assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' in html
    assert html.count('class="category-card"') >= 6
    assert 'role="search"' in html
    assert f'href="/{locale}/articles/' in html


def test_category_page_lists_its_articles(demo_client):
    html = demo_client.get("/ja/categories/billing").get_data(as_text=True)
    assert "請求とプラン" in html
    assert 'href="/ja/articles/download-invoices-and-receipts"' in html


def test_article_page_has_everything_a_reader_needs(demo_client):
    html = demo_client.get("/en/articles/reset-your-password").get_data(as_text=True)
    assert 'aria-label="Breadcrumb"' in html and 'href="/en/categories/account-and-sign-in"' in html
    assert 'class="toc"' in html
    assert "Last updated" in html and "<time datetime=" in html
    assert 'hreflang="ja"' in html and 'href="/ja/articles/reset-your-password"' in html
    assert 'class="related"' in html
    assert "Was this helpful?" in html
    assert '<link rel="canonical" href="http://localhost/en/articles/reset-your-password">' in html


def test_language_switcher_points_at_the_translation(demo_client):
    html = demo_client.get("/en/articles/reset-your-password").get_data(as_text=True)
    switch = html.split('class="lang-switch"')[1].split("</nav>")[0]
    assert 'href="/ar/articles/reset-your-password"' in switch


@pytest.mark.parametrize("path", ["/en/articles/no-such-article", "/xx/", "/en/categories/nope"])
def test_unknown_pages_are_friendly_404s(demo_client, path):
    response = demo_client.get(path, headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_404_is_localized(demo_client):
    html = demo_client.get("/ar/articles/no-such-article").get_data(as_text=True)
    assert 'dir="rtl"' in html


def test_article_missing_in_a_language_offers_the_others(demo_app, demo_client):
    article = db.session.scalar(select(Article).filter_by(locale="ja", slug="reset-your-password"))
    article.status = "draft"
    db.session.commit()
    response = demo_client.get("/ja/articles/reset-your-password")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'href="/en/articles/reset-your-password"' in html
    assert 'href="/ar/articles/reset-your-password"' in html


def test_article_etag_gives_304_and_changes_with_the_article(demo_app, demo_client):
    first = demo_client.get("/en/articles/reset-your-password")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = demo_client.get(
        "/en/articles/reset-your-password", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    article = db.session.scalar(select(Article).filter_by(locale="en", slug="reset-your-password"))
    article.updated_at = article.updated_at.replace(year=article.updated_at.year + 1)
    db.session.commit()
    changed = demo_client.get(
        "/en/articles/reset-your-password", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200


def feedback_count():
    return db.session.scalar(select(func.count(ArticleFeedback.id)))


def test_helpful_no_then_reason_and_comment(demo_app, demo_client):
    token = reader_token(demo_client)
    response = demo_client.post(
        "/en/articles/reset-your-password/feedback",
        data={"helpful": "no", "csrf_token": token},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "What went wrong?" in html
    response = demo_client.post(
        "/en/articles/reset-your-password/feedback/details",
        data={
            "reason": "outdated",
            "comment": "The menu is called Security now. Mail me at jo@example.com",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "your feedback was sent" in response.get_data(as_text=True)
    vote = db.session.scalar(select(ArticleFeedback))
    assert (vote.helpful, vote.reason, vote.comment) == (
        False,
        "outdated",
        "The menu is called Security now. Mail me at [email]",  # staff never see the address
    )


def test_feedback_without_csrf_is_refused_and_nothing_stored(demo_app, demo_client):
    response = demo_client.post(
        "/en/articles/reset-your-password/feedback", data={"helpful": "yes"}
    )
    assert response.status_code == 400
    assert "Please confirm that you want to send this." in response.get_data(as_text=True)
    assert feedback_count() == 0
    reader_token(demo_client)  # a session with a token: a wrong token is plainly refused
    response = demo_client.post(
        "/en/articles/reset-your-password/feedback", data={"helpful": "yes", "csrf_token": "x"}
    )
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert feedback_count() == 0


def test_overlong_comment_is_refused_but_the_vote_is_kept(demo_app, demo_client):
    token = reader_token(demo_client)
    demo_client.post(
        "/en/articles/reset-your-password/feedback", data={"helpful": "no", "csrf_token": token}
    )
    response = demo_client.post(
        "/en/articles/reset-your-password/feedback/details",
        data={"reason": "unclear", "comment": "x" * 2001, "csrf_token": token},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "under 2000 characters" in html
    assert "x" * 2001 in html  # the reader's text is kept in the form
    vote = db.session.scalar(select(ArticleFeedback))
    assert vote.helpful is False and vote.comment is None


def guide_step_keys(client, slug="set-up-your-workspace"):
    html = client.get(f"/en/articles/{slug}").get_data(as_text=True)
    return re.findall(r'id="step-([a-z0-9-]+)"', html), reader_token(client)


def test_anonymous_guide_progress_is_kept_in_the_session(demo_app, demo_client):
    keys, token = guide_step_keys(demo_client)
    for key in keys[:3]:
        demo_client.post(
            f"/en/articles/set-up-your-workspace/steps/{key}",
            data={"done": "1", "csrf_token": token},
        )
    html = demo_client.get("/en/articles/set-up-your-workspace").get_data(as_text=True)
    assert f"3 of {len(keys)} done" in html
    demo_client.post(
        f"/en/articles/set-up-your-workspace/steps/{keys[0]}",
        data={"done": "0", "csrf_token": token},
    )
    assert f"2 of {len(keys)} done" in demo_client.get(
        "/en/articles/set-up-your-workspace"
    ).get_data(as_text=True)


def test_signed_in_progress_is_stored_per_user_and_shared_across_languages(demo_app, demo_client):
    make_user()
    sign_in(demo_client)
    keys, token = guide_step_keys(demo_client)
    response = demo_client.post(
        f"/en/articles/set-up-your-workspace/steps/{keys[1]}",
        data={"done": "1", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"done": [keys[1]], "done_count": 1, "total": len(keys)}
    assert db.session.scalar(select(func.count(GuideProgress.id))) == 1
    japanese = demo_client.get("/ja/articles/set-up-your-workspace").get_data(as_text=True)
    assert f'<progress max="{len(keys)}" value="1"' in japanese
    assert 'class="step step-done" id="step-' + keys[1] + '"' in japanese


def step_toggle(html: str, key: str) -> str:
    """The toggle button of one guide step, as rendered."""
    match = re.search(rf'id="step-{key}">.*?(<button .*?</button>)', html, re.S)
    assert match, f"no toggle for step {key}"
    return match.group(1)


def test_step_toggle_names_the_step_in_one_sentence_in_both_states(demo_app, demo_client):
    keys, token = guide_step_keys(demo_client)
    demo_client.post(
        f"/en/articles/set-up-your-workspace/steps/{keys[0]}",
        data={"done": "1", "csrf_token": token},
    )
    html = demo_client.get("/en/articles/set-up-your-workspace").get_data(as_text=True)
    titles = re.findall(r'<li class="step[^"]*" id="step-[^"]+">\s*<h3>(.*?)</h3>', html)
    done, todo = step_toggle(html, keys[0]), step_toggle(html, keys[1])
    name = '<span class="step-toggle-name visually-hidden">{}</span>'
    # The visible label is hidden from assistive tech; the hidden span is the whole name, and
    # site.js swaps both texts from the data attributes when the step is ticked in place.
    assert '<span class="step-toggle-label" aria-hidden="true">Done — undo</span>' in done
    assert name.format(f"Done — undo: {titles[0]}") in done
    assert f'data-name-todo="Mark as done: {titles[0]}"' in done
    assert name.format(f"Mark as done: {titles[1]}") in todo
    assert f'data-name-done="Done — undo: {titles[1]}"' in todo


def test_unknown_guide_step_is_404(demo_client):
    _keys, token = guide_step_keys(demo_client)
    response = demo_client.post(
        "/en/articles/set-up-your-workspace/steps/nope", data={"done": "1", "csrf_token": token}
    )
    assert response.status_code == 404


def test_sitemap_has_hreflang_alternates(demo_client):
    index = demo_client.get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>http://localhost/sitemaps/ja-1.xml</loc>" in index
    xml = demo_client.get("/sitemaps/ja-1.xml").get_data(as_text=True)
    assert "<loc>http://localhost/ja/articles/reset-your-password</loc>" in xml
    assert 'hreflang="ar" href="http://localhost/ar/articles/reset-your-password"' in xml


def test_atom_feed_per_locale(demo_client):
    response = demo_client.get("/ar/feed.atom")
    assert response.mimetype == "application/atom+xml"
    xml = response.get_data(as_text=True)
    assert 'xml:lang="ar"' in xml and xml.count("<entry>") >= 30


def test_healthz(demo_client):
    assert demo_client.get("/healthz").get_json() == {"status": "ok"}


def test_security_headers_forbid_inline_script_and_other_hosts(demo_client):
    response = demo_client.get("/en/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    hosts = set(re.findall(r'(?:src|href)="(?:https?:)?//([^/"]+)', html))
    assert hosts <= {"localhost"}, hosts
