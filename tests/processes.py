"""Real processes for the deploy and scale tests: gunicorn, nginx and a small HTTP client.

gunicorn runs with the shipped deploy/gunicorn.conf.py unless a test gives its own
settings (only --bind and the worker count change), nginx with the shipped
deploy/nginx.conf inside a throwaway http {} block.
Settings reach the app as TOUCHPOINT_* environment variables (`app_env`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import NamedTuple

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEPLOY = PROJECT_ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(**settings) -> dict[str, str]:
    """The environment for a real server: production defaults plus `settings` (TOUCHPOINT_*)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOUCHPOINT_", "GUNICORN_", "WEB_CONCURRENCY"))
    }
    env.update({"FLASK_APP": "app", "TOUCHPOINT_SECRET_KEY": "process-tests-shared-secret"})
    env.update({f"TOUCHPOINT_{k}": str(v) for k, v in settings.items()})
    return env


class Response(NamedTuple):
    status: int
    headers: dict[str, str]  # names in lower case
    body: str


class Client:
    """HTTP/1.1 to 127.0.0.1 with a cookie jar and a chosen source address; no redirects."""

    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 10):
        self.port, self.source, self.timeout = port, source, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source, 0)
        )
        sent = {"Host": "help.test", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        received = {k.lower(): v for k, v in response.getheaders()}
        return Response(response.status, received, data)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, page: str, path: str, fields: dict, **kwargs) -> Response:
        """GET `page` for its CSRF token, then POST `fields` to `path`."""
        status, _headers, html = self.get(page)
        match = CSRF.search(html)
        assert match, f"no CSRF token on {page} ({status})"
        return self.request("POST", path, form={**fields, "csrf_token": match.group(1)}, **kwargs)

    def search_total(self, text: str, locale: str = "en") -> int:
        """How many results the search API finds for `text`."""
        query = urllib.parse.urlencode({"q": text, "locale": locale})
        status, _headers, body = self.get(f"/api/v1/search?{query}")
        assert status == 200, f"search answered {status}: {body[:300]}"
        return json.loads(body)["total"]


def wait_for(port: int, path: str = "/healthz", timeout: float = 60, process=None) -> float:
    """Seconds until `path` answers 200 on `port` (fails after `timeout` or if `process` exits)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(OSError):
            if Client(port, timeout=2).get(path).status == 200:
                return time.monotonic() - started
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process on port {port} exited ({process.returncode})")
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not answer {path} within {timeout} s")


SHIPPED_CONFIG = ("-c", str(DEPLOY / "gunicorn.conf.py"))


class Gunicorn:
    """gunicorn on a free port (or `port`); its output goes to `log`.

    `options` are its settings: by default the shipped deploy/gunicorn.conf.py (the
    deploy tests); --bind and --workers always come from here.
    """

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        port: int = 0,
        workers: int = 2,
        app: str = "app:create_app()",
        options: tuple[str, ...] = SHIPPED_CONFIG,
    ):
        self.log_path, self.workers, self.app = log, workers, app
        self.options = options
        self.port = port or free_port()
        # Each worker's own socket (deploy/gunicorn.conf.py): a short path (a Unix socket's
        # is at most 107 bytes), kept by a gunicorn started again on the same port.
        self.sockets_dir = Path("/tmp") / f"touchpoint-workers-{self.port}"
        self.sockets_dir.mkdir(exist_ok=True)
        self.env = {**env, "WORKER_SOCKETS_DIR": str(self.sockets_dir)}
        self.process: subprocess.Popen | None = None

    def start(self, ready: str | None = "/healthz", timeout: float = 60) -> Gunicorn:
        """Start it; unless `ready` is None, return once `ready` answers 200."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"), *self.options,
                    "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                    self.app,
                ],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        if ready:
            try:
                wait_for(self.port, ready, timeout, process=self.process)
            except (RuntimeError, TimeoutError) as error:
                self.stop()
                raise AssertionError(f"gunicorn not ready: {error}\n{self.output()}") from None
        return self

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        assert self.process is not None
        for pid in [self.process.pid, *self.worker_pids()]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM (a graceful stop, as systemd does); SIGKILL whatever is left after 40 s."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.worker_pids()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill_all()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.sockets_dir, ignore_errors=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


WORKER_SERVERS = re.compile(r"(    server unix:/run/touchpoint/worker-\d+\.sock;\n)+")


def worker_servers(sockets_dir: str, workers: int) -> str:
    """The upstream's server lines for `workers` gunicorn workers (as deploy/install.sh writes)."""
    return "".join(
        f"    server unix:{sockets_dir}/worker-{slot}.sock;\n" for slot in range(workers)
    )


def render_nginx_site(app: Gunicorn, nginx_port: int, media_dir: Path, folder: Path) -> Path:
    """deploy/nginx.conf with this test's ports, paths and workers (the only changes)."""
    site = (DEPLOY / "nginx.conf").read_text()
    assert WORKER_SERVERS.search(site), "deploy/nginx.conf no longer lists the workers' sockets"
    site = WORKER_SERVERS.sub(worker_servers(str(app.sockets_dir), app.workers), site, count=1)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{nginx_port};",
        "listen [::]:80;": "",
        "127.0.0.1:8000": f"127.0.0.1:{app.port}",
        "/srv/touchpoint/app/static/": f"{PROJECT_ROOT / 'static'}/",
        "/srv/touchpoint/media/": f"{media_dir}/",
        "/var/cache/nginx/touchpoint": str(folder / "cache"),
        "127.0.0.1:8001": f"127.0.0.1:{free_port()}",  # the micro-cache's refresher
        "/var/log/nginx/": f"{folder}/",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer contains {old!r}"
        site = site.replace(old, new)
    path = folder / "touchpoint.conf"
    path.write_text(site)
    return path


class Nginx:
    """Debian's nginx, unprivileged paths under a temp prefix, the shipped site inside http {}."""

    def __init__(
        self, folder: Path, app: Gunicorn, media_dir: Path, workers: str = "1", own_session=False
    ):
        """`workers`: worker_processes (Debian's nginx.conf says auto: one per CPU).

        `own_session`: in a session of its own, so the kernel's autogroup scheduling shares
        the CPU between it and the rest as systemd's cgroups share it between services.
        """
        self.folder, self.port, self.own_session = folder, free_port(), own_session
        folder.mkdir(parents=True, exist_ok=True)
        site = render_nginx_site(app, self.port, media_dir, folder)
        self.conf = folder / "nginx.conf"
        self.conf.write_text(
            f"""
daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
"""
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        check = subprocess.run(
            [NGINX, "-t", "-p", str(self.folder), "-c", str(self.conf), "-e", "stderr"],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.folder), "-c", str(self.conf), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=self.own_session,
        )
        wait_for(self.port, process=self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
