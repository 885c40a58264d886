"""Readers with a session get article pages rendered for them, from what each worker keeps of
the article (app/kb/article_pages.py): never a stale article, and the database read once."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.kb.models import Article
from tests.conftest import make_user, sign_in
from tests.test_page_cache import statements_of

PATH = "/en/articles/reset-your-password"


def signed_in(app):
    make_user()
    db.session.commit()
    client = app.test_client()
    sign_in(client)
    return client


def test_a_signed_in_readers_article_is_read_once_until_it_changes(demo_app, fast_hashing):
    reader = signed_in(demo_app)
    # The article, its translations, related articles and attachments, then at most the
    # content version (once a second).
    assert statements_of(reader, PATH, naming="kb_") >= 3
    assert statements_of(reader, PATH, naming="kb_") <= 1
    article = db.session.scalar(select(Article).filter_by(locale="en", slug="reset-your-password"))
    article.title = "Reset a forgotten password"
    article.body_html = "<p>Ask your admin for a new link.</p>"
    db.session.commit()  # bumps the content version: what the worker kept is dropped
    page = reader.get(PATH).text
    assert '<h1 id="article-title">Reset a forgotten password</h1>' in page
    assert "Ask your admin for a new link." in page
    assert '<span aria-current="page">Reset a forgotten password</span>' in page  # breadcrumbs


def test_a_withdrawn_translation_leaves_the_kept_page(demo_app, fast_hashing):
    reader = signed_in(demo_app)
    alternate = '<link rel="alternate" hreflang="{}"'
    assert alternate.format("ja") in reader.get(PATH).text
    japanese = db.session.scalar(select(Article).filter_by(locale="ja", slug="reset-your-password"))
    japanese.status = "draft"
    db.session.commit()
    page = reader.get(PATH).text
    assert alternate.format("ja") not in page and alternate.format("ar") in page
    assert 'href="/ja/articles/reset-your-password" hreflang="ja"' not in page  # "Also in"


def test_each_reader_still_gets_their_own_token_and_vote(demo_app, demo_client, fast_hashing):
    reader = signed_in(demo_app)
    first = reader.get(PATH).text
    other = demo_app.test_client()
    make_user(email="bo@example.com", name="Bo")
    db.session.commit()
    sign_in(other, "bo@example.com")
    second = other.get(PATH).text
    token = 'name="csrf_token" value="'
    mine = first.split(token)[1].split('"')[0]
    theirs = second.split(token)[1].split('"')[0]
    assert mine and theirs and mine != theirs
    assert "Ada" in first and "Ada" not in second
