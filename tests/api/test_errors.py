"""One JSON error shape on every /api/ path, limits that agree from the app out to nginx,
and a document that names every route under /api/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.api.contract import OPERATIONS
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


def _nginx_setting(name: str) -> str:
    match = re.search(rf"^\s*{name}\s+([^;]+);", (DEPLOY / "nginx.conf").read_text(), re.M)
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
    if config == "nginx":  # ... which nginx lets through (one buffer holds the request line)
        line_buffer = _size(_nginx_setting("large_client_header_buffers").split()[1])
        assert MAX_URL_BYTES + len("GET  HTTP/1.1\r\n") < line_buffer
        assert _size(_nginx_setting("client_max_body_size")) > MAX_BODY_BYTES
    else:  # ... and so does gunicorn (0: its own cap of 1 MiB)
        settings: dict = {}
        exec((DEPLOY / "gunicorn.conf.py").read_text(), settings)
        limit = settings["limit_request_line"]
        assert limit == 0 or limit > MAX_URL_BYTES


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
