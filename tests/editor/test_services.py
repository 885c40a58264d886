"""Editor services on SQLite and PostgreSQL: revisions, workflow, schedules, translations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.audit import AuditEntry
from app.clock import utcnow
from app.editor import workflow
from app.editor.diffing import diff_snapshots, diff_text
from app.editor.errors import ConflictError, EditorError
from app.editor.revisions import (
    create_article,
    pending_revision,
    restore_revision,
    save_edit,
    working_fields,
    working_number,
)
from app.editor.translations import is_outdated, translation_dashboard
from app.extensions import db
from app.kb.articles import fields_of
from app.kb.content_files import ArticleFields
from app.kb.models import Article, Category
from tests.conftest import make_user


@pytest.fixture
def setup(any_db_app):
    category = Category(slug="billing", position=1, names={"en": "Billing"})
    db.session.add(category)
    alice = make_user(email="alice@example.com", role="cs_editor", name="Alice")
    bob = make_user(email="bob@example.com", role="cs_editor", name="Bob")
    fields = ArticleFields(
        locale="en",
        slug="invoices",
        category="billing",
        title="Download invoices",
        translation_key="invoices",
        kind="faq",
        summary="Where invoices live.",
        body="Open **Settings → Billing**.",
        status="draft",
    )
    article = create_article(fields, category, author_id=alice.id)
    db.session.commit()
    return {"category": category, "alice": alice, "bob": bob, "article": article}


def edit(article, category, user, **changes):
    fields = replace(working_fields(article), **changes)
    revision = save_edit(
        article, fields, category, author_id=user.id, base_number=working_number(article)
    )
    db.session.commit()
    return revision


def test_draft_edits_apply_and_published_edits_wait(setup):
    article, category, alice = setup["article"], setup["category"], setup["alice"]
    edit(article, category, alice, body="Open **Settings → Billing → Invoices**.")
    assert "Invoices" in article.body_html and pending_revision(article) is None
    workflow.publish(article, alice.id)
    db.session.commit()
    edit(article, category, alice, title="Download your invoices")
    assert article.title == "Download invoices"  # the live article is untouched
    assert pending_revision(article).state == "draft"
    workflow.publish(article, alice.id)
    db.session.commit()
    assert article.title == "Download your invoices"
    assert pending_revision(article) is None
    assert article.published_by_id == alice.id
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["publish", "publish"]


def test_stale_base_is_a_conflict(setup):
    article, category, alice = setup["article"], setup["category"], setup["alice"]
    base = working_number(article)
    edit(article, category, setup["bob"], title="Bob's title")
    with pytest.raises(ConflictError) as raised:
        save_edit(
            article,
            replace(fields_of(article), title="Alice's"),
            category,
            author_id=alice.id,
            base_number=base,
        )
    assert raised.value.latest_number == base + 1
    db.session.rollback()
    assert db.session.get(Article, article.id).title == "Bob's title"


def test_restore_makes_a_new_revision(setup):
    article, category, alice = setup["article"], setup["category"], setup["alice"]
    edit(article, category, alice, body="Second text")
    revision = restore_revision(article, 1, author_id=alice.id)
    db.session.commit()
    assert revision.number == 3 and revision.source == "restore"
    assert article.body_markdown == "Open **Settings → Billing**."
    with pytest.raises(EditorError):
        restore_revision(article, 3, author_id=alice.id)


def test_second_person_review(setup, any_db_app):
    any_db_app.config["EDITOR_REQUIRE_REVIEW"] = True
    article, alice, bob = setup["article"], setup["alice"], setup["bob"]
    with pytest.raises(EditorError, match="review first"):
        workflow.publish(article, alice.id)
    workflow.submit_for_review(article, alice.id)
    db.session.commit()
    assert article.status == "in_review"
    with pytest.raises(EditorError, match="other than"):
        workflow.publish(article, alice.id)
    workflow.publish(article, bob.id)
    db.session.commit()
    assert article.status == "published" and article.published_by_id == bob.id


def test_scheduled_publish(setup, any_db_app):
    article, alice = setup["article"], setup["alice"]
    now = utcnow()
    with pytest.raises(EditorError):
        workflow.schedule(article, alice.id, now - timedelta(minutes=1), now=now)
    workflow.schedule(article, alice.id, now + timedelta(minutes=5), now=now)
    db.session.commit()
    assert workflow.publish_due(now) == []
    result = any_db_app.test_cli_runner().invoke(args=["editor", "publish-due"])
    assert "0 published" in result.output
    assert [a.id for a in workflow.publish_due(now + timedelta(minutes=6))] == [article.id]
    assert db.session.get(Article, article.id).status == "published"


def test_editing_cancels_a_schedule(setup):
    article, category, alice = setup["article"], setup["category"], setup["alice"]
    now = utcnow()
    workflow.schedule(article, alice.id, now + timedelta(minutes=5), now=now)
    db.session.commit()
    edit(article, category, alice, summary="Changed after scheduling.")
    assert workflow.scheduled_at(article) is None
    assert workflow.publish_due(now + timedelta(minutes=6)) == []


def test_translation_goes_out_of_date(setup):
    article, category, alice = setup["article"], setup["category"], setup["alice"]
    workflow.publish(article, alice.id)
    ja_fields = replace(fields_of(article), locale="ja", title="請求書", status="draft")
    translation = create_article(ja_fields, category, author_id=alice.id)
    db.session.flush()
    translation.source_revision = working_number(article)
    workflow.publish(translation, alice.id)
    db.session.commit()
    assert not is_outdated(translation, article)
    edit(article, category, alice, body="New source text")
    assert not is_outdated(translation, article)  # still pending in the source
    workflow.publish(article, alice.id)
    db.session.commit()
    assert is_outdated(translation, article)
    report = {r.locale: r for r in translation_dashboard()}
    assert [t.id for t, _s in report["ja"].outdated] == [translation.id]
    assert [s.id for s in report["ar"].missing] == [article.id]


def test_diff_is_escaped_and_word_level():
    html = str(diff_text("Click <b>Save</b> now", "Click <b>Store</b> now"))
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<del>Save</del><ins>Store</ins>" in html
    diffs = diff_snapshots({"title": "Old", "tags": ["a"]}, {"title": "New", "tags": ["a"]})
    assert [d.name for d in diffs] == ["title"]
