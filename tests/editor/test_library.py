"""Capture from the forum, translations, history views, synonyms, images, audit, content sync."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.audit import AuditEntry
from app.editor.models import MediaFile
from app.extensions import db
from app.forum.models import ForumCategory, Post, Topic
from app.kb.content_sync import export_content, import_content
from app.site_search.services import SearchRequest, run_search
from tests.conftest import csrf_token_from
from tests.editor.conftest import action, article, edit_form


def solved_topic(author_id: int, accepted: bool = True) -> Topic:
    category = ForumCategory(slug="questions", kind="questions", names={"en": "Questions"})
    topic = Topic(
        locale="en",
        category=category,
        author_id=author_id,
        title="How can I export my timesheets?",
        tags=["export"],
    )
    db.session.add(topic)
    db.session.flush()
    for first, body in (
        (True, "I need **timesheets** in Excel."),
        (False, "Go to *Reports → Timesheets* and pick **Export**."),
    ):
        db.session.add(
            Post(
                topic=topic,
                author_id=author_id,
                is_first=first,
                body_markdown=body,
                body_html=body,
                body_digest=body,
            )
        )
    db.session.flush()
    if accepted:
        topic.accepted_post_id = topic.posts[-1].id
    db.session.commit()
    return topic


def test_turn_solved_topic_into_faq(editor_client, editor, demo_app):
    topic = solved_topic(editor.id)
    response = action(editor_client, f"/editor/topics/{topic.id}/capture")
    assert response.status_code == 303
    db.session.expire_all()
    created = db.session.get(Topic, topic.id).article_id
    draft = article(slug="how-can-i-export-my-timesheets")
    assert draft.id == created and draft.status == "draft" and draft.kind == "faq"
    assert "Reports → Timesheets" in draft.body_markdown and "## Question" in draft.body_markdown
    page = editor_client.get(f"/editor/articles/{draft.id}/edit").text
    assert "Written from the forum topic" in page
    again = action(editor_client, f"/editor/topics/{topic.id}/capture")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/{draft.id}/edit")
    action(editor_client, f"/editor/articles/{draft.id}/publish")
    assert demo_app.test_client().get(f"/en/articles/{draft.slug}").status_code == 200


def test_unsolved_topic_cannot_be_captured(editor_client, editor):
    topic = solved_topic(editor.id, accepted=False)
    response = action(editor_client, f"/editor/topics/{topic.id}/capture")
    assert response.status_code == 400 and "accepted answer" in response.text
    assert action(editor_client, "/editor/topics/999/capture").status_code == 404


def test_capture_button_partial(editor_client, editor, demo_app):
    topic = solved_topic(editor.id)
    with demo_app.test_request_context():
        from flask import render_template_string
        from flask_login import login_user

        login_user(editor)
        html = render_template_string('{% include "editor/_capture_button.html" %}', topic=topic)
    assert f"/editor/topics/{topic.id}/capture" in html and "Turn into FAQ" in html


def test_translate_side_by_side_and_dashboard(editor_client):
    source = article(slug="refund-policy")
    ja = article(locale="ja", slug="refund-policy")
    db.session.delete(ja)
    db.session.commit()
    dashboard = editor_client.get("/editor/translations").text
    assert f"/editor/articles/{source.id}/translate/ja" in dashboard
    page = editor_client.get(f"/editor/articles/{source.id}/translate/ja")
    assert page.status_code == 200 and "editor-source" in page.text
    from tests.editor.conftest import form_values

    values = form_values(page.text)
    values.update(title="返金ポリシー", in_sync="y", action="save")
    response = editor_client.post(f"/editor/articles/{source.id}/translate/ja", data=values)
    assert response.status_code == 303, response.text
    created = article(locale="ja", slug="refund-policy")
    assert created.translation_key == source.translation_key and created.source_revision == 1


def test_history_diff_and_restore(editor_client, demo_app):
    target = article()
    values = edit_form(editor_client, target.id)
    values["body"] = values["body"].replace("forgotten", "lost")
    editor_client.post(f"/editor/articles/{target.id}/edit", data=values)
    action(editor_client, f"/editor/articles/{target.id}/publish")
    history = editor_client.get(f"/editor/articles/{target.id}/history").text
    assert "Restore" in history
    assert "(Edited)" in history and "(Imported from content files)" in history
    diff = editor_client.get(f"/editor/articles/{target.id}/diff?a=1&b=2").text
    assert "<del>forgotten</del><ins>lost</ins>" in diff
    assert editor_client.get(f"/editor/articles/{target.id}/diff?a=1&b=99").status_code == 404
    token = csrf_token_from(history)
    response = editor_client.post(
        f"/editor/articles/{target.id}/revisions/1/restore", data={"csrf_token": token}
    )
    assert response.status_code == 303
    action(editor_client, f"/editor/articles/{target.id}/publish")
    assert "forgotten" in demo_app.test_client().get("/en/articles/reset-your-password").text
    assert [r.number for r in article().revisions] == [1, 2, 3]


def test_synonyms_take_effect_without_reindex(search_app):
    from tests.conftest import make_user, sign_in

    make_user(email="cs@example.com", role="cs_editor")
    client = search_app.test_client()
    sign_in(client, "cs@example.com")
    request = SearchRequest(text="zorblax", locale="en")
    assert run_search(request).total == 0
    page = client.get("/editor/synonyms?locale=en")
    response = client.post(
        "/editor/synonyms?locale=en",
        data={
            "csrf_token": csrf_token_from(page.text),
            "term": "zorblax",
            "synonyms": "invoice",
        },
    )
    assert response.status_code == 303
    assert run_search(request).total > 0
    duplicate = client.post(
        "/editor/synonyms?locale=en",
        data={
            "csrf_token": csrf_token_from(page.text),
            "term": "zorblax",
            "synonyms": "bill",
        },
    )
    assert duplicate.status_code == 400 and "already has synonyms" in duplicate.text


def png_bytes(size=(4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def test_image_upload_is_verified_reencoded_and_served(editor_client, demo_app):
    page = editor_client.get("/editor/media")
    token = csrf_token_from(page.text)
    fake = editor_client.post(
        "/editor/media",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(b"<?php evil(); ?>"), "cat.png"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "not a PNG" in fake.text
    truncated = editor_client.post(
        "/editor/media",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(png_bytes()[:40]), "cut.png"),
        },
        content_type="multipart/form-data",
    )
    assert truncated.status_code == 400
    demo_app.config["EDITOR_MEDIA_MAX_BYTES"] = 100
    big = editor_client.post(
        "/editor/media",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(png_bytes((300, 300))), "big.png"),
        },
        content_type="multipart/form-data",
    )
    assert big.status_code == 400 and "larger than" in big.text
    demo_app.config["EDITOR_MEDIA_MAX_BYTES"] = 1_500_000
    good = editor_client.post(
        "/editor/media",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(png_bytes() + b"TRAILING PAYLOAD"), "ok.png"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 200
    stored = db.session.query(MediaFile).one()
    served = demo_app.test_client().get(f"/media/{stored.name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert b"TRAILING PAYLOAD" not in served.data
    served.close()
    assert demo_app.test_client().get("/media/../secret.png").status_code == 404
    assert demo_app.test_client().get("/media/" + "0" * 32 + ".png").status_code == 404


def test_audit_log_lists_actions(editor_client):
    target = article()
    action(editor_client, f"/editor/articles/{target.id}/archive")
    page = editor_client.get("/editor/audit").text
    assert "Article archived" in page and "en/reset-your-password" in page
    assert '<option value="archive">Article archived</option>' in page
    page = editor_client.get("/editor/audit", headers={"Accept-Language": "ar"}).text
    assert "أُرشفت المقالة" in page
    assert db.session.query(AuditEntry).count() == 1
    assert editor_client.get("/editor/audit?page=abc&article=x&action=zzz").status_code == 200


@pytest.fixture
def tree(tmp_path):
    from tests.kb.test_content_sync import CATEGORIES, article_text

    root = tmp_path / "content"
    (root / "en" / "billing").mkdir(parents=True)
    (root / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    (root / "en" / "billing" / "download-invoices.md").write_text(article_text(), encoding="utf-8")
    return root


def test_import_reports_conflicts_and_keeps_browser_edits(any_db_app, tree):
    from tests.kb.test_content_sync import article_text

    import_content(tree, ("en",))
    stored = article(slug="download-invoices")
    stored.title = "Edited in the browser"
    db.session.commit()
    kept = import_content(tree, ("en",))
    assert kept.kept == ["en/billing/download-invoices.md"] and kept.ok
    assert article(slug="download-invoices").title == "Edited in the browser"
    (tree / "en" / "billing" / "download-invoices.md").write_text(
        article_text(title="Edited in the file"), encoding="utf-8"
    )
    report = import_content(tree, ("en",))
    assert report.conflicts == ["en/billing/download-invoices.md"] and not report.ok
    assert article(slug="download-invoices").title == "Edited in the browser"
    export_content(tree)
    assert import_content(tree, ("en",)).counts()["unchanged"] == 1
