"""Writers take turns across a host's processes (app/write_gate.py); readers never wait."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import contextmanager

from app.write_gate import WriteGate
from tests.conftest import make_app


def gated_app(tmp_path, **overrides):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False, **overrides)
    inside, release = threading.Event(), threading.Event()

    @app.post("/_slow_write")
    def slow_write():  # a long post: holds the process's turn until released
        inside.set()
        release.wait(10)
        return "written"

    @app.route("/_quick", methods=["GET", "POST"])
    def quick():
        return "quick"

    return app, inside, release


def test_a_second_writer_waits_its_turn_while_readers_go_on(tmp_path):
    app, inside, release = gated_app(tmp_path, WRITE_GATE_TIMEOUT_SECONDS=5)
    results = {}
    first = threading.Thread(
        target=lambda: results.update(first=app.test_client().post("/_slow_write"))
    )
    first.start()
    assert inside.wait(5)
    second = threading.Thread(
        target=lambda: results.update(second=app.test_client().post("/_quick"))
    )
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the writer ahead of it
    assert app.test_client().get("/_quick").status_code == 200  # a read does not wait
    release.set()
    first.join(5)
    second.join(5)
    assert results["first"].status_code == 200 and results["second"].status_code == 200


@contextmanager
def slow_writer_inside(app, inside, release):
    """A long post holds the process's turn for the body of the with-block."""
    holder = threading.Thread(target=lambda: app.test_client().post("/_slow_write"))
    holder.start()
    assert inside.wait(5)
    yield
    release.set()
    holder.join(5)


def test_a_writer_that_waits_too_long_is_refused_and_the_turn_is_never_lost(tmp_path):
    app, inside, release = gated_app(tmp_path, WRITE_GATE_TIMEOUT_SECONDS=0.2)
    with slow_writer_inside(app, inside, release):
        assert app.test_client().post("/_quick").status_code == 503
    assert app.test_client().post("/_quick").status_code == 200  # released after the error too
    assert app.test_client().post("/_quick").status_code == 200


def test_the_gate_can_be_turned_off(tmp_path):
    app, inside, release = gated_app(tmp_path, WRITE_GATE_CONCURRENCY=0)
    with slow_writer_inside(app, inside, release):
        assert app.test_client().post("/_quick").status_code == 200


def test_writers_of_two_processes_take_turns_on_one_host(tmp_path):
    shared = {"WRITE_GATE_DIR": str(tmp_path / "gate")}
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, inside, release = gated_app(tmp_path / "one", WRITE_GATE_TIMEOUT_SECONDS=5, **shared)
    two, _inside, _release = gated_app(tmp_path / "two", WRITE_GATE_TIMEOUT_SECONDS=0.2, **shared)
    with slow_writer_inside(one, inside, release):
        assert two.test_client().post("/_quick").status_code == 503  # the host's one turn
        assert two.test_client().get("/_quick").status_code == 200  # reads never wait
    assert two.test_client().post("/_quick").status_code == 200


def test_a_busy_api_write_is_a_json_503_with_retry_after(tmp_path):
    app, inside, release = gated_app(tmp_path, WRITE_GATE_TIMEOUT_SECONDS=0.2)

    @app.post("/api/_write")
    def api_write():
        return {"written": True}

    with slow_writer_inside(app, inside, release):
        refused = app.test_client().post("/api/_write", headers={"Accept-Language": "ar"})
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    error = refused.get_json()["error"]
    assert error["code"] == "busy"
    assert error["title"] == "الموقع مشغول الآن"


HOLDER = """
import sys, time
from pathlib import Path
from app.write_gate import WriteGate
assert WriteGate(Path(sys.argv[1]), 1).enter(timeout=5) is not None
print("holding", flush=True)
time.sleep(60)
"""


def test_a_turn_held_by_a_killed_process_is_free_at_once(tmp_path):
    command = [sys.executable, "-c", HOLDER, str(tmp_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "holding"
            gate = WriteGate(tmp_path, 1)
            assert gate.enter(timeout=0.2) is None  # the other process has the host's turn
            holder.kill()  # SIGKILL: no teardown runs; the kernel drops its lock
            holder.wait()
            started = time.monotonic()
            held = gate.enter(timeout=2)
            assert held is not None and time.monotonic() - started < 0.5
            gate.leave(held)
        finally:
            holder.kill()
