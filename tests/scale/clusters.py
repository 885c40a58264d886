"""Scratch PostgreSQL clusters for scale tests: a primary and its streaming replica.

Built with Debian's server binaries (``/usr/lib/postgresql/<version>/bin``),
run as the ``postgres`` OS user when the tests run as root, in a temporary
directory, on free ports. Nothing touches the shared server on 5432.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from tests.processes import free_port

DEBIAN_PG = Path("/usr/lib/postgresql")


def server_binaries() -> Path | None:
    """The newest Debian PostgreSQL bin directory with initdb, pg_ctl and pg_basebackup."""
    override = os.environ.get("TOUCHPOINT_TEST_PG_BIN")
    candidates = [Path(override)] if override else sorted(DEBIAN_PG.glob("*/bin"), reverse=True)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return folder
    return None


class ScratchClusters:
    """A primary and (after :meth:`add_replica`) a hot-standby replica, torn down by stop()."""

    def __init__(self, binaries: Path) -> None:
        self.bin = binaries
        self.root = Path(tempfile.mkdtemp(prefix="tp-pg-clusters-"))
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o700)
        self.running: list[Path] = []
        self.primary_port = free_port()
        self.replica_port: int | None = None

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout, cwd=self.root)

    def _start(self, data: Path, port: int) -> None:
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c shared_buffers=32MB -c max_connections=40"
        )
        self._run("pg_ctl", "-D", str(data), "-l", f"{data}.log", "-o", options, "-w", "start")
        self.running.append(data)

    def start_primary(self) -> str:
        data = self.root / "primary"
        self._run(
            "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        self._start(data, self.primary_port)
        return self.url(self.primary_port)

    def add_replica(self) -> str:
        """pg_basebackup -R of the primary, started as a hot standby on another port."""
        data = self.root / "replica"
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(data), "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        self.replica_port = free_port()
        self._start(data, self.replica_port)
        return self.url(self.replica_port)

    @staticmethod
    def url(port: int) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def sql(self, port: int, statement: str):
        """Run one statement as the superuser; returns the first column of the first row."""
        engine = sa.create_engine(self.url(port).replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as conn:
                return conn.execute(sa.text(statement)).scalar()
        finally:
            engine.dispose()

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        assert self.replica_port is not None
        target = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replayed = self.sql(
                self.replica_port,
                f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
            )
            if replayed:
                return
            time.sleep(0.05)
        raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")

    def stop(self) -> None:
        for data in reversed(self.running):
            with contextlib.suppress(subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
