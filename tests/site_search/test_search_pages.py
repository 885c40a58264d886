"""The search page, the JSON API and the events they record."""

import json
import re

import pytest
from sqlalchemy import select

from app.events import Event
from app.extensions import db
from app.site_search.models import Synonym
from tests.conftest import make_app


def events(name="search"):
    return db.session.scalars(select(Event).filter_by(name=name).order_by(Event.id)).all()


def test_search_page_shows_results_snippets_and_facets(search_client):
    html = search_client.get("/en/search?q=invoices").get_data(as_text=True)
    assert "download-invoices-and-receipts" in html
    assert "<mark>" in html
    assert 'class="facets"' in html and "FAQs" in html


def beacon_of(html: str) -> str:
    return re.search(r'data-beacon="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_every_search_is_recorded_with_its_true_result_count(search_client):
    visitor = "v" * 32  # the key static/js/site.js keeps in the browser and sends the beacon
    for query in ("invoice", "xylophone+quantum"):
        response = search_client.get(f"/en/search?q={query}")
        assert "Set-Cookie" not in response.headers  # an anonymous reader starts no session
        assert search_client.get(f"{beacon_of(response.get_data(as_text=True))}&k={visitor}")
    first, second = events()
    assert first.data["query"] == "invoice" and first.data["results"] > 0
    assert first.data["source"] == "search_page" and first.locale == "en"
    assert second.data["results"] == 0
    assert first.session_key == second.session_key == visitor  # one visitor, two searches


def test_the_search_beacon_only_rekeys_its_own_event_once(search_client):
    html = search_client.get("/en/search?q=invoice").get_data(as_text=True)
    [event] = events()
    one_off = event.session_key
    beacon = beacon_of(html)
    forged = beacon.replace("t=", "t=x")
    for url in (forged + "&k=" + "f" * 32, beacon + "&k=bad key", beacon):  # refused, no key
        response = search_client.get(url)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
    db.session.expire_all()
    assert events()[0].session_key == one_off
    search_client.get(beacon + "&k=" + "a" * 32)
    search_client.get(beacon + "&k=" + "b" * 32)  # a replay cannot move it again
    db.session.expire_all()
    assert [e.session_key for e in events()] == ["a" * 32]


def click_event_ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r"/search/click\?e=(\d+)&amp;", html)}


def test_readers_of_the_same_search_each_get_their_own_event_in_links_and_beacon(search_client):
    """The page is rendered once for readers without a session; each still counts once."""
    pages = [search_client.get("/en/search?q=invoice").get_data(as_text=True) for _ in range(2)]
    first, second = events()
    assert click_event_ids(pages[0]) == {first.id} and click_event_ids(pages[1]) == {second.id}
    assert beacon_of(pages[0]) != beacon_of(pages[1])
    for page, visitor in zip(pages, ("a" * 32, "b" * 32), strict=True):
        search_client.get(f"{beacon_of(page)}&k={visitor}")
    db.session.expire_all()
    assert [e.session_key for e in events()] == ["a" * 32, "b" * 32]
    assert [e.data["results"] for e in events()] == [first.data["results"]] * 2
    assert without_event(pages[0], first.id) == without_event(pages[1], second.id)


def without_event(html: str, event_id: int) -> str:
    """A results page with its event's id and beacon blanked (what differs per reader)."""
    beacon = beacon_of(html).replace("&", "&amp;")
    return html.replace(beacon, "BEACON").replace(f"e={event_id}&amp;", "e=EVENT&amp;")


def test_a_published_article_is_found_by_the_next_search(search_client):
    """Kept results follow the content version a publish bumps."""
    from app.kb.models import Article

    assert "No results for" in search_client.get("/en/search?q=zeppelin").get_data(as_text=True)
    article = db.session.scalar(select(Article).filter_by(locale="en", status="published"))
    article.title = "Flying your invoices by zeppelin"
    db.session.commit()
    html = search_client.get("/en/search?q=zeppelin").get_data(as_text=True)
    assert "Flying your invoices by zeppelin" in html


def test_a_visitor_with_a_session_keeps_its_key_and_gets_no_beacon(search_client):
    header_csrf(search_client)  # the session starts (the header box fetched a token)
    html = search_client.get("/en/search?q=invoice").get_data(as_text=True)
    assert "data-beacon" not in html
    with search_client.session_transaction() as session:
        assert events()[0].session_key == session["tp_sk"]


def test_personal_data_is_scrubbed_before_storing(search_client):
    search_client.get(
        "/en/search", query_string={"q": "refund for jane@example.com card 4111 1111 1111 1111"}
    )
    stored = events()[0].data["query"]
    assert stored == "refund for [email] card [card]"


def test_no_results_page_helps(search_client):
    html = search_client.get("/en/search?q=xylophone+quantum").get_data(as_text=True)
    assert "No results for" in html and "Popular articles" in html
    assert "Some things to try" in html


