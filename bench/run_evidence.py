"""Where a load run's time went: CPU per process tree, nginx's cache statuses, app hits.

Wall-clock rps on a shared machine says little alone; these say why it moved. Around a
run, `Evidence` reads the CPU seconds of nginx, gunicorn (workers included, recycled ones
too), the PostgreSQL backends of the run's database and how busy the whole machine was
from /proc, and the lines both access logs gained: how nginx
answered the readers (HIT, STALE, UPDATING, MISS, BYPASS …) and how many reads reached
gunicorn, how long they took there, how long they waited for a worker before that (nginx's
upstream time less gunicorn's) and which worker served them, how many workers
gunicorn (re)started during the run and how much memory its workers hold at its end.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
NGINX_LINE = re.compile(r'"GET (\S+) [^"]*" \d+ \d+ \S+ up=(.*?)s cache=(\S*) rid=(\w+)')
GUNICORN_LINE = re.compile(r'"(GET|POST) (\S+) [^"]*" (\d+) \S+ (\d+)ms <(\d+)>(?: rid=(\w+))?')
WORKER_BOOT = re.compile(r"Booting worker with pid")


def _children(pid: int) -> list[int]:
    try:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return found
    except OSError:
        return []


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of `pid`, its reaped children and its live descendants."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = sum(int(f) for f in fields[11:15]) / TICKS  # utime stime cutime cstime
    return own + sum(tree_cpu_seconds(child) for child in _children(pid))


def workers_rss_mb(pid: int) -> list[int]:
    """Resident memory (MiB) of each live child of `pid` (gunicorn's workers), largest first."""
    found = []
    for child in _children(pid):
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        found.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
    return sorted(found, reverse=True)


def database_backends(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` (named in its title)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            found[int(entry.name)] = tree_cpu_seconds(int(entry.name))
    return found


def database_sessions(admin_url: str, database: str) -> int:
    """Sessions PostgreSQL has opened on `database` so far (pg_stat_database.sessions)."""
    query = f"SELECT sessions FROM pg_stat_database WHERE datname = '{database}'"
    output = subprocess.run(
        ["psql", f"{admin_url}/postgres", "-Atc", query], capture_output=True, text=True
    ).stdout.strip()
    return int(output or 0)


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Evidence:
    """CPU and log deltas between `start()` and `finish()` for one wrk run."""

    def __init__(
        self,
        nginx_pid: int,
        gunicorn_pid: int,
        admin_url: str,
        database: str,
        nginx_log: Path,
        gunicorn_log: Path,
    ):
        self.pids = {"nginx": nginx_pid, "gunicorn": gunicorn_pid}
        self.admin_url, self.database = admin_url, database
        self.logs = {"nginx": nginx_log, "gunicorn": gunicorn_log}

    def start(self) -> Evidence:
        time.sleep(1.5)  # nginx flushes its buffered access log each second
        self.offsets = {name: path.stat().st_size for name, path in self.logs.items()}
        self.cpu = {name: tree_cpu_seconds(pid) for name, pid in self.pids.items()}
        self.backends = database_backends(self.database)
        self.sessions = database_sessions(self.admin_url, self.database)
        self.own = _own_cpu_seconds()
        self.machine = machine_jiffies()
        self.started = time.monotonic()
        return self

    def finish(self, reads_prefix: str) -> dict:
        seconds = time.monotonic() - self.started
        cpu = {name: tree_cpu_seconds(pid) - self.cpu[name] for name, pid in self.pids.items()}
        backends = database_backends(self.database).items()
        cpu["postgres"] = sum(now - self.backends.get(pid, 0.0) for pid, now in backends)
        cpu["bench_writers"] = _own_cpu_seconds() - self.own
        # Connections the app opened during the run (a pool too small for the threads
        # opens and closes one per request: a PostgreSQL process started each time).
        sessions = database_sessions(self.admin_url, self.database) - self.sessions
        now = machine_jiffies()
        busy, total = now[0] - self.machine[0], now[1] - self.machine[1]
        time.sleep(1.5)
        lines = {}
        for name, path in self.logs.items():
            with open(path, "rb") as log:
                log.seek(self.offsets[name])
                lines[name] = log.read().decode("utf-8", "replace").splitlines()
        statuses: Counter[str] = Counter()
        nginx_reads = 0  # the readers' requests nginx logged
        upstream_ms = {}  # request id → nginx's time from connecting to gunicorn to its answer
        for match in map(NGINX_LINE.search, lines["nginx"]):
            if match and match.group(1).startswith(reads_prefix):
                statuses[match.group(3) or "-"] += 1
                nginx_reads += 1
                with contextlib.suppress(ValueError):  # "-": not sent to gunicorn
                    upstream_ms[match.group(4)] = 1000 * float(match.group(2))
        app_reads, app_posts, by_worker, waits = [], 0, Counter(), []
        for match in map(GUNICORN_LINE.search, lines["gunicorn"]):
            if not match:
                continue
            if match.group(1) == "POST":
                app_posts += 1
            elif match.group(2).startswith(reads_prefix):
                app_reads.append(int(match.group(4)))
                by_worker[match.group(5)] += 1
                if match.group(6) in upstream_ms:  # waited for a worker to take it
                    waits.append(max(0.0, upstream_ms[match.group(6)] - int(match.group(4))))
        return {
            "cpu_s": {name: round(value, 1) for name, value in cpu.items()},
            "machine_busy": round(busy / total, 2) if total else 0.0,
            "load_average": [round(v, 1) for v in os.getloadavg()],
            "nginx_cache_status": dict(statuses.most_common()),
            "reads_per_nginx_cpu_s": round(nginx_reads / max(cpu["nginx"], 0.01)),
            "app_reads": len(app_reads),
            "app_reads_per_s": round(len(app_reads) / seconds, 1),
            "app_read_p50_ms": statistics.median(app_reads) if app_reads else 0,
            "app_read_p99_ms": _percentile(app_reads, 0.99),
            "app_reads_by_worker": sorted(by_worker.values(), reverse=True),
            "wait_for_worker_p50_ms": round(statistics.median(waits)) if waits else 0,
            "wait_for_worker_p99_ms": round(_percentile(waits, 0.99)),
            "app_posts": app_posts,
            "postgres_sessions_opened": sessions,
            "workers_rss_mb": workers_rss_mb(self.pids["gunicorn"]),
            "worker_boots": sum(1 for line in lines["gunicorn"] if WORKER_BOOT.search(line)),
        }
