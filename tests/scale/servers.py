"""Real gunicorn servers on one PostgreSQL schema, and a small cookie-keeping HTTP client.

For the scale and fault tests only (tests/scale/): the app factory served by
``python -m gunicorn`` from this virtualenv with TOUCHPOINT_* settings in its
environment, on a free port.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from tests.scale.clusters import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SECRET_KEY = "scale-tests-shared-secret"
"""Both hosts sign sessions with it, as a deployment behind one load balancer would."""


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a production-like server on ``database_url`` with lifted post limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    values = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "RATELIMIT_POSTING": "100000 per minute",
        "RATELIMIT_SIGN_IN": "100000 per minute",
        "RATELIMIT_FORUM_ACTIONS": "100000 per minute",
        "SPAM_NEW_ACCOUNT_POSTS_PER_HOUR": "100000",
        **settings,
    }
    env.update({f"TOUCHPOINT_{k}": str(v) for k, v in values.items()})
    return env


class Gunicorn:
    """``gunicorn 'app:create_app()'`` on a port; its output goes to ``log``."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, port: int = 0) -> None:
        self.env, self.log_path, self.workers = env, log, workers
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Gunicorn:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(self.workers), "--threads", "4", "--timeout", "60",
                    "app:create_app()",
                ],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                if Client(self.port, timeout=2).get("/healthz")[0] == 200:
                    return self
            assert self.process.poll() is None, f"gunicorn exited: {self.output()}"
            assert time.monotonic() < deadline, f"gunicorn not ready: {self.output()}"
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def kill_all(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        assert self.process is not None
        for pid in [self.process.pid, *self.worker_pids()]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.worker_pids()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_all()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


class Client:
    """HTTP/1.1 requests to 127.0.0.1 with a cookie jar; redirects are returned, not followed."""

    def __init__(self, port: int, timeout: float = 15) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        """(status, body text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": "help.test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def get(self, path: str):
        return self.request("GET", path)

    def submit(self, page: str, action: str, fields: dict) -> int:
        """GET ``page`` for its CSRF token and POST ``fields`` to ``action``; the status."""
        status, html = self.get(page)
        match = CSRF_FIELD.search(html)
        assert match, f"no CSRF token on {page} ({status})"
        return self.request("POST", action, {**fields, "csrf_token": match.group(1)})[0]

    def search_total(self, text: str, locale: str = "en") -> int:
        query = urllib.parse.urlencode({"q": text, "locale": locale})
        status, body = self.get(f"/api/v1/search?{query}")
        assert status == 200, f"search answered {status}: {body[:300]}"
        return json.loads(body)["total"]
