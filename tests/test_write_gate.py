"""Writers take turns per process (app/write_gate.py); readers never wait for them."""

from __future__ import annotations

import threading
from contextlib import contextmanager

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