def test_typo_gets_results_and_did_you_mean(search_client):
    html = search_client.get("/en/search?q=pasword").get_data(as_text=True)
    assert "reset-your-password" in html
    assert "Did you mean" in html and ">password</a>" in html


@pytest.mark.parametrize(
    ("locale", "typed", "meant"),
    [("ja", "ダウンロート", "ダウンロード"), ("ar", "الفواتر", "الفواتير")],
)
def test_japanese_and_arabic_typos_get_did_you_mean(search_client, locale, typed, meant):
    html = search_client.get(f"/{locale}/search", query_string={"q": typed}).get_data(as_text=True)
    assert f">{meant}</a>" in html


def test_click_redirect_records_position_and_refuses_other_hosts(search_client):
    search_client.get("/en/search?q=invoice")
    event_id = events()[0].id
    response = search_client.get(f"/en/search/click?e={event_id}&p=2&to=/en/articles/refund-policy")
    assert response.status_code == 303 and response.location == "/en/articles/refund-policy"
    click = events("search_click")[0]
    assert click.data == {
        "search_event": event_id,
        "position": 2,
        "url": "/en/articles/refund-policy",
    }
    assert search_client.get("/en/search/click?e=1&p=1&to=//evil.example/x").status_code == 404
    assert search_client.get("/en/search/click?e=1&p=1&to=https://evil.example").status_code == 404


def header_csrf(client, locale="en") -> str:
    """The token the header's instant box sends: cached pages carry none, its script fetches
    one from the box's data-csrf-url."""
    html = client.get(f"/{locale}/").get_data(as_text=True)
    assert 'data-csrf=""' in html
    return client.get(re.search(r'data-csrf-url="([^"]+)"', html).group(1)).get_json()["token"]


def settle(client, text, token, locale="en"):
    return client.post(
        "/api/v1/instant-searches", data={"q": text, "locale": locale, "csrf_token": token}
    )


def test_instant_search_records_the_settled_query_with_its_true_count(search_client):
    token = header_csrf(search_client)
    for partial in ("pass", "password"):  # paused twice while typing one query
        response = settle(search_client, partial, token)
        assert response.status_code == 201
    settle(search_client, "refund", token)
    recorded = [(e.data["query"], e.data["source"]) for e in events()]
    assert recorded == [("password", "instant"), ("refund", "instant")]
    first = events()[0]
    assert response.get_json() == {"event_id": first.id, "results": first.data["results"]}
    assert first.data["results"] >= 3  # the true count, not the suggestions shown


def test_instant_search_then_enter_is_one_search(search_client):
    token = header_csrf(search_client)
    settle(search_client, "invoice", token)
    search_client.get("/en/search?q=invoice")
    [event] = events()
    assert event.data["source"] == "search_page" and event.data["results"] > 0


def test_instant_search_refuses_bad_requests(search_client):
    token = header_csrf(search_client)
    missing_token = search_client.post(
        "/api/v1/instant-searches", data={"q": "invoice", "locale": "en"}
    )
    assert missing_token.status_code == 403  # the token is a credential of this session
    assert missing_token.get_json()["error"]["code"] == "csrf_failed"
    assert settle(search_client, "invoice", token, locale="xx").status_code == 400
    assert settle(search_client, "   ", token).status_code == 400
    assert events() == []


def test_suggest_returns_titles_while_typing_and_records_nothing(search_client):
    data = search_client.get("/api/v1/suggest?q=pass&locale=en").get_json()
    assert any(s["url"] == "/en/articles/reset-your-password" for s in data["suggestions"])
    assert events() == []


def test_api_search_shape(search_client):
    data = search_client.get("/api/v1/search?q=two-factor&locale=en").get_json()
    assert set(data) >= {"total", "results", "facets", "did_you_mean"}
    first = data["results"][0]
    assert set(first) >= {"type", "id", "title", "url", "snippet", "score"}
    assert first["type"] == "article" and isinstance(first["id"], int)
    assert set(data["facets"]) == {"kind", "category"}


def test_synonyms_from_the_database_apply_at_query_time(search_client):
    assert search_client.get("/api/v1/search?q=otp&locale=en").get_json()["total"] == 0
    db.session.add(Synonym(locale="en", term="otp", synonyms=["two-factor", "2fa"]))
    db.session.commit()
    urls = [
        r["url"] for r in search_client.get("/api/v1/search?q=otp&locale=en").get_json()["results"]
    ]
    assert "/en/articles/turn-on-two-factor-authentication" in urls[:3]


def test_openapi_document_describes_both_endpoints(search_client):
    document = search_client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/search", "/suggest"} <= set(document["paths"])


