"""A bound on the writing requests a host runs at once, across its server processes.

A forum reply, a sign-in or an editor save costs several page reads of CPU (a reply ~20 ms
in the app and ~6 ms in PostgreSQL against ~10 ms for a rendered article). Ten people
posting at once would take most of a small machine's CPU from its readers: gunicorn's five
processes on 2 CPUs ran five writers at once even with one per process, and nginx,
serving cached pages, got what was left. So the server processes of one host together
run at most WRITE_GATE_CONCURRENCY writing requests (POST, PUT, PATCH, DELETE) at once;
the others wait their turn without using the CPU, and readers keep it. The bound is per
host because what it shares out is the host's CPU (each host of several has its own).

A turn is one of WRITE_GATE_CONCURRENCY lock files in WRITE_GATE_DIR (a local folder;
empty: instance/write-gate), held with flock: the kernel frees a turn when its process
dies, even by SIGKILL, so a crash never leaves a turn taken. Within a process, writers
first queue on a semaphore, so only as many writers per process as there are turns look
for a free one (every POLL_SECONDS; a turn changes hands every few tens of ms), and a
process that has just given a turn back does not take it again before the others had
their chance.
A writer that waits longer than WRITE_GATE_TIMEOUT_SECONDS in all is answered 503 with
Retry-After, before anything is read or written: nothing was saved, and the page offers
to send the same form again (errors.py renders it). WRITE_GATE_CONCURRENCY = 0 turns the
gate off.

Counting requests (view beacons) are GETs and never wait here.
"""

from __future__ import annotations

import fcntl
import os
import random
import threading
import time
from pathlib import Path

from flask import Flask, current_app, g, request
from werkzeug.exceptions import ServiceUnavailable

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
GATE_KEY = "write_gate"  # app.extensions: the process's WriteGate
POLL_SECONDS = 0.005
RETRY_AFTER_SECONDS = 5


class WriteGateBusy(ServiceUnavailable):
    """No turn came within WRITE_GATE_TIMEOUT_SECONDS: nothing was done."""


class WriteGate:
    """`turns` lock files under `folder`, shared by every process that opens the same folder."""

    def __init__(self, folder: Path | None, turns: int):
        self.folder, self.turns = folder, turns
        self.in_process = threading.BoundedSemaphore(turns)
        self.released_at = float("-inf")  # when this process last gave a turn back

    def enter(self, timeout: float) -> int | None:
        """Wait for a turn: the held lock file's descriptor, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        if not self.in_process.acquire(timeout=timeout):
            return None
        held = None
        try:
            held = self._take_turn(deadline)
        finally:
            if held is None:  # timed out (or failed): the next writer of this process goes
                self.in_process.release()
        return held

    def leave(self, held: int) -> None:
        os.close(held)  # closing the descriptor frees its flock
        self.released_at = time.monotonic()
        self.in_process.release()

    def _take_turn(self, deadline: float) -> int | None:
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        # One descriptor per turn for this writer: an flock belongs to an open file, so
        # two writers of one process never share one by accident.
        files = [os.open(self.folder / f"turn-{n}", flags, 0o600) for n in range(self.turns)]
        held = None
        try:
            if time.monotonic() - self.released_at < POLL_SECONDS:
                # This process has just given a turn back, while the writers of the others
                # look for one at moments of their own: its next writer waits a random part
                # of their interval first, or the turn would stay in this process while
                # the others' writers wait (one of 193 posts waited 20 s and got a 503).
                time.sleep(random.uniform(0, POLL_SECONDS))
            while held is None:
                for descriptor in files:
                    try:
                        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue
                    held = descriptor
                    break
                else:
                    if time.monotonic() >= deadline:
                        return None
                    time.sleep(POLL_SECONDS)
            return held
        finally:
            for descriptor in files:
                if descriptor != held:
                    os.close(descriptor)


def gate_folder(app: Flask) -> Path:
    return Path(app.config["WRITE_GATE_DIR"] or Path(app.instance_path) / "write-gate")


def enter_write_gate() -> None:
    """before_request: a writing request waits for its turn (503 if it waits too long)."""
    gate = current_app.extensions.get(GATE_KEY)
    if gate is None or request.method not in WRITING_METHODS:
        return
    if gate.folder is None:  # the instance folder is known once the app serves (tests move it)
        folder = gate_folder(current_app)
        folder.mkdir(parents=True, exist_ok=True)
        gate.folder = folder
    held = gate.enter(current_app.config["WRITE_GATE_TIMEOUT_SECONDS"])
    if held is None:
        raise WriteGateBusy(retry_after=RETRY_AFTER_SECONDS)
    g.write_turn = held


def leave_write_gate(_error: BaseException | None = None) -> None:
    """teardown_request: the next writer may go, however this request ended."""
    held = g.pop("write_turn", None)
    if held is not None:
        current_app.extensions[GATE_KEY].leave(held)


def init_write_gate(app: Flask) -> None:
    turns = app.config["WRITE_GATE_CONCURRENCY"]
    if turns <= 0:
        return
    app.extensions[GATE_KEY] = WriteGate(None, turns)
    # First of the before_request hooks: a waiting writer has done no work yet.
    app.before_request_funcs.setdefault(None, []).insert(0, enter_write_gate)
    app.teardown_request(leave_write_gate)
