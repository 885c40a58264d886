"""The ask form: sign-in, validation, honeypot, the preview step, posting once, CSRF."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.ask.models import AskDraft
from app.extensions import db
from app.forum.models import Post
from tests.ask.conftest import (
    ASK,
    events,
    form_tokens,
    make_categories,
    open_form,
    preview,
    question,
    topics,
)
from tests.conftest import (
    make_app,
    make_user,
    sign_in,
)


def test_anonymous_visitors_are_sent_to_sign_in_and_back(search_client, categories):
    response = search_client.get(ASK)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/sign-in?next=/en/community/ask"
    assert search_client.get("/en/community/ask/suggestions?q=export").status_code == 401


def test_the_form_offers_only_categories_customers_may_post_in(asker, categories):
    html, _csrf, flow = open_form(asker)
    assert "Questions" in html and "Ideas and feature requests" in html
    assert "Announcements" not in html
    assert 'name="website"' in html and 'tabindex="-1"' in html
    assert "js/ask.js" in html and "<script>" not in html
    [opened] = events("ask_opened")
    assert opened.data == {"flow": flow} and opened.user_id is not None


def test_the_form_is_localized(asker, categories):
    html = asker.get("/ar/community/ask").get_data(as_text=True)
    assert 'dir="rtl"' in html and "أسئلة" in html


def test_preview_shows_the_rendered_post_and_suggestions_and_saves_the_draft(asker, categories):
    response = preview(asker, categories["questions"].id, body="I **forgot** my password.")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>forgot</strong>" in html
    assert "Post my question" in html and "Edit" in html
    assert "/en/community/ask/open?" in html  # a suggestion, through the recording link
    [draft] = db.session.scalars(select(AskDraft)).all()
    assert draft.title == "How do I reset my password?"
    assert draft.tags == ["password", "sign-in"]
    assert topics() == []  # nothing is posted before "Post my question"
    [search] = events("search")
    assert search.data["source"] == "ask" and search.data["results"] > 0
    [shown] = events("ask_suggestions_shown")
    assert shown.data["via"] == "preview" and shown.data["search_event"] == search.id
    assert shown.data["count"] == search.data["suggestions"] > 0


def test_edit_brings_the_draft_back_into_the_form(asker, categories):
    html = preview(asker, categories["ideas"].id, title="Dark mode please").get_data(as_text=True)
    _csrf, flow = form_tokens(html)
    form = asker.get(f"{ASK}?draft={flow}").get_data(as_text=True)
    assert 'value="Dark mode please"' in form
    assert f'<option selected value="{categories["ideas"].id}">' in form
    assert "I forgot my password" in form


def test_posting_from_the_preview_creates_one_topic_and_records_it(asker, categories):
    html = preview(asker, categories["questions"].id).get_data(as_text=True)
    csrf, flow = form_tokens(html)
    response = asker.post(f"{ASK}/post", data={"csrf_token": csrf, "flow": flow})
    assert response.status_code == 303
    [topic] = topics()
    assert response.headers["Location"].startswith(f"/en/community/topics/{topic.id}/")
    assert topic.title == "How do I reset my password?" and topic.tags == ["password", "sign-in"]
    [posted] = events("ask_posted")
    assert (posted.subject_type, posted.subject_id) == ("topic", topic.id)
    assert posted.data == {"flow": flow, "opened_suggestion": False}
    # A double click sends the same form again: still one topic, and the same page.
    again = asker.post(f"{ASK}/post", data={"csrf_token": csrf, "flow": flow})
    assert again.status_code == 303 and again.headers["Location"] == response.headers["Location"]
    assert len(topics()) == 1 and len(events("ask_posted")) == 1
    # The next question starts a new flow.
    _html, _csrf, new_flow = open_form(asker)
    assert new_flow != flow


@pytest.fixture(params=["sqlite", "postgresql"])
def race_app(request, tmp_path, postgres_schemas):
    """An app on a real file or server database, so two threads really race."""
    if request.param == "sqlite":
        yield make_app(tmp_path, f"sqlite:///{tmp_path / 'race.sqlite3'}")
        return
    yield make_app(tmp_path, postgres_schemas.emptied())


def test_a_double_clicked_post_creates_one_topic_even_at_the_same_instant(race_app):
    """Two requests for one draft at once: the claim on the draft row lets one through."""
    app = race_app
    with app.app_context():
        db.create_all()
        categories = make_categories()
        make_user()
        first = app.test_client()
        sign_in(first)
        html = preview(first, categories["questions"].id).get_data(as_text=True)
        csrf, flow = form_tokens(html)
        second = app.test_client()
        second.set_cookie("session", first.get_cookie("session").value)
        barrier = threading.Barrier(2)
        statuses = []

        def click(client):
            with app.app_context():
                barrier.wait()
                response = client.post(f"{ASK}/post", data={"csrf_token": csrf, "flow": flow})
                statuses.append((response.status_code, response.headers.get("Location")))
                db.session.remove()

        threads = [threading.Thread(target=click, args=(c,)) for c in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [s for s, _ in statuses] == [303, 303]
        assert statuses[0][1] == statuses[1][1]
        assert len(topics()) == 1
        assert db.session.scalar(select(db.func.count(Post.id))) == 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Enter a title for your question."),
        ({"title": "  \u200b\u200d\ufeff "}, "Enter a title for your question."),
        ({"title": "x" * 201}, "Keep the title under 200 characters (it has 201)."),
        ({"body": ""}, "Describe your question"),
        ({"body": " \n\t \u200b\u2060\u200e \u3164 "}, "Describe your question"),
        ({"body": "y" * 20001}, "Keep the details under 20000 characters"),
        ({"tags": "a, b, c, d, e, f"}, "Use at most 5 tags."),
        ({"tags": "t" * 31}, "Keep each tag under 30 characters."),
        ({"category": "999"}, "Choose a category."),
        ({"category": "not-a-number"}, "Choose a category."),
    ],
)
def test_bad_input_is_refused_with_the_text_kept(asker, categories, fields, message):
    data = question(categories["questions"].id, title="Keep me <b>safe</b>", **{})
    data.update(fields)
    response = preview(asker, categories["questions"].id, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    if "title" not in fields:
        assert "Keep me &lt;b&gt;safe&lt;/b&gt;" in html  # the user's text is kept, escaped
    if "body" not in fields:
        assert "I forgot my password and the reset email never arrives." in html
    assert db.session.scalars(select(AskDraft)).all() == []


def test_the_staff_only_category_is_refused(asker, categories):
    response = preview(asker, categories["questions"].id, category=categories["announcements"].id)
    assert response.status_code == 400
    assert "Choose a category." in response.get_data(as_text=True)


def test_a_filled_honeypot_is_a_400_and_saves_nothing(asker, categories):
    response = preview(asker, categories["questions"].id, website="http://spam.example")
    assert response.status_code == 400
    assert db.session.scalars(select(AskDraft)).all() == []
    assert events("search") == []


def test_the_preview_and_post_refuse_a_missing_csrf_token(asker, categories):
    _html, _csrf, flow = open_form(asker)
    data = {**question(categories["questions"].id), "flow": flow}
    response = asker.post(ASK, data=data)
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert asker.post(f"{ASK}/post", data={"flow": flow}).status_code == 400
    assert asker.post(f"{ASK}/answered", data={"flow": flow}).status_code == 400
    assert db.session.scalars(select(AskDraft)).all() == [] and topics() == []


def test_posting_someone_elses_draft_finds_nothing(asker, categories, search_app):
    html = preview(asker, categories["questions"].id).get_data(as_text=True)
    _csrf, flow = form_tokens(html)
    make_user(email="eve@example.com", name="Eve")
    eve = search_app.test_client()
    sign_in(eve, email="eve@example.com")
    eve_csrf = form_tokens(eve.get(ASK).get_data(as_text=True))[0]
    response = eve.post(f"{ASK}/post", data={"csrf_token": eve_csrf, "flow": flow})
    assert response.status_code == 303 and response.headers["Location"] == ASK
    assert topics() == []


def test_a_refusal_from_the_forum_keeps_the_draft(asker, categories, search_app):
    search_app.config["SPAM_NEW_ACCOUNT_MAX_LINKS"] = 0
    body = "See https://example.com/a for what I tried."
    html = preview(asker, categories["questions"].id, body=body).get_data(as_text=True)
    csrf, flow = form_tokens(html)
    response = asker.post(f"{ASK}/post", data={"csrf_token": csrf, "flow": flow})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "links" in page and body in page
    assert topics() == [] and events("ask_posted") == []
    draft = db.session.scalar(select(AskDraft))
    assert draft.posted_at is None  # the claim was rolled back: fixing the post is possible


def test_the_thanks_page_and_unknown_methods(asker):
    assert asker.get(f"{ASK}/thanks").status_code == 200
    assert asker.get(f"{ASK}/post").status_code == 405
    assert asker.get(f"{ASK}/answered").status_code == 405


def test_another_account_in_the_same_browser_starts_its_own_ask(asker, categories):
    html = preview(asker, categories["questions"].id).get_data(as_text=True)
    _csrf, first_flow = form_tokens(html)
    csrf = form_tokens(asker.get(ASK).get_data(as_text=True))[0]
    asker.post("/account/sign-out", data={"csrf_token": csrf})
    make_user(email="eve@example.com", name="Eve")
    sign_in(asker, email="eve@example.com")
    response = preview(asker, categories["questions"].id, title="Eve's own question")
    assert response.status_code == 200
    _csrf, eve_flow = form_tokens(response.get_data(as_text=True))
    assert eve_flow != first_flow
    assert len(db.session.scalars(select(AskDraft)).all()) == 2
