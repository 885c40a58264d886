"""One JSON error shape on every /api/ path, limits that agree from the app out to nginx,
and a document that names every route under /api/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.api.contract import OPERATIONS
from app.api.document import DESCRIPTION
from app.api.limits import MAX_BODY_BYTES, MAX_URL_BYTES
from app.api.schemas import ERROR_CODES, Q_MAX_LENGTH

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["code"] == code and error["code"] in ERROR_CODES
    assert error["title"] and error["message"]
    return error


def test_unknown_api_paths_answer_json_in_the_requests_language(client):
    error = error_of(
        client.get("/api/v1/nothing", headers={"Accept-Language": "ja"}), 404, "not_found"
    )
    assert re.search(r"[\u3040-\u30ff]", error["message"])  # Japanese
    error = error_of(client.get("/api/v2/", headers={"Accept-Language": "ar"}), 404, "not_found")
    assert re.search(r"[\u0600-\u06ff]", error["message"])  # Arabic


def test_a_wrong_method_gets_405_with_allow(client):
    response = client.delete("/api/v1/search?q=a")
    error_of(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    response = client.open("/api/v1/instant-searches", method="TRACE")
    assert "POST" in response.headers["Allow"]


def test_too_long_addresses_and_bodies_get_json(client):
    long_q = "a" * (MAX_URL_BYTES + 1)
    error_of(client.get(f"/api/v1/search?q={long_q}"), 414, "uri_too_long")
    body = "q=" + "a" * MAX_BODY_BYTES
    response = client.post(
        "/api/v1/instant-searches",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    error_of(response, 413, "payload_too_large")


def test_headers_nginx_refused_get_431_json_under_api_and_a_page_elsewhere(client):
    def visitor():  # no session cookie: the app's own page cache answers them
        return client.application.test_client()

    assert visitor().get("/api/v1/search?q=a").status_code == 200  # cached now ...
    assert visitor().get("/en/").status_code == 200
    refused = {"X-Proxy-Refusal": "431", "Accept-Language": "ar"}  # ... and refused all the same
    error = error_of(visitor().get("/api/v1/search?q=a", headers=refused), 431, "header_too_large")
    assert re.search(r"[\u0600-\u06ff]", error["message"])  # Arabic
    page = visitor().get("/en/", headers=refused)
    assert page.status_code == 431 and page.mimetype == "text/html"
    assert "cookies" in page.get_data(as_text=True)


def test_parameters_are_checked_as_the_document_declares(client):
    longest = "あ" * Q_MAX_LENGTH
    assert client.get("/api/v1/suggest", query_string={"q": longest}).status_code == 200
    error = error_of(
        client.get("/api/v1/suggest", query_string={"q": longest + "あ"}), 400, "invalid_parameter"
    )
    assert error["parameter"] == "q"
    error_of(client.get("/api/v1/suggest?locale="), 400, "invalid_parameter")


def test_insights_refusals_are_json_with_www_authenticate(client):
    response = client.get("/api/v1/insights/summary")
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_every_api_route_is_in_the_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    api_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert api_rules
    for rule in api_rules:
        assert rule.endpoint in OPERATIONS, f"{rule.rule} ({rule.endpoint}) is not documented"
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http", "scheme": "bearer"}
    table = document["paths"]["/insights/{name}"]["get"]
    assert {"bearerToken": []} in table["security"]


def _nginx_text() -> str:
    return (DEPLOY / "nginx.conf").read_text()


def _nginx_setting(name: str) -> str:
    match = re.search(rf"^\s*{name}\s+([^;]+);", _nginx_text(), re.M)
    assert match, name
    return match.group(1)


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    return int(text[:-1]) * units[text[-1].lower()] if text[-1].isalpha() else int(text)


@pytest.mark.parametrize("config", ["gunicorn", "nginx"])
def test_limits_agree_from_the_document_to_the_proxy(config):
    # The longest documented query, every character a 4-byte one percent-encoded, and the
    # other parameters at their longest fit under the app's own 414 ...
    longest_target = len("/api/v1/search?") + len("q=") + 12 * Q_MAX_LENGTH + 400
    assert longest_target < MAX_URL_BYTES
    line_buffer = _size(_nginx_setting("large_client_header_buffers").split()[1])
    if config == "nginx":  # ... which nginx lets through (one buffer holds the request line)
        assert MAX_URL_BYTES + len("GET  HTTP/1.1\r\n") < line_buffer
        assert _size(_nginx_setting("client_max_body_size")) > MAX_BODY_BYTES
        # What nginx refuses itself, the app answers (JSON under /api/), header lines too.
        handed_over = re.findall(r"^\s*error_page\s+(\d+)\s+=", _nginx_text(), re.M)
        assert {"400", "405", "413", "414", "494"} <= set(handed_over)
    else:  # ... and so does gunicorn (0: its own cap of 1 MiB)
        settings: dict = {}
        exec((DEPLOY / "gunicorn.conf.py").read_text(), settings)
        limit = settings["limit_request_line"]
        assert limit == 0 or limit > MAX_URL_BYTES
        # A header line nginx passes (under its buffer, rewritten as "Name: value\r\n")
        # never meets gunicorn's HTML 400; nor do more fields than the old 100.
        assert settings["limit_request_field_size"] > line_buffer + 2
        assert settings["limit_request_fields"] == 32768  # gunicorn's maximum


def test_the_document_states_the_header_limit_nginx_keeps():
    buffer = _nginx_setting("large_client_header_buffers").split()[1]
    assert buffer == "128k"
    assert "header line" in DESCRIPTION and "shorter than 128 KiB" in DESCRIPTION


def test_insights_filters_outside_the_schema_or_the_range_get_400_codes(app, client):
    from app.insights.tokens import create_token
    from tests.conftest import make_user

    _token, plain = create_token(make_user("pm@example.com", role="product"), "tests")
    bearer = {"Authorization": f"Bearer {plain}"}
    reversed_range = "/api/v1/insights/summary?start=2025-03-31&end=2025-03-01"
    error_of(client.get(reversed_range, headers=bearer), 400, "invalid_range")
    error = error_of(
        client.get("/api/v1/insights/summary?start=", headers=bearer), 400, "invalid_parameter"
    )
    assert error["parameter"] == "start"
    error_of(
        client.get("/api/v1/insights/summary?end=2025-02-30", headers=bearer),
        400,
        "invalid_parameter",
    )
    error_of(client.get("/api/v1/insights/nothing", headers=bearer), 404, "not_found")
    assert client.get("/api/v1/insights/summary", headers=bearer).status_code == 200


@pytest.mark.parametrize("shape", ["0", "パスワード", "a-", "a1", "x.", "1 "])
def test_the_longest_allowed_query_is_scrubbed_in_linear_time(shape):
    """A query at maxLength made of one long run was 0.45 s of regex backtracking."""
    import time

    from app.pii import scrub

    query = (shape * Q_MAX_LENGTH)[:Q_MAX_LENGTH]
    started = time.process_time()
    scrub(query)
    assert time.process_time() - started < 0.05


def test_instant_searches_take_the_token_and_cookie_the_document_describes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["csrfToken"]
    token = client.get("/api/v1/csrf-token").get_json()["token"]  # sets the session cookie
    form = {"q": "invoice", "locale": "en"}
    response = client.post("/api/v1/instant-searches", data=form, headers={scheme["name"]: token})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert isinstance(response.get_json()["event_id"], int)
    nothing_searchable = client.post(
        "/api/v1/instant-searches", data={**form, "q": "\x00"}, headers={scheme["name"]: token}
    )
    assert nothing_searchable.status_code == 200
    assert nothing_searchable.get_json() == {"event_id": None, "results": 0}
    stranger = client.application.test_client()  # the same token without its session
    refused = stranger.post("/api/v1/instant-searches", data=form, headers={scheme["name"]: token})
    error_of(refused, 403, "csrf_failed")
