"""Related articles are stored when articles are published, and category pages come in pages."""

from __future__ import annotations

import re

from app.extensions import db
from app.kb.articles import save_article
from app.kb.content_files import ArticleFields
from app.kb.models import Category
from app.kb.related import content_version, related_to


def publish(slug, title, tags, category, status="published"):
    fields = ArticleFields(
        locale="en", slug=slug, category=category.slug, title=title, translation_key=slug,
        kind="faq", summary="", body="Body.", tags=tuple(tags), status=status, steps=(),
    )  # fmt: skip
    article, _changed = save_article(_find(slug), fields, category, source="import")
    db.session.commit()
    return article


def _find(slug):
    from app.kb.articles import find_article

    return find_article("en", slug)


def test_related_articles_follow_publishing(any_db_app):
    billing = Category(slug="billing", names={"en": "Billing"})
    other = Category(slug="other", names={"en": "Other"})
    db.session.add_all([billing, other])
    db.session.commit()
    invoices = publish("invoices", "Download invoices", ["invoice", "pdf"], billing)
    publish("lonely", "Something unrelated", ["misc"], other)
    assert related_to(invoices) == []
    version = content_version()

    refunds = publish("refunds", "Ask for a refund", ["invoice"], billing)
    assert [a.slug for a in related_to(refunds)] == ["invoices"]
    # the older article's list was refreshed when its neighbour was published
    assert [a.slug for a in related_to(invoices)] == ["refunds"]
    assert content_version() > version

    publish("refunds", "Ask for a refund", ["invoice"], billing, status="archived")
    assert related_to(invoices) == []


def test_category_pages_are_paged_with_prev_next_links(app, client):
    app.config["KB_ARTICLES_PER_PAGE"] = 2
    billing = Category(slug="billing", names={"en": "Billing"})
    db.session.add(billing)
    db.session.commit()
    for n in range(5):
        publish(f"a{n}", f"Article {n}", [], billing)

    first = client.get("/en/categories/billing").get_data(as_text=True)
    assert first.count('class="article-list"') == 1
    assert len(re.findall(r'href="/en/articles/a\d"', first)) == 2
    assert 'rel="next" href="/en/categories/billing?page=2"' in first
    assert 'rel="prev"' not in first
    assert "Page 1 of 3" in first

    last = client.get("/en/categories/billing?page=3").get_data(as_text=True)
    assert re.findall(r'href="/en/articles/(a\d)"', last) == ["a4"]
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get("/en/categories/billing?page=4").status_code == 404
    assert client.get("/en/categories/billing?page=x").status_code == 404
    ja = client.get("/ja/categories/billing").get_data(as_text=True)
    assert 'class="pagination"' not in ja  # no Japanese articles: no pages to move between
