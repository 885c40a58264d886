"""Real processes for the deployment tests: gunicorn and nginx with the shipped configs."""

from __future__ import annotations

import http.client
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

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """A tiny HTTP client with cookies, no redirects and a chosen source address."""

    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 10):
        self.port, self.source, self.timeout = port, source, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
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
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, page: str, path: str, fields: dict, **kwargs):
        """GET `page` for its CSRF token, then POST `fields` to `path`."""
        _status, _headers, html = self.get(page)
        match = CSRF.search(html)
        assert match, f"no CSRF token on {page}"
        return self.request("POST", path, form={**fields, "csrf_token": match.group(1)}, **kwargs)


def wait_for(port: int, path: str = "/healthz", timeout: float = 60) -> float:
    """Seconds until `path` answers 200 on `port` (fails after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if Client(port, timeout=2).get(path)[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not answer {path} within {timeout} s")


def app_env(**settings: str) -> dict[str, str]:
    """The environment for a real server: production defaults plus `settings` (TOUCHPOINT_*)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOUCHPOINT_", "GUNICORN_", "WEB_CONCURRENCY"))
    }
    env.update({"FLASK_APP": "app", "TOUCHPOINT_SECRET_KEY": "deploy-test-secret"})
    env.update({f"TOUCHPOINT_{k}": str(v) for k, v in settings.items()})
    return env


class Gunicorn:
    """gunicorn started with deploy/gunicorn.conf.py; only --bind and the worker count change."""

    def __init__(
        self, port: int, env: dict[str, str], log: Path, workers: int = 2, app="app:create_app()"
    ):
        self.port, self.env, self.log_path, self.workers = port, env, log, workers
        self.app = app
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        self.log = open(self.log_path, "ab")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                str(DEPLOY / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                self.app,
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def render_nginx_site(app_port: int, nginx_port: int, media_dir: Path, folder: Path) -> Path:
    """deploy/nginx.conf with this test's ports and paths (the only changes)."""
    site = (DEPLOY / "nginx.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{nginx_port};",
        "listen [::]:80;": "",
        "127.0.0.1:8000": f"127.0.0.1:{app_port}",
        "/srv/touchpoint/app/static/": f"{PROJECT_ROOT / 'static'}/",
        "/srv/touchpoint/media/": f"{media_dir}/",
        "/var/cache/nginx/touchpoint": str(folder / "cache"),
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

    def __init__(self, folder: Path, app_port: int, media_dir: Path):
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        site = render_nginx_site(app_port, self.port, media_dir, folder)
        self.conf = folder / "nginx.conf"
        self.conf.write_text(
            f"""
daemon off;
worker_processes 1;
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
        )
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
