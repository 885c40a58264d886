"""README "Deploy", command by command (deploy/install.sh), on PostgreSQL + Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest

from tests.conftest import POSTGRES_URL
from tests.processes import PROJECT_ROOT, Client, free_port, wait_for

pytestmark = pytest.mark.slow
REDIS_URL = os.environ.get("TOUCHPOINT_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def fresh_copy(target) -> None:
    """What a fresh clone holds: the tracked files plus new ones not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def env_file_settings(path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            found[key] = value.strip('"')
    return found


def test_the_deploy_section_ends_with_a_working_site(tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    home = tmp_path / "srv"
    (home / "app").mkdir(parents=True)
    fresh_copy(home / "app")
    database = f"tp_ops_{uuid.uuid4().hex[:10]}"
    pg = POSTGRES_URL.split("://", 1)[1].rsplit("/", 1)[0]  # user@host:port
    user, _, host = pg.partition("@")
    hostname, _, pg_port = host.partition(":")
    pg_port = pg_port or "5432"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOUCHPOINT_", "VIRTUAL_ENV"))}
    env.update(
        SYSTEM="0",
        TP_HOME=str(home),
        TP_ETC=str(tmp_path / "etc"),
        DB_NAME=database,
        DB_USER=user,
        PG_ADMIN="",
        AS_APP="",
        PG_HOST_ARGS=f"-h {hostname} -p {pg_port} -U {user}",
        DATABASE_URL=f"postgresql://{pg}/{database}",
        REDIS_URL=REDIS_URL,
        SITE_URL="http://help.test",
        ADMIN_PASSWORD="first admin password",
    )
    web = None
    try:
        result = subprocess.run(
            ["bash", "deploy/install.sh"],
            cwd=home / "app",
            env=env,
            capture_output=True,
            text=True,
            timeout=1500,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "created admin admin@example.com" in result.stdout
        # Start it as touchpoint-web.service does: its EnvironmentFile and ExecStart.
        settings = env_file_settings(tmp_path / "etc" / "touchpoint.env")
        assert settings["TOUCHPOINT_MEDIA_DIR"] == str(home / "media")
        port = free_port()
        web = subprocess.Popen(
            [
                str(home / "app" / ".venv" / "bin" / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "app:create_app()",
            ],
            cwd=home / "app",
            # the workers' own sockets (deploy/gunicorn.conf.py) here, not in /run/touchpoint
            env={**env, **settings, "WORKER_SOCKETS_DIR": str(tmp_path / "run")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(port, "/readyz", timeout=120)
        client = Client(port)
        status, _headers, body = client.get("/readyz")
        assert status == 200 and '"redis":"ok"' in body.replace(" ", "")
        status, _headers, body = client.get("/en/search?q=password")
        assert status == 200 and "/en/articles/" in body
        status = client.post_form(
            "/account/sign-in",
            "/account/sign-in",
            {"email": "admin@example.com", "password": "first admin password"},
        )[0]
        assert status == 303
        assert client.get("/admin/users")[0] == 200
    finally:
        if web:
            web.terminate()
            web.wait(timeout=40)
        subprocess.run(
            ["dropdb", "--if-exists", "-h", hostname, "-p", pg_port, "-U", user, database],
            check=False,
        )
