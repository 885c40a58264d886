"""Killing a process while it indexes loses nothing: real processes, a real SIGKILL.

The app runs as `flask` subprocesses against a SQLite file and an index folder
in a temporary directory. A process is killed the moment it holds the index's
write lock (its owner record appears), i.e. after its database commit and
before its index commit, which is the window the search outbox exists for.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import CONTENT_DIR, PROJECT_ROOT

FLASK = [sys.executable, "-m", "flask", "--app", "app"]
KILL_WAIT_SECONDS = 60

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    env.update(
        {
            "TOUCHPOINT_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
            "TOUCHPOINT_SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "TOUCHPOINT_CONTENT_DIR": str(CONTENT_DIR),
            "TOUCHPOINT_SECRET_KEY": "crash-test",
            **{f"TOUCHPOINT_{k}": v for k, v in settings.items()},
        }
    )
    return env


def flask(tmp_path: Path, *args: str, **settings: str) -> str:
    done = subprocess.run(
        [*FLASK, *args],
        cwd=PROJECT_ROOT,
        env=environment(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def owner_records(index_dir: Path) -> list[Path]:
    return sorted(index_dir.glob("*/*_WRITELOCK.owner"))


def kill_while_indexing(tmp_path: Path, command: list[str]) -> None:
    """Start ``command`` and SIGKILL it as soon as it holds an index write lock."""
    index_dir = tmp_path / "index"
    before = {p: p.stat().st_mtime_ns for p in owner_records(index_dir)}
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=environment(tmp_path, SEARCH_SYNC_ON_START="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    try:
        while time.monotonic() < deadline:
            fresh = [
                p
                for p in owner_records(index_dir)
                if before.get(p) != p.stat().st_mtime_ns and str(process.pid) in p.read_text()
            ]
            if fresh:
                break
            assert process.poll() is None, f"{command} finished before it was killed"
            time.sleep(0.002)
        else:
            pytest.fail(f"{command} never took the index write lock")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def pending_rows(tmp_path: Path) -> int:
    with closing(sqlite3.connect(tmp_path / "app.sqlite3")) as connection:
        return connection.execute("SELECT count(*) FROM search_outbox").fetchone()[0]


def status_counts(output: str) -> tuple[dict[str, tuple[int, int]], int]:
    per_locale = {
        locale: (int(in_db), int(in_index))
        for locale, in_db, in_index in re.findall(r"(\w+): database (\d+), index (\d+)", output)
    }
    pending = int(re.search(r"pending outbox rows: (\d+)", output).group(1))
    return per_locale, pending


def assert_in_step(output: str) -> None:
    per_locale, pending = status_counts(output)
    assert pending == 0, output
    assert set(per_locale) == {"en", "ja", "ar"}, output
    for locale, (in_db, in_index) in per_locale.items():
        assert in_db > 0 and in_db == in_index, f"{locale}: {output}"


# One process creates the schema and imports the demo content: its outbox rows
# commit with the articles, then the after-commit drain indexes them.
CREATE_AND_IMPORT = (
    "from pathlib import Path\n"
    "from app import create_app\n"
    "from app.extensions import db\n"
    "from app.kb.content_sync import import_content\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    db.create_all()\n"
    "    import_content(Path(app.config['CONTENT_DIR']), tuple(app.config['LOCALES']))\n"
)


def test_a_killed_import_and_a_killed_reindex_lose_nothing(tmp_path):
    # 1. A bulk import commits articles and outbox rows, then dies while indexing them.
    kill_while_indexing(tmp_path, [sys.executable, "-c", CREATE_AND_IMPORT])
    assert pending_rows(tmp_path) > 0, "the killed import left no outbox rows to retry"
    assert owner_records(tmp_path / "index"), "the killed writer left no lock record behind"

    # `flask search sync` (no start-up sync) gets past the dead writer's lock and applies
    # every row; the dead writer's record is replaced by its own, then removed.
    output = flask(tmp_path, "search", "sync", SEARCH_SYNC_ON_START="false")
    assert re.search(r"applied [1-9]\d*, pending 0", output), output
    assert not owner_records(tmp_path / "index"), "the lock record was not cleaned up"
    assert pending_rows(tmp_path) == 0

    # 2. A reindex killed half-way leaves the old index serving and its lock behind; the
    # next start of the app (start-up sync on, as by default) and its status see it whole.
    kill_while_indexing(tmp_path, [*FLASK, "search", "reindex"])
    assert owner_records(tmp_path / "index")
    assert_in_step(flask(tmp_path, "search", "status"))
