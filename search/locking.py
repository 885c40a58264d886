"""Getting a Whoosh writer: wait for a busy index, recover a lock whose holder is gone.

Whoosh's FileStorage write lock is ``<indexname>_WRITELOCK``, held with
``flock`` (``msvcrt.locking`` on Windows). The operating system drops such a
lock when its process dies, so the lock *file* a killed process leaves behind
never blocks anyone by itself. A lock can still outlive its purpose when the
holder is alive but stuck, or when a forked child inherited the descriptor and
outlived its parent. To tell these apart, whoever takes the lock writes an
owner record next to it (``<lock>.owner``: pid, host, time) and refreshes the
time while a long rebuild runs.

On contention we retry with back-off until ``timeout``. Between tries the
lock is broken (lock file and record unlinked, so the next writer locks a
fresh file) when the record names a process on this host that no longer
exists, or when the record has not been refreshed for ``stale_after``
seconds. After ``timeout`` a busy index raises :class:`IndexBusyError`; the
caller (the search outbox) retries later.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from dataclasses import dataclass

from whoosh.index import Index, LockError
from whoosh.writing import IndexWriter

log = logging.getLogger(__name__)

OWNER_SUFFIX = ".owner"
LOCK_NAME = "WRITELOCK"


class IndexBusyError(LockError):
    """Another writer held the index for longer than the timeout allows."""


@dataclass
class LockPolicy:
    """How long to wait for a write lock, and when a held lock counts as abandoned."""

    timeout: float = 10.0
    stale_after: float = 300.0
    first_delay: float = 0.02
    max_delay: float = 0.5


def lock_path(ix: Index) -> str | None:
    """The write lock's file path, or None for storage without files (RAM)."""
    folder = getattr(ix.storage, "folder", None)
    if folder is None:
        return None
    return os.path.join(folder, f"{ix.indexname}_{LOCK_NAME}")


def acquire_writer(ix: Index, policy: LockPolicy, **writer_args) -> IndexWriter:
    """A writer for ``ix``, waiting and breaking an abandoned lock as the module says."""
    deadline = time.monotonic() + policy.timeout
    delay = policy.first_delay
    while True:
        try:
            writer = ix.writer(timeout=0.0, **writer_args)
        except LockError:
            if break_abandoned_lock(ix, policy.stale_after):
                continue
            if time.monotonic() >= deadline:
                raise IndexBusyError(
                    f"search index {ix.storage!r} is locked by another writer"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, policy.max_delay)
            continue
        write_owner(ix)
        return writer


def write_owner(ix: Index) -> None:
    """Record this process as the lock holder (also used as a heartbeat)."""
    path = lock_path(ix)
    if path is None:
        return
    record = {"pid": os.getpid(), "host": socket.gethostname(), "time": time.time()}
    tmp = f"{path}{OWNER_SUFFIX}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(tmp, path + OWNER_SUFFIX)


def clear_owner(ix: Index) -> None:
    """Remove the owner record if it is ours."""
    path = lock_path(ix)
    if path is None:
        return
    record = read_owner(path)
    if record is not None and record.get("pid") == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + OWNER_SUFFIX)


def read_owner(path: str) -> dict | None:
    """The owner record of a lock file, or None if absent or unreadable."""
    try:
        with open(path + OWNER_SUFFIX, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def break_abandoned_lock(ix: Index, stale_after: float) -> bool:
    """Unlink a held lock whose holder is gone or silent too long; True if broken."""
    path = lock_path(ix)
    if path is None:
        return False
    record = read_owner(path)
    if record is None:
        try:
            age = time.time() - os.path.getmtime(path)
        except OSError:
            return False
        reason = f"lock file untouched for {age:.0f}s" if age > stale_after else None
    else:
        reason = _abandoned_reason(record, stale_after)
    if reason is None:
        return False
    log.warning("breaking search index write lock %s: %s", path, reason)
    for name in (path, path + OWNER_SUFFIX):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
    return True


def _abandoned_reason(record: dict, stale_after: float) -> str | None:
    pid = record.get("pid")
    same_host = record.get("host") == socket.gethostname()
    if same_host and isinstance(pid, int) and pid != os.getpid() and not _process_exists(pid):
        return f"holder pid {pid} is gone"
    age = time.time() - float(record.get("time", 0) or 0)
    if age > stale_after:
        return f"holder {record.get('host')}:{pid} silent for {age:.0f}s"
    return None


def _process_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate it there; assume alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
