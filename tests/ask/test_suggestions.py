"""Suggestions while typing, opening one, and the banner's yes/no: the deflection funnel events."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.ask.models import AskDraft
from app.extensions import db
from app.forum import services as forum
from app.kb.models import Article
from tests.ask.conftest import (
    ASK,
    events,
    form_tokens,
    open_form,
    preview,
)
from tests.conftest import NAUGHTY_SAMPLE, make_user, naughty_chunks

SUGGEST = f"{ASK}/suggestions"
BANNER = "Did this answer your question?"
BANNER_FLOW = re.compile(r'name="flow" value="([^"]+)"')


def suggest(client, query: str, **extra):
    return client.get(SUGGEST, query_string={"q": query, **extra})


def article_id(slug: str, locale: str = "en") -> int:
    return db.session.scalar(select(Article.id).filter_by(locale=locale, slug=slug))


def test_suggestions_while_typing_list_matching_articles(asker):
    _html, _csrf, flow = open_form(asker)
    response = suggest(asker, "reset my password")
    data = response.get_json()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 0 < data["count"] == len(data["suggestions"]) <= 5
    first = data["suggestions"][0]
    assert first["type"] == "article" and first["id"] == article_id("reset-your-password")
    assert first["url"].startswith("/en/community/ask/open?")
    assert all(isinstance(text, str) and isinstance(mark, bool) for text, mark in first["snippet"])
    [search] = events("search")
    assert search.id == data["event_id"]
    assert search.data["source"] == "ask" and search.data["query"] == "reset my password"
    assert search.data["suggestions"] == data["count"]
    [shown] = events("ask_suggestions_shown")
    assert shown.data["count"] == data["count"] and shown.data["search_event"] == search.id
    assert shown.data["via"] == "typing" and shown.data["flow"] == flow


def test_suggestions_work_in_japanese_and_arabic(asker):
    for locale, query in (("ja", "パスワード"), ("ar", "كلمة المرور")):
        data = asker.get(f"/{locale}/community/ask/suggestions", query_string={"q": query})
        assert data.get_json()["count"] > 0, locale


def test_typing_settles_into_one_search_and_one_shown_event(asker):
    for prefix in ("ex", "expo", "export", "export my", "export my data"):
        assert suggest(asker, prefix).status_code == 200
    [search] = events("search")
    assert search.data["query"] == "export my data"
    assert len(events("ask_suggestions_shown")) == 1
    suggest(asker, "invoice")  # a new question, not a longer version of the last one
    assert [e.data["query"] for e in events("search")] == ["export my data", "invoice"]


def test_only_articles_and_solved_topics_are_suggested(asker, categories, search_app):
    author = make_user(email="bo@example.com", name="Bo")
    helper = make_user(email="cy@example.com", name="Cy")
    open_topic = forum.create_topic(
        author, categories["questions"], "en", "Zebra calendar sync fails", "Zebra sync breaks."
    )
    solved = forum.create_topic(
        author, categories["questions"], "en", "Zebra calendar colors", "Zebra colors wrong."
    )
    answer = forum.create_reply(helper, solved, "Pick a zebra theme in Settings.")
    forum.accept_answer(author, solved, answer)
    data = suggest(asker, "zebra calendar").get_json()
    found = [(s["type"], s["id"], s["solved"]) for s in data["suggestions"]]
    assert ("topic", solved.id, True) in found
    assert all(topic_id != open_topic.id for _type, topic_id, _solved in found)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("x" * 10_000, 400),
        ("a" * 201, 400),
        ("", 200),
        ("\x00\x01\x1b[31m\x7f", 200),
        ("reset\x00 password\u202e", 200),
        ("' OR 1=1 --", 200),
        ('title:"x" AND *', 200),
        ("<script>alert(1)</script>", 200),
        ("%ff%fe", 200),
    ],
)
def test_bad_queries_get_a_clear_answer_never_a_500(asker, query, status):
    response = suggest(asker, query)
    data = response.get_json()
    assert response.status_code == status
    if status == 400:
        assert "too long" in data["error"]["message"] and events("search") == []
    else:
        assert isinstance(data["suggestions"], list)
        assert "\x00" not in data["query"] and "\x1b" not in data["query"]


def test_wrong_shapes_of_input(asker):
    twice = asker.get(f"{SUGGEST}?q=reset&q=export")
    assert twice.status_code == 400 and "one query" in twice.get_json()["error"]["message"]
    assert asker.get(SUGGEST).get_json()["count"] == 0  # no q at all
    assert events("search") == []
    assert asker.get(f"{SUGGEST}?q=%FF%FE%00").status_code == 200  # not UTF-8
    assert asker.get(f"{SUGGEST}?q[]=reset&limit=abc").status_code == 200  # unknown: ignored
    assert asker.post(SUGGEST, data={"q": "reset"}).status_code in (400, 405)


@pytest.mark.slow
@pytest.mark.parametrize("naughty_strings", naughty_chunks(NAUGHTY_SAMPLE))
def test_naughty_strings_never_break_suggestions(asker, naughty_strings):
    for text in naughty_strings:
        response = suggest(asker, text)
        assert response.status_code in (200, 400), text
        assert response.is_json, text


def follow_first_suggestion(client, query: str = "reset my password") -> str:
    """Get suggestions and open the first one; returns the page URL it redirects to."""
    data = suggest(client, query).get_json()
    response = client.get(data["suggestions"][0]["url"])
    assert response.status_code == 303
    return response.headers["Location"]


def test_opening_a_suggestion_records_it_and_shows_the_banner(asker, search_app):
    _html, _csrf, flow = open_form(asker)
    target = follow_first_suggestion(asker)
    path, query = urlsplit(target).path, parse_qs(urlsplit(target).query)
    assert path == "/en/articles/reset-your-password" and query == {"from_ask": [flow]}
    [opened] = events("ask_suggestion_opened")
    [search] = events("search")
    assert (opened.subject_type, opened.subject_id) == (
        "article",
        article_id("reset-your-password"),
    )
    assert opened.data == {"flow": flow, "search_event": search.id, "position": 1}
    [click] = events("search_click")
    assert click.data["search_event"] == search.id and click.data["position"] == 1
    page = asker.get(target).get_data(as_text=True)
    assert BANNER in page and "No, back to my question" in page
    assert BANNER_FLOW.search(page).group(1) == flow
    assert BANNER not in asker.get(path).get_data(as_text=True)  # not without from_ask
    assert BANNER not in asker.get(f"{path}?from_ask=someone-elses").get_data(as_text=True)
    assert BANNER not in search_app.test_client().get(target).get_data(as_text=True)


def test_a_topic_suggestion_opens_its_canonical_url(asker, categories):
    author = make_user(email="bo@example.com", name="Bo")
    topic = forum.create_topic(author, categories["questions"], "en", "Zebra import", "Zebra?")
    open_form(asker)
    response = asker.get(
        f"{ASK}/open", query_string={"type": "topic", "id": topic.id, "to": "/en/elsewhere"}
    )
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/en/community/topics/{topic.id}/zebra-import"
    assert "from_ask=" in location.query


@pytest.mark.parametrize(
    "query",
    [
        {"type": "article", "id": "1", "to": "//evil.example/x"},
        {"type": "article", "id": "1", "to": "https://evil.example/"},
        {"type": "article", "id": "1", "to": "/\\evil.example"},
        {"type": "user", "id": "1", "to": "/en/"},
        {"type": "article", "id": "one", "to": "/en/"},
        {"type": "article", "id": "9" * 40, "to": "/en/"},
        {"type": "topic", "id": "999999", "to": "/en/"},
        {},
    ],
)
def test_the_open_link_refuses_bad_targets(asker, query):
    assert asker.get(f"{ASK}/open", query_string=query).status_code == 404
    assert events("ask_suggestion_opened") == []


def test_junk_event_numbers_on_the_open_link_are_ignored(asker):
    open_form(asker)
    to = "/en/articles/reset-your-password"
    query = {"type": "article", "id": "1", "to": to, "e": "99999999999999999999", "p": "-1"}
    assert asker.get(f"{ASK}/open", query_string=query).status_code == 303
    [opened] = events("ask_suggestion_opened")
    assert opened.data["search_event"] is None and opened.data["position"] is None
    assert events("search_click") == []


def test_yes_records_an_explicit_deflection_and_discards_the_draft(asker, categories):
    html = preview(asker, categories["questions"].id).get_data(as_text=True)
    csrf, flow = form_tokens(html)
    open_link = re.search(r'href="(/en/community/ask/open\?[^"]+)"', html).group(1)
    target = asker.get(open_link.replace("&amp;", "&")).headers["Location"]
    page = asker.get(target).get_data(as_text=True)
    assert BANNER in page
    [opened] = events("ask_suggestion_opened")
    response = asker.post(f"{ASK}/answered", data={"csrf_token": csrf, "flow": flow})
    assert response.status_code == 303 and response.headers["Location"] == f"{ASK}/thanks"
    [deflected] = events("ask_deflected")
    assert (deflected.subject_type, deflected.subject_id) == (
        opened.subject_type,
        opened.subject_id,
    )
    assert deflected.data == {"flow": flow}
    assert db.session.scalars(select(AskDraft)).all() == []
    # A second click on "Yes" changes nothing; the next question is a new flow.
    asker.post(f"{ASK}/answered", data={"csrf_token": csrf, "flow": flow})
    assert len(events("ask_deflected")) == 1
    assert BANNER not in asker.get(target).get_data(as_text=True)
    assert open_form(asker)[2] != flow
    thanks = asker.get(f"{ASK}/thanks").get_data(as_text=True)
    assert "data-ask-clear" in thanks


def test_no_goes_back_to_the_form_with_the_draft(asker, categories):
    html = preview(asker, categories["questions"].id, title="Export my data to CSV").get_data(
        as_text=True
    )
    _csrf, flow = form_tokens(html)
    follow_first_suggestion(asker, "export data")
    assert len(events("ask_opened")) == 1
    response = asker.get(f"{ASK}/back", query_string={"flow": flow})
    assert response.status_code == 303 and response.headers["Location"] == f"{ASK}?draft={flow}"
    [not_answered] = events("ask_not_answered")
    assert not_answered.subject_type == "article" and not_answered.data == {"flow": flow}
    form = asker.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Export my data to CSV"' in form
    assert len(events("ask_opened")) == 1  # coming back is not a new ask


def test_posting_after_opening_a_suggestion_is_recorded_as_such(asker, categories):
    html = preview(asker, categories["questions"].id).get_data(as_text=True)
    csrf, flow = form_tokens(html)
    follow_first_suggestion(asker)
    asker.get(f"{ASK}/back", query_string={"flow": flow})
    response = asker.post(f"{ASK}/post", data={"csrf_token": csrf, "flow": flow})
    assert response.status_code == 303
    [posted] = events("ask_posted")
    assert posted.data == {"flow": flow, "opened_suggestion": True}
    assert [e.name for e in events("ask_deflected")] == []


def test_a_stale_back_link_just_opens_the_form(asker):
    response = asker.get(f"{ASK}/back", query_string={"flow": "old"})
    assert response.status_code == 303 and response.headers["Location"] == ASK
    assert events("ask_not_answered") == []
