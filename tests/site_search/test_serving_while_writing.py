"""A multi-worker server on a SQLite file answers searches while 50 writers post: no 5xx, and
every acknowledged reply is found by search at once (its row committed with it).

Real processes: gunicorn with three workers on a WAL database file in a
temporary folder, 50 signed-in writers replying over HTTP while readers hit
/api/v1/search and /api/v1/suggest.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import CONTENT_DIR, PROJECT_ROOT, make_app

WRITERS = 50
REPLIES_EACH = 2
READERS = 4
WORKERS = 3
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="runs gunicorn"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(tmp_path: Path) -> tuple[int, str]:
    """Schema, demo content, forum categories, a topic and the writers' accounts."""
    from app.accounts.models import User
    from app.extensions import db
    from app.forum.paths import topic_path
    from app.forum.seeding import ensure_categories
    from app.forum.services import create_topic
    from app.kb.content_sync import import_content
    from tests.forum.conftest import category

    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with app.app_context():
        db.create_all()
        assert import_content(CONTENT_DIR, ("en", "ja", "ar")).ok
        ensure_categories()
        users = []
        for n in range(WRITERS):
            user = User(
                email=f"w{n}@example.com",
                display_name=f"Writer {n}",
                created_at=datetime(2020, 1, 1),  # not a new account: no hourly post limit
            )
            user.set_password(PASSWORD)
            users.append(user)
        db.session.add_all(users)
        db.session.commit()
        topic = create_topic(users[0], category(), "en", "Busy thread", "Everyone replies.", [])
        found = (topic.id, topic_path("en", topic.id, topic.title))
        db.session.remove()
        db.engine.dispose()
    return found


class Browser:
    """One visitor: a cookie jar and a CSRF token from the page it last loaded."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def token(self, path: str) -> str:
        status, html = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        return TOKEN.search(html).group(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_searches_answer_while_fifty_writers_post(tmp_path, fast_hashing):
    topic_id, topic_page = prepare(tmp_path)  # fast_hashing: cheap hashes, cheap to verify
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    env.update(
        TOUCHPOINT_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        TOUCHPOINT_SECRET_KEY="serving-test",
        TOUCHPOINT_RATELIMIT_ENABLED="false",
        TOUCHPOINT_CONTENT_DIR=str(CONTENT_DIR),
    )
    command = [sys.executable, "-m", "gunicorn", "app:create_app()", "-w", str(WORKERS)]
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=30)
                break
            except OSError:  # not listening yet, or a worker still booting
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)
        statuses: list[int] = []
        acknowledged: list[str] = []
        errors: list[BaseException] = []
        writing = threading.Event()
        writing.set()

        def writer(n: int) -> None:
            try:
                browser = Browser(base)
                token = browser.token("/account/sign-in")
                status, _ = browser.request(
                    "/account/sign-in",
                    {"email": f"w{n}@example.com", "password": PASSWORD, "csrf_token": token},
                )
                statuses.append(status)
                for k in range(REPLIES_EACH):
                    word = f"zq{n}x{k}marker"
                    token = browser.token(topic_page)
                    status, _ = browser.request(
                        f"/en/community/topics/{topic_id}/reply",
                        {"body": f"Reply {word} from writer {n}.", "csrf_token": token},
                    )
                    statuses.append(status)
                    if status == 303:
                        acknowledged.append(word)
            except BaseException as error:
                errors.append(error)

        def reader(n: int) -> None:
            browser = Browser(base)
            queries = ["password", "reset password", "invoice", "busy thread", "zq1x0marker"]
            i = 0
            while writing.is_set():
                query = urllib.parse.urlencode({"q": queries[i % len(queries)], "locale": "en"})
                path = "/api/v1/search" if i % 2 else "/api/v1/suggest"
                status, _ = browser.request(f"{path}?{query}")
                statuses.append(status)
                i += 1

        readers = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
        writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in readers + writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=600)
        writing.clear()
        for thread in readers:
            thread.join(timeout=60)
        assert not errors, errors[:3]
        server_errors = [s for s in statuses if s >= 500]
        assert server_errors == [], f"{len(server_errors)} of {len(statuses)} answered 5xx"
        assert len(acknowledged) == WRITERS * REPLIES_EACH
        browser = Browser(base)
        for word in acknowledged:
            query = urllib.parse.urlencode({"q": word, "locale": "en"})
            status, body = browser.request(f"/api/v1/search?{query}")
            assert status == 200
            assert json.loads(body)["total"] == 1, f"{word} not found"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
