"""Debian's nginx in front of gunicorn, both with the shipped configs (deploy/)."""

from __future__ import annotations

import http.client
import os
import random
import socket
import threading
import time

import pytest

from tests.deploy.conftest import build_site
from tests.processes import Client, Gunicorn, Nginx, app_env

pytestmark = pytest.mark.slow

# Two workers share their rate-limit counts only through Redis (as the README says a
# deployment with several workers must): nginx sends each request on a new connection,
# which either worker may take (deploy/nginx.conf).
REDIS_URL = os.environ.get("TOUCHPOINT_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture(scope="module")
def site(demo_db_file, tmp_path_factory):
    """One site for the module: every test here reads it through the same servers."""
    return build_site(demo_db_file, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def front(site, tmp_path_factory):
    """nginx → gunicorn (2 workers × 8 threads: 16 request slots) on free ports, per module.

    gunicorn serves the app with probe pages (tests/deploy/cache_probe_app.py).
    Only the rate-limit test signs in (from its own source addresses); the cache test
    reads pages no other test asks for.
    """
    folder = tmp_path_factory.mktemp("front")
    env = app_env(
        **site.settings(
            PROXY_HOPS=1, RATELIMIT_SIGN_IN="3 per minute", RATELIMIT_STORAGE_URI=REDIS_URL
        )
    )
    probe_app = "tests.deploy.cache_probe_app:app"
    gunicorn = Gunicorn(env, folder / "gunicorn.log", app=probe_app).start()
    nginx = None
    try:
        nginx = Nginx(folder / "nginx", gunicorn, site.media).start()
        yield nginx, gunicorn
    finally:
        if nginx:
            nginx.stop()
        gunicorn.stop()


def timed_get(port: int, path: str) -> tuple[int, float]:
    started = time.monotonic()
    status = Client(port, timeout=5).get(path)[0]
    return status, time.monotonic() - started


def test_slow_clients_do_not_stop_the_site(front, site):
    nginx, _gunicorn = front
    assert Client(nginx.port).get(site.article_path)[0] == 200  # warm
    slow = []
    try:
        for _ in range(200):  # 200 sockets that send half a request and then nothing
            sock = socket.create_connection(("127.0.0.1", nginx.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: help.test\r\nX-Slow: ")
            slow.append(sock)
        time.sleep(0.5)
        for path in ("/readyz", site.article_path, "/readyz", site.article_path):
            status, seconds = timed_get(nginx.port, path)
            assert status == 200, path
            assert seconds < 1.0, f"{path} took {seconds:.2f} s with 200 slow clients"
    finally:
        for sock in slow:
            sock.close()


def test_limits_key_on_the_client_nginx_saw_not_on_a_forged_header(front):
    nginx, _gunicorn = front
    form = {"email": "nobody@example.com", "password": "wrong password"}

    def attempts(source: str, forged: str) -> list[int]:
        client = Client(nginx.port, source=source)
        return [
            client.post_form(
                "/account/sign-in",
                "/account/sign-in",
                form,
                headers={"X-Forwarded-For": f"{forged}.{n}"},
            )[0]
            for n in range(4)
        ]

    # Loopback addresses of this run only: Redis keeps the counts of earlier runs a minute.
    network = f"127.{random.randrange(1, 255)}.{random.randrange(256)}"
    # A new forged X-Forwarded-For each time does not give a fresh limit ...
    assert attempts(f"{network}.2", "198.51.100")[-1] == 429
    # ... while another real client (another source address) still has its own.
    assert attempts(f"{network}.3", "198.51.100")[0] != 429


def test_static_files_are_cached_for_a_year_and_pages_carry_request_ids(front, site):
    nginx, gunicorn = front
    client = Client(nginx.port)
    _status, _headers, home = client.get("/en/")
    css = next(part for part in home.split('"') if part.startswith("/static/css/site.css?v="))
    status, headers, _body = client.get(css)
    assert status == 200
    assert "max-age=31536000" in headers["cache-control"]
    assert "immutable" in headers["cache-control"]
    status, headers, body = client.get("/en/articles/no-such-article")
    assert status == 404 and headers["x-request-id"] in body
    nginx_log = nginx.folder / "touchpoint.access.log"
    deadline = time.monotonic() + 5  # each server logs a request after answering it
    while f"rid={headers['x-request-id']}" not in nginx_log.read_text():
        assert time.monotonic() < deadline, "nginx's access log lacks the request id"
        time.sleep(0.2)
    while f"rid={headers['x-request-id']}" not in gunicorn.output():
        assert time.monotonic() < deadline, "gunicorn's access log lacks the request id"
        time.sleep(0.2)


def test_the_api_takes_a_10000_character_query_through_nginx(front):
    nginx, _gunicorn = front
    query = "é" * 10_000  # 2 bytes each in UTF-8, 6 percent-encoded
    from urllib.parse import quote

    status, _headers, _body = Client(nginx.port, timeout=30).get(
        f"/api/v1/search?q={quote(query)}&locale=en"
    )
    assert status != 414 and status < 500


def test_nginx_micro_caches_only_what_the_app_marks_public_for_anonymous_readers(front, site):
    nginx, _gunicorn = front
    client = Client(nginx.port)
    fresh = f"{site.article_path}?cache-test"  # a page no other test has put in the cache
    article = [client.get(fresh) for _ in range(2)]
    assert "public" in article[0][1]["cache-control"]
    assert [r[1]["x-cache-status"] for r in article] == ["MISS", "HIT"]
    first = client.get("/_probe/public")
    second = client.get("/_probe/public")
    assert first[1]["x-cache-status"] == "MISS" and second[1]["x-cache-status"] == "HIT"
    assert second[2] == first[2]  # one render served twice
    signed_in = client.get("/_probe/public", headers={"Cookie": "session=someone"})
    assert signed_in[1]["x-cache-status"] == "BYPASS" and signed_in[2] != first[2]
    remembered = client.get("/_probe/public", headers={"Cookie": "remember_token=x"})
    assert remembered[1]["x-cache-status"] == "BYPASS"
    private = [client.get("/_probe/private") for _ in range(2)]
    assert private[0][2] != private[1][2]
    assert "HIT" not in {response[1].get("x-cache-status") for response in private}
    time.sleep(7.5)  # the micro-cache keeps a page 5 s (nginx counts whole seconds), not 60
    expired = client.get("/_probe/public")  # answered at once with the old copy...
    assert expired[1]["x-cache-status"] == "STALE" and expired[2] == second[2]
    time.sleep(6.5)  # ...while the page is rendered again, served from the next refresh on
    assert client.get("/_probe/public")[1]["x-cache-status"] == "STALE"
    time.sleep(0.5)
    refreshed = client.get("/_probe/public")
    assert refreshed[1]["x-cache-status"] == "HIT" and refreshed[2] != second[2]


def test_a_reader_who_finds_a_page_expired_does_not_wait_for_its_refresh(front):
    nginx, _gunicorn = front
    browser = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=30)  # one, kept alive

    def get(path: str) -> tuple[str, float]:
        started = time.monotonic()
        browser.request("GET", path, headers={"Host": "help.test"})
        response = browser.getresponse()
        response.read()
        return response.getheader("X-Cache-Status"), time.monotonic() - started

    try:
        assert get("/_probe/slow")[0] == "MISS"  # the first reader waits for the render
        time.sleep(6.5)
        status, seconds = get("/_probe/slow")  # expired: the old copy at once ...
        assert status == "STALE" and seconds < 1.0
        # ... and the next page on the same connection does not wait for the new render
        # (SLOW_SECONDS), as it would if nginx asked the app from this connection.
        _status, seconds = get("/readyz")
        assert seconds < 1.0, f"the next request waited {seconds:.1f} s for the refresh"
    finally:
        browser.close()


def test_reads_go_to_a_free_worker_not_to_one_busy_with_a_long_request(front):
    """nginx gives each request to the worker with the fewest in flight (least_conn)."""
    nginx, _gunicorn = front
    # Nothing else in flight (a refresh of /_probe/slow by another test takes 3 s): each
    # worker starts with none, so the only one a worker has below is the long request.
    time.sleep(3.5)
    busy = threading.Thread(target=lambda: Client(nginx.port, timeout=30).get("/_probe/busy"))
    busy.start()
    try:
        time.sleep(0.5)  # the long request holds one worker (all of its threads)
        served_by = set()
        for _ in range(10):
            started = time.monotonic()
            status, _headers, body = Client(nginx.port, timeout=10).get("/_probe/private")
            seconds = time.monotonic() - started
            assert status == 200 and seconds < 1.0, f"a read waited {seconds:.1f} s"
            if not busy.is_alive():
                break  # the long request is over: both workers are free again
            served_by.add(body.split()[1].split(".")[0])
        assert len(served_by) == 1  # all by the worker that was free
    finally:
        busy.join(timeout=30)