BAD_QUERIES = [
    "",
    " ",
    "x" * 10_000,
    '"unbalanced',
    "AND",
    "*",
    ":",
    "OR OR",
    "title:",
    "\x00\x01\x1f",
    "%E0%A4%A",
    "(((",
    "))",
    "NOT",
    "🔥" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_never_fail_on_the_page(search_client, query):
    response = search_client.get(
        "/en/search", query_string={"q": query, "page": "-1", "kind": "nope"}
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_get_json_not_500_from_the_api(search_client, query):
    response = search_client.get("/api/v1/search", query_string={"q": query, "locale": "en"})
    assert response.status_code in (200, 400)
    json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"q": "x", "page": "abc"}, "page", "whole number"),
        ({"q": "x", "page": "-1"}, "page", "whole number"),
        ({"q": "x", "kind": "recipe"}, "kind", "faq, guide, topic"),
        ({"q": "x", "kind": ""}, "kind", "faq, guide, topic"),
        ({"q": "x", "locale": "xx"}, "locale", "en, ja, ar"),
        ({"q": "x", "locale": ""}, "locale", "en, ja, ar"),
        ({"q": "x", "category": "nope"}, "category", "billing"),
        ({"q": " "}, "q", "empty"),
        ({}, "q", "required"),
    ],
)
def test_api_rejects_bad_parameters_with_a_message(search_client, params, parameter, message):
    response = search_client.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and message in error["message"]
    assert error["code"] in ("invalid_parameter", "missing_parameter")


def test_raw_invalid_percent_encoding_is_harmless(search_client):
    assert search_client.get("/en/search?q=%E0%A4%A&page=%ZZ").status_code == 200
    assert search_client.get("/api/v1/search?q=%E0%A4%A").status_code in (200, 400)


def test_instant_search_recording_is_rate_limited(demo_db_file, tmp_path):
    database = tmp_path / "demo.sqlite3"
    database.write_bytes(demo_db_file.read_bytes())
    app = make_app(
        tmp_path,
        f"sqlite:///{database}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_INSTANT_SEARCH="2 per minute",
    )
    client = app.test_client()
    token = header_csrf(client, "ja")
    codes = [settle(client, f"query {i}", token, "ja").status_code for i in range(3)]
    assert codes == [201, 201, 429]
    refused = settle(client, "again", token, "ja")
    error = refused.get_json()["error"]
    assert error["status"] == 429 and error["code"] == "rate_limited" and error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_forum_categories_are_named_and_filterable_in_results(search_client):
    from app.forum.seeding import ensure_categories
    from tests.forum.conftest import make_topic, make_user

    ensure_categories()
    asker = make_user("asker@example.com", name="Asker")
    make_topic(asker, title="Xylograph export keeps failing", body="The xylograph export stops.")
    db.session.commit()

    html = search_client.get("/en/search?q=xylograph").get_data(as_text=True)
    assert "Xylograph export keeps failing" in html
    assert "Questions" in html and ">questions<" not in html  # the name, not the slug
    filtered = search_client.get("/en/search?q=xylograph&category=questions")
    assert "Xylograph export keeps failing" in filtered.get_data(as_text=True)
    api = search_client.get("/api/v1/search?q=xylograph&locale=en&category=questions")
    assert api.status_code == 200 and api.get_json()["total"] == 1


def test_searches_without_a_session_are_written_in_a_batch_and_clicks_wait_for_none(
    demo_db_file, tmp_path
):
    """The results page writes nothing on its path; its links and beacon work at once."""
    from app.events import PENDING

    database = tmp_path / "demo.sqlite3"
    database.write_bytes(demo_db_file.read_bytes())
    app = make_app(tmp_path, f"sqlite:///{database}", EVENT_BUFFER_SIZE=5, EVENT_BUFFER_SECONDS=600)
    with app.app_context():
        client = app.test_client()
        html = client.get("/en/search?q=invoice").get_data(as_text=True)
        [event_id] = click_event_ids(html)
        assert client.get(f"{beacon_of(html)}&k={'v' * 32}").status_code == 200
        click = re.search(r'href="(/en/search/click\?e=\d+&amp;[^"]+)"', html).group(1)
        assert client.get(click.replace("&amp;", "&")).status_code == 303
        reserved = db.session.get(Event, event_id)
        assert (reserved.name, reserved.session_key) == (PENDING, "v" * 32)  # content waits
        db.session.rollback()
        others = app.test_client()  # the click started a session: other readers search on
        for query in ("export", "password", "invoice", "login"):  # the fifth fills the batch
            others.get(f"/en/search?q={query}")
        searches = events()
        assert [e.data["query"] for e in searches] == [
            "invoice", "export", "password", "invoice", "login"
        ]  # fmt: skip
        assert searches[0].id == event_id and searches[0].session_key == "v" * 32
        [clicked] = events("search_click")
        assert clicked.data["search_event"] == event_id and clicked.data["position"] == 1
        db.session.remove()
        db.engine.dispose()
