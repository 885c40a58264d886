"""Editing in the browser: roles, list filters, create, edit with pending revisions, publish."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.kb.models import ArticleRedirect, ArticleStatus
from tests.conftest import csrf_token_from, make_user, sign_in
from tests.editor.conftest import PASSWORD, action, article, edit_form, second_editor_client


@pytest.mark.parametrize("role", ["customer", "product", "moderator"])
def test_other_roles_get_403(demo_app, role):
    make_user(email=f"{role}@example.com", role=role)
    client = demo_app.test_client()
    sign_in(client, f"{role}@example.com", PASSWORD)
    for url in ("/editor/", "/editor/articles/new", "/editor/articles/1/edit", "/editor/synonyms"):
        assert client.get(url).status_code == 403, url
    assert client.post("/editor/preview", data={"body": "x"}).status_code in (400, 403)


def test_anonymous_is_sent_to_sign_in(demo_client):
    response = demo_client.get("/editor/")
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_admin_may_edit(demo_app):
    make_user(email="admin@example.com", role="admin")
    client = demo_app.test_client()
    sign_in(client, "admin@example.com", PASSWORD)
    assert client.get("/editor/").status_code == 200


def test_list_filters(editor_client):
    page = editor_client.get("/editor/?locale=ja&kind=guide").get_data(as_text=True)
    assert 'lang="ja"' in page and "editor-table" in page
    missing = editor_client.get("/editor/?missing=ar&status=published").get_data(as_text=True)
    assert "No article matches" in missing  # the demo content is fully translated
    assert editor_client.get("/editor/?review=1&status=bogus&category=x").status_code == 200


def test_create_draft_then_publish(editor_client, demo_app):
    form = editor_client.get("/editor/articles/new?title=Export+to+CSV&keywords=csv,export")
    html = form.get_data(as_text=True)
    assert 'value="Export to CSV"' in html and 'value="csv, export"' in html
    response = editor_client.post(
        "/editor/articles/new",
        data={
            "csrf_token": csrf_token_from(html),
            "locale": "en",
            "title": "Export to CSV",
            "summary": "Download any list as a CSV file.",
            "category": "data-and-privacy",
            "kind": "faq",
            "tags": "csv, export",
            "slug": "export-to-csv",
            "body": "## How\r\n\r\nOpen the list and choose **Export**.  \r\n",
            "action": "save",
        },
    )
    assert response.status_code == 303
    created = article(slug="export-to-csv")
    assert created.status == ArticleStatus.DRAFT.value
    assert created.body_markdown == "## How\n\nOpen the list and choose **Export**."
    assert demo_app.test_client().get("/en/articles/export-to-csv").status_code == 404
    assert action(editor_client, f"/editor/articles/{created.id}/publish").status_code == 303
    assert demo_app.test_client().get("/en/articles/export-to-csv").status_code == 200
    published = article(slug="export-to-csv")
    assert published.published_by_id is not None and published.published_at is not None


def test_edit_of_published_article_stays_pending_until_published(editor_client, demo_app):
    target = article()
    values = edit_form(editor_client, target.id)
    values["body"] = values["body"].replace("Reset a forgotten password", "Reset a lost password")
    response = editor_client.post(f"/editor/articles/{target.id}/edit", data=values)
    assert response.status_code == 303
    public = demo_app.test_client()
    assert "Reset a forgotten password" in public.get("/en/articles/reset-your-password").text
    again = edit_form(editor_client, target.id)
    assert "Reset a lost password" in again["body"]  # the editor sees the pending draft
    action(editor_client, f"/editor/articles/{target.id}/publish")
    assert "Reset a lost password" in public.get("/en/articles/reset-your-password").text
    revisions = article().revisions
    assert [r.state for r in revisions][-1] == "applied"
    assert revisions[-1].published_by_id is not None


def test_slug_change_redirects_old_url(editor_client, demo_app):
    target = article()
    values = edit_form(editor_client, target.id)
    values["slug"] = "reset-a-password"
    editor_client.post(f"/editor/articles/{target.id}/edit", data=values)
    public = demo_app.test_client()
    assert public.get("/en/articles/reset-your-password").status_code == 200  # not yet published
    action(editor_client, f"/editor/articles/{target.id}/publish")
    old = public.get("/en/articles/reset-your-password")
    assert old.status_code == 301 and old.headers["Location"].endswith(
        "/en/articles/reset-a-password"
    )
    assert public.get("/en/articles/reset-a-password").status_code == 200
    assert db.session.query(ArticleRedirect).count() == 1


def test_duplicate_slug_is_refused_with_text_kept(editor_client):
    target = article()
    values = edit_form(editor_client, target.id)
    values["slug"] = "locked-out-of-account"
    values["body"] = "My careful new text"
    response = editor_client.post(f"/editor/articles/{target.id}/edit", data=values)
    assert response.status_code == 400
    assert "already uses the URL name" in response.text and "My careful new text" in response.text


def test_stale_form_is_refused_and_shows_the_difference(editor_client, demo_app):
    target = article()
    mine = edit_form(editor_client, target.id)
    other = second_editor_client(demo_app)
    theirs = edit_form(other, target.id)
    theirs["title"] = "How do I reset my password quickly?"
    assert other.post(f"/editor/articles/{target.id}/edit", data=theirs).status_code == 303
    mine["body"] = mine["body"] + "\n\nMy own paragraph."
    response = editor_client.post(f"/editor/articles/{target.id}/edit", data=mine)
    assert response.status_code == 409
    html = response.text
    assert "after you opened it" in html and "My own paragraph." in html
    assert "<del>" in html and "quickly" in html
    assert len(article().revisions) == 2  # nothing silently overwritten


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": ""}, "Give the article a title"),
        ({"summary": "x" * 301}, "longer than 300"),
        ({"slug": "Not A Slug"}, "URL name may use"),
        ({"category": "vanished"}, "no longer exists"),
        ({"kind": "guide"}, "at least one step"),
        ({"body": "x" * 1_000_000}, "the limit is"),
        ({"tags": ",".join(f"t{i}" for i in range(30))}, "at most 20 tags"),
    ],
)
def test_bad_input_gets_a_message_and_keeps_text(editor_client, change, message):
    target = article()
    values = edit_form(editor_client, target.id)
    values.update(change)
    response = editor_client.post(f"/editor/articles/{target.id}/edit", data=values)
    assert response.status_code == 400
    assert message in response.text
    if "body" in change:
        assert "x" * 1000 in response.text
    assert len(article().revisions) == 1


def test_hostile_html_and_unclosed_fence_preview_safely(editor_client):
    token = csrf_token_from(editor_client.get("/editor/articles/new").text)
    body = '<script>alert(1)</script><img src=x onerror=alert(1)>\n\n```python\nprint("open")'
    response = editor_client.post(
        "/editor/preview", data={"body": body}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    data = response.get_json()
    assert "<script" not in data["html"] and "onerror" not in data["html"]
    assert any("never closed" in w for w in data["warnings"])
    assert any("removed" in w for w in data["warnings"])
    huge = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 3000
    data = editor_client.post(
        "/editor/preview", data={"body": huge}, headers={"X-CSRFToken": token}
    )
    assert data.status_code == 200 and "<table>" in data.get_json()["html"]


def test_preview_without_javascript_renders_in_page(editor_client):
    target = article()
    values = edit_form(editor_client, target.id)
    values["body"] = "## Fresh heading\n\nNew *words*"
    values["action"] = "preview"
    response = editor_client.post(f"/editor/articles/{target.id}/edit", data=values)
    assert response.status_code == 200
    assert "<em>words</em>" in response.text and len(article().revisions) == 1


def test_preview_titles_callouts_in_the_article_language(editor_client):
    token = csrf_token_from(editor_client.get("/editor/articles/new").text)
    body = "> [!TIP]\n> 大事なこと"
    for locale, title in (("ja", "ヒント"), ("ar", "تلميح"), ("xx", "Tip")):
        data = editor_client.post(
            "/editor/preview", data={"body": body, "locale": locale}, headers={"X-CSRFToken": token}
        ).get_json()
        assert f'<p class="admonition-title">{title}</p>' in data["html"], locale


def test_preview_needs_csrf(editor_client):
    assert editor_client.post("/editor/preview", data={"body": "x"}).status_code == 400


def test_guide_steps_edit_and_add(editor_client):
    guide = article(slug="set-up-your-workspace")
    values = edit_form(editor_client, guide.id)
    count = len(guide.steps)
    values[f"steps-{count}-title"] = "Celebrate"
    values[f"steps-{count}-body"] = "You did it."
    assert editor_client.post(f"/editor/articles/{guide.id}/edit", data=values).status_code == 303
    action(editor_client, f"/editor/articles/{guide.id}/publish")
    steps = article(slug="set-up-your-workspace").steps
    assert len(steps) == count + 1 and steps[-1].key == "celebrate"


def test_archive_and_reopen(editor_client, demo_app):
    target = article()
    action(editor_client, f"/editor/articles/{target.id}/archive")
    assert demo_app.test_client().get("/en/articles/reset-your-password").status_code == 404
    action(editor_client, f"/editor/articles/{target.id}/reopen")
    assert article().status == "draft"
