"""schemathesis against the live API (nginx → gunicorn): every operation, every check, 0 failures.

The document is fetched from the server itself, so what is checked is what clients get.
A fixed seed and a bounded number of examples keep the run reproducible and under a minute.
"""

from __future__ import annotations

import json
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from app.api.limits import MAX_URL_BYTES
from app.api.schemas import Q_MAX_LENGTH

pytestmark = pytest.mark.slow

ST = Path(sys.executable).parent / "st"
SEED = 19
MAX_EXAMPLES = 15

CONFIG = """
[auth.openapi.bearerToken]
bearer = "{token}"

[auth.openapi.csrfToken]
api_key = "{csrf}"

[auth.openapi.sessionCookie]
api_key = "{session}"

# The date range's cross-field rules (forwards, since 2000, at most 1,098 days) cannot be
# written in JSON Schema; the document states them, and the server answers 400 with
# error.code "invalid_range" (tests/api/test_errors.py checks that code).
# Any warning fails the run: "missing_auth" would mean the insights calls never got in.
[warnings]
fail-on = true

[[operations]]
include-operation-id = "getInsightsTable"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404"]
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_the_live_api_keeps_its_document(live_api, tmp_path):
    client = live_api.client()
    status, _headers, body = client.get("/api/v1/csrf-token")
    assert status == 200
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.format(
            token=live_api.token,
            csrf=json.loads(body)["token"],
            session=client.cookies["session"],
        )
    )
    started, cpu_before = time.monotonic(), _children_cpu()
    run = subprocess.run(
        [
            str(ST), "--config-file", str(config), "--no-color", "run",
            f"http://127.0.0.1:{live_api.port}/api/v1/openapi.json",
            "--checks", "all",
            "--phases", "examples,coverage,fuzzing,stateful",
            "--seed", str(SEED),
            "--max-examples", str(MAX_EXAMPLES),
            "--generation-database", "none",
            "--workers", "2",
            "--request-timeout", "20",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )  # fmt: skip
    seconds, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    report = run.stdout[-12000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "Tested: 6" in run.stdout, report  # every operation but the document itself
    print(f"schemathesis: {seconds:.1f} s, {cpu:.1f} s CPU\n{run.stdout[-1500:]}")


def test_limits_and_refusals_through_nginx_are_the_apps_json(live_api):
    client = live_api.client()
    longest = urllib.parse.quote("😀" * Q_MAX_LENGTH)  # 12 bytes a character
    status, _headers, body = client.get(f"/api/v1/suggest?locale=ar&q={longest}")
    assert status == 200, body[:300]
    status, headers, body = client.get(f"/api/v1/suggest?q={'a' * MAX_URL_BYTES}")
    assert status == 414 and json.loads(body)["error"]["code"] == "uri_too_long"
    status, headers, body = client.request("TRACE", "/api/v1/search")
    assert status == 405 and json.loads(body)["error"]["code"] == "method_not_allowed"
    assert "GET" in headers["allow"]
    # Past nginx's own limits (2 MiB bodies, 128k request lines) nginx asks the app to answer.
    ja = {"Accept-Language": "ja"}
    huge = {"q": "a" * (3 * 1024 * 1024)}
    status, _headers, body = client.request("POST", "/api/v1/instant-searches", huge, ja)
    error = json.loads(body)["error"]
    assert (
        status == 413
        and error["code"] == "payload_too_large"
        and error["message"].isascii() is False
    )
    status, _headers, body = client.get(f"/api/v1/search?q={'a' * 140_000}")
    assert status == 414 and json.loads(body)["error"]["code"] == "uri_too_long"


def _raw_exchange(port: int, request: bytes) -> tuple[int, str]:
    """Send bytes as they are (no Host, say) and read the status and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


def test_oversized_headers_through_nginx_get_the_apps_answer(live_api):
    client = live_api.client()
    # Between gunicorn's old 16 KiB field limit and nginx's 128k buffer: simply served,
    # and so are more header fields than gunicorn's old 100.
    status, _headers, body = client.get("/api/v1/search?q=a", headers={"X-Note": "n" * 40_000})
    assert status == 200, body[:300]
    many = {f"X-Field-{n}": "1" for n in range(150)}
    assert client.get("/api/v1/search?q=a", headers=many).status == 200
    # Over nginx's buffer: nginx's 494, answered by the app in its shape and the language
    # of the headers nginx read before the refused one.
    ja = {"Accept-Language": "ja"}
    crumbs = live_api.client()  # a browser that has gathered one huge cookie
    crumbs.cookies["c"] = "c" * 140_000
    swarm = {f"X-Field-{n}": "1" for n in range(2_000)}  # nginx stops these before gunicorn
    oversized = (
        client.get("/api/v1/search?q=a", headers={**ja, "X-Note": "n" * 140_000}),
        crumbs.get("/api/v1/search?q=a", headers=ja),
        client.get("/api/v1/search?q=a", headers={**ja, **swarm}),
    )
    for status, headers, body in oversized:
        assert status == 431 and headers["content-type"].startswith("application/json"), body
        error = json.loads(body)["error"]
        assert error["status"] == 431 and error["code"] == "header_too_large"
        assert re.search(r"[\u3040-\u30ff]", error["message"]), error  # Japanese
    # A page gets a page.
    status, headers, body = crumbs.get("/en/")
    assert status == 431 and headers["content-type"].startswith("text/html"), body[:300]
    assert "<html" in body and '"error"' not in body
    # A request nginx cannot take at all (HTTP/1.1 without Host): nginx's 400, as JSON.
    status, body = _raw_exchange(live_api.port, b"GET /api/v1/search?q=a HTTP/1.1\r\n\r\n")
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_request", body
