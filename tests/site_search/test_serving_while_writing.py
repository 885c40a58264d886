"""A multi-worker server on a SQLite file answers searches while 50 writers post: no 5xx, and
every acknowledged reply is found by search at once (its row committed with it), also after
the server is SIGKILLed midway and simply started again.

Real processes: gunicorn with three workers on a WAL database file in a
temporary folder, 50 signed-in writers replying over HTTP while readers hit
/api/v1/search and /api/v1/suggest.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
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
# Each reader waits this long between its searches: 4 readers keep up to 80 searches a second
# coming while the writers post, without spinning the test machine's CPUs (an unpaced
# reader made the SIGKILL test cost a minute of CPU, mostly answering searches).
READER_PAUSE = 0.05
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


def prepare(tmp_path: Path, demo_db_file: Path) -> tuple[int, str]:
    """The demo content (a copy of the run's imported demo database: its articles and search
    rows), forum categories, a topic and the writers' accounts."""
    from app.accounts.models import User
    from app.extensions import db
    from app.forum.paths import topic_path
    from app.forum.seeding import ensure_categories
    from app.forum.services import create_topic
    from tests.forum.conftest import category

    database = tmp_path / "app.sqlite3"
    shutil.copyfile(demo_db_file, database)
    app = make_app(tmp_path, f"sqlite:///{database}")
    with app.app_context():
        db.create_all()  # tables added since the run's demo file was made
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


class Server:
    """gunicorn with WORKERS workers on the test's SQLite file, in its own process group."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
        env.update(
            TOUCHPOINT_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
            TOUCHPOINT_SECRET_KEY="serving-test",
            TOUCHPOINT_RATELIMIT_ENABLED="false",
            TOUCHPOINT_CONTENT_DIR=str(CONTENT_DIR),
        )
        command = [sys.executable, "-m", "gunicorn", "app:create_app()", "-w", str(WORKERS)]
        self.log = (tmp_path / f"gunicorn-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{self.port}", "--timeout", "120"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=30)
                return
            except OSError:  # not listening yet, or a worker still booting
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


def write_and_read(server: Server, topic_id: int, topic_page: str, kill_after: int | None):
    """50 writers reply (twice each) while readers search and suggest; returns (statuses,
    acknowledged marker words, writer errors). With ``kill_after``, the server is SIGKILLed
    once that many replies were acknowledged."""
    statuses: list[int] = []
    acknowledged: list[str] = []
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()

    def writer(n: int) -> None:
        try:
            browser = Browser(server.base)
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
                    if kill_after is not None and len(acknowledged) == kill_after:
                        server.kill()
        except BaseException as error:
            errors.append(error)

    def reader(n: int) -> None:
        browser = Browser(server.base)
        queries = ["password", "reset password", "invoice", "busy thread", "zq1x0marker"]
        i = 0
        while writing.is_set() and server.process.poll() is None:
            query = urllib.parse.urlencode({"q": queries[i % len(queries)], "locale": "en"})
            path = "/api/v1/search" if i % 2 else "/api/v1/suggest"
            try:
                status, _ = browser.request(f"{path}?{query}")
            except OSError:
                if kill_after is None:
                    raise
                return
            statuses.append(status)
            i += 1
            time.sleep(READER_PAUSE)

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=600)
    writing.clear()
    for thread in readers:
        thread.join(timeout=60)
    return statuses, acknowledged, errors


def assert_found(server: Server, words: list[str]) -> None:
    browser = Browser(server.base)
    for word in words:
        query = urllib.parse.urlencode({"q": word, "locale": "en"})
        status, body = browser.request(f"/api/v1/search?{query}")
        assert status == 200
        assert json.loads(body)["total"] == 1, f"{word} not found"


def test_searches_answer_while_fifty_writers_post(tmp_path, demo_db_file, fast_hashing):
    # fast_hashing: cheap hashes for the writers' accounts, cheap to verify
    topic_id, topic_page = prepare(tmp_path, demo_db_file)
    server = Server(tmp_path)
    try:
        statuses, acknowledged, errors = write_and_read(server, topic_id, topic_page, None)
        assert not errors, errors[:3]
        server_errors = [s for s in statuses if s >= 500]
        assert server_errors == [], f"{len(server_errors)} of {len(statuses)} answered 5xx"
        assert len(acknowledged) == WRITERS * REPLIES_EACH
        assert_found(server, acknowledged)
    finally:
        server.stop()


def test_sigkill_while_fifty_writers_post_loses_no_acknowledged_reply(
    tmp_path, demo_db_file, fast_hashing
):
    """SIGKILL the master and workers midway; after a plain restart (no command run by hand)
    every acknowledged reply is in the database and found by search."""
    from app.extensions import db
    from app.forum.models import Post

    topic_id, topic_page = prepare(tmp_path, demo_db_file)
    server = Server(tmp_path)
    try:
        statuses, acknowledged, _ = write_and_read(server, topic_id, topic_page, kill_after=30)
    finally:
        server.stop()
    assert len(acknowledged) >= 30
    assert [s for s in statuses if s >= 500] == []
    restarted = Server(tmp_path)
    try:
        assert_found(restarted, acknowledged)
    finally:
        restarted.stop()
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with app.app_context():
        bodies = db.session.scalars(db.select(Post.body_markdown)).all()
        db.session.remove()
        db.engine.dispose()
    for word in acknowledged:
        assert any(word in body for body in bodies), f"{word} lost from the database"
