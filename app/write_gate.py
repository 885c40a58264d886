"""A bound on the writing requests each server process runs at once, so reads keep going.

A forum reply, a sign-in or an editor save costs many times a page read (Markdown, search
rows, a password hash, a commit). Without a bound, ten people posting at once occupy ten
request threads and half the CPU, and the readers queued behind them wait seconds. Here
each process lets at most WRITE_GATE_CONCURRENCY writing requests (POST, PUT, PATCH,
DELETE) run at once; the others wait their turn without using the CPU, so readers keep the
rest of the threads and most of the CPU. A writer that waits longer than
WRITE_GATE_TIMEOUT_SECONDS is answered 503 (nothing was written).
WRITE_GATE_CONCURRENCY = 0 turns the gate off.

Counting requests (view beacons) are GETs and never wait here.
"""

from __future__ import annotations

import threading

from flask import Flask, abort, current_app, g, request

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
GATE_KEY = "write_gate"  # app.extensions: the process's semaphore


def _gate(app: Flask) -> threading.BoundedSemaphore | None:
    return app.extensions.get(GATE_KEY)


def enter_write_gate() -> None:
    """before_request: a writing request waits for its turn (503 if it waits too long)."""
    gate = _gate(current_app)
    if gate is None or request.method not in WRITING_METHODS:
        return
    if not gate.acquire(timeout=current_app.config["WRITE_GATE_TIMEOUT_SECONDS"]):
        abort(503)
    g.holds_write_gate = True


def leave_write_gate(_error: BaseException | None = None) -> None:
    """teardown_request: the next writer may go, however this request ended."""
    if g.pop("holds_write_gate", False):
        _gate(current_app).release()


def init_write_gate(app: Flask) -> None:
    concurrency = app.config["WRITE_GATE_CONCURRENCY"]
    if concurrency <= 0:
        return
    app.extensions[GATE_KEY] = threading.BoundedSemaphore(concurrency)
    # First of the before_request hooks: a waiting writer has done no work yet.
    app.before_request_funcs.setdefault(None, []).insert(0, enter_write_gate)
    app.teardown_request(leave_write_gate)
