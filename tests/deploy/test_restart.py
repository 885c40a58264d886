"""SIGKILL the gunicorn master under write load; the shipped config restarts at once."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time

import pytest

from tests.deploy.conftest import WRITER_PASSWORD
from tests.processes import Client, Gunicorn, app_env, free_port

pytestmark = pytest.mark.slow
WRITERS = 10


def test_sigkill_restart_binds_at_once_and_loses_no_acknowledged_post(site, tmp_path):
    port = free_port()
    env = app_env(**site.settings())
    first = Gunicorn(env, tmp_path / "first.log", port=port).start()
    second = None
    orphans: list[int] = []
    acknowledged: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()
    reply_path = "/".join(site.topic_path.split("/")[:5]) + "/reply"  # .../topics/<id>/reply

    def write(number: int) -> None:
        client = Client(port, timeout=10)
        signed_in = False
        sequence = 0
        while not stop.is_set():
            try:
                if not signed_in:
                    status = client.post_form(
                        "/account/sign-in",
                        "/account/sign-in",
                        {"email": site.writer_email, "password": WRITER_PASSWORD},
                    )[0]
                    signed_in = status == 303
                    continue
                sequence += 1
                body = f"ack-{number}-{sequence} reply from writer {number}"
                status = client.post_form(site.topic_path, reply_path, {"body": body})[0]
                if status == 303:  # the server said: saved
                    with lock:
                        acknowledged.append(body)
            except OSError:  # the server is down or restarting: try again
                time.sleep(0.05)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    try:
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 20:
            assert time.monotonic() < deadline, "the writers saved nothing"
            time.sleep(0.1)
        orphans = first.worker_pids()
        assert orphans, "gunicorn started no workers"
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait()
        before_restart = len(acknowledged)

        second = Gunicorn(env, tmp_path / "second.log", port=port).start()
        time.sleep(0.5)
        assert second.process.poll() is None, second.output()
        assert "Connection in use" not in second.output()
        deadline = time.monotonic() + 60
        while len(acknowledged) < before_restart + 20:  # the new master serves writes
            assert time.monotonic() < deadline, "no writes after the restart"
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in writers:
            if thread.is_alive():
                thread.join(timeout=15)
        if second:
            second.stop()
        for pid in orphans:  # workers of the killed master exit by themselves; make sure
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        first.stop()

    with sqlite3.connect(site.database) as connection:
        saved = {row[0] for row in connection.execute("SELECT body_markdown FROM forum_post")}
    lost = [body for body in acknowledged if body not in saved]
    assert not lost, f"{len(lost)} acknowledged posts lost, e.g. {lost[:3]}"
    assert len(acknowledged) >= 40
