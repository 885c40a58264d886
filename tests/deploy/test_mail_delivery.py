"""Password-reset mail through real processes: readable in the log, retried, sent once."""

from __future__ import annotations

import email
import re
import subprocess
import time

import pytest

from tests.deploy.fake_smtp import FakeSMTPServer
from tests.processes import PROJECT_ROOT, VENV_BIN, Client, Gunicorn, app_env

pytestmark = pytest.mark.slow
LINK = re.compile(r"http://help\.test/account/password-reset/[\w.-]+")


def request_reset(port: int, address: str) -> None:
    status = Client(port).post_form(
        "/account/password-reset", "/account/password-reset", {"email": address}
    )[0]
    assert status == 200


def wait_until(condition, seconds: float, message: str):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, message
        time.sleep(0.2)
    return found


def test_without_smtp_the_reset_link_is_readable_in_the_log(site, tmp_path):
    # One worker: one request to serve, and its job thread sends the mail.
    server = Gunicorn(app_env(**site.settings()), tmp_path / "web.log", workers=1).start()
    try:
        request_reset(server.port, site.writer_email)
        # The server's own job thread (JOBS_RUNNER=thread, the default) writes it out.
        link = wait_until(
            lambda: LINK.search(server.output()), 30, "no reset link in the server's log"
        )
    finally:
        server.stop()
    log = server.output()
    assert f"mail to {site.writer_email}" in log
    assert "Subject: Reset your Planwise Help Center password" in log
    assert re.search(r"\d{4}-\d\d-\d\dT[\d:]+Z INFO app\.mail \[-\] mail to", log)
    assert link.group(0).count("/") == 5


def test_a_refusing_smtp_server_gets_the_mail_once_it_accepts(site, tmp_path):
    with FakeSMTPServer() as smtp:
        env = app_env(
            **site.settings(
                JOBS_RUNNER="worker",
                JOBS_RETRY_BASE_SECONDS=1,
                JOBS_POLL_SECONDS=1,
                MAIL_SERVER="127.0.0.1",
                MAIL_PORT=smtp.port,
                MAIL_USE_TLS="false",
            )
        )
        web = Gunicorn(env, tmp_path / "web.log", workers=1).start()  # serves one request
        logs = [open(tmp_path / f"worker{n}.log", "wb") for n in range(2)]  # noqa: SIM115
        workers = [  # two workers, as on two hosts: still one delivery
            subprocess.Popen(
                [str(VENV_BIN / "flask"), "jobs", "work"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        try:
            request_reset(web.port, site.writer_email)
            wait_until(lambda: smtp.refused >= 2, 60, "the worker did not retry")
            status = subprocess.run(
                [str(VENV_BIN / "flask"), "jobs", "status"],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
            assert "pending 1" in status or "running 1" in status, status
            assert f"mail to {site.writer_email}" in status
            assert smtp.messages == []
            smtp.accepting = True
            wait_until(lambda: smtp.messages, 60, "the mail was not sent once accepted")
            time.sleep(4)  # room for a second, wrong delivery
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=30)
            for log in logs:
                log.close()
            web.stop()
    assert len(smtp.messages) == 1
    message = email.message_from_string(smtp.messages[0])
    assert message["To"] == site.writer_email
    assert LINK.search(message.get_payload(decode=True).decode())
    worker_logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in range(2))
    assert "retry in" in worker_logs and "delivered: mail to writer@example.com" in worker_logs
