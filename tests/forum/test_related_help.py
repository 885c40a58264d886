"""A topic's related help: matching articles and solved topics, kept per title and publish."""

from __future__ import annotations

import logging
import time

from app.extensions import db
from app.forum import services
from app.kb.articles import find_article, save_article
from app.kb.content_files import ArticleFields
from app.kb.models import Category
from app.page_cache import STORE_KEY
from app.site_search.engine import search_store
from tests.forum.conftest import make_topic


def publish(slug: str, title: str) -> None:
    category = db.session.query(Category).filter_by(slug="billing").one_or_none()
    if category is None:
        category = Category(slug="billing", names={"en": "Billing"})
        db.session.add(category)
        db.session.commit()
    fields = ArticleFields(
        locale="en", slug=slug, category=category.slug, title=title, translation_key=slug,
        kind="faq", summary="", body="How invoices work.", tags=(), status="published", steps=(),
    )  # fmt: skip
    save_article(find_article("en", slug), fields, category, source="import")
    db.session.commit()


def page(client, topic) -> str:
    response = client.get(f"/en/community/topics/{topic.id}", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def related_section(html: str) -> str:
    return html[html.index('id="related-articles-title"') :]


def test_topic_page_shows_matching_articles_and_other_solved_topics(people, client):
    publish("download-invoices", "Download invoices as PDF")
    solved = make_topic(people.other, title="Invoices PDF missing VAT number", body="Where?")
    answer = services.create_reply(people.helper, solved, "Add it under billing details.")
    services.accept_answer(people.other, solved, answer)
    make_topic(people.other, title="Invoices PDF never arrive by mail", body="Not solved.")
    topic = make_topic(people.asker, title="Where are my invoices PDF?", body="Cannot find them.")

    related = related_section(page(client, topic))
    assert "Download invoices as PDF" in related
    assert "Invoices PDF missing VAT number" in related
    assert "never arrive by mail" not in related  # not solved
    assert "Where are my invoices PDF?" not in related  # not the topic itself


def test_an_article_published_after_a_view_shows_on_the_next_view(people, client):
    topic = make_topic(people.asker, title="Refund for a duplicate charge", body="Charged twice.")
    assert "No related articles found." in page(client, topic)

    publish("refunds", "Ask for a refund of a duplicate charge")
    assert "Ask for a refund of a duplicate charge" in related_section(page(client, topic))


def test_a_topic_solved_after_a_view_shows_once_the_kept_lists_expire(people, client, monkeypatch):
    topic = make_topic(people.asker, title="Calendar sync with Outlook", body="It stopped.")
    other = make_topic(people.other, title="Outlook calendar sync stopped", body="Same here.")
    assert "Outlook calendar sync stopped" not in related_section(page(client, topic))

    services.accept_answer(
        people.other, other, services.create_reply(people.helper, other, "Re-link.")
    )
    later = time.monotonic() + client.application.config["FORUM_RELATED_HELP_SECONDS"]
    monkeypatch.setattr(time, "monotonic", lambda: later + 1)
    assert "Outlook calendar sync stopped" in related_section(page(client, topic))


def test_a_broken_index_gives_empty_lists_and_the_page_still_shows(
    people, client, monkeypatch, caplog
):
    publish("download-invoices", "Download invoices as PDF")
    topic = make_topic(people.asker, title="Where are my invoices PDF?", body="Cannot find them.")

    def broken(*args, **kwargs):
        raise RuntimeError("search index is gone")

    monkeypatch.setattr(search_store(), "related", broken)
    with caplog.at_level(logging.WARNING, logger="app.forum.related_help"):
        html = page(client, topic)
    assert "Where are my invoices PDF?" in html
    assert "No related articles found." in html and "No related solved topics yet." in html
    assert f"related help for topic {topic.id} failed" in caplog.text

    monkeypatch.undo()  # the failure was not kept: a mended index shows related help again
    client.application.extensions.pop(STORE_KEY)  # (the page a reader was shown was)
    assert "Download invoices as PDF" in related_section(page(client, topic))
