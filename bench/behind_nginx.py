"""Benchmark: reads through the shipped nginx + gunicorn, alone and while 10 writers post.

Builds a site on a scratch PostgreSQL database (the demo content with its search rows,
a forum topic per writer) with Redis as the rate-limit store, starts gunicorn with
deploy/gunicorn.conf.py and Debian's nginx (worker_processes auto, as Debian ships it)
with deploy/nginx.conf (ports and paths changed only), then runs wrk (32 connections)
over the English article pages, as anonymous readers (served by nginx's micro-cache) and
with a session cookie (every read rendered by the app): each after an unmeasured 5 s run
that warms every worker (templates compiled, what workers keep filled), first alone (the
baseline), then while WRITERS threads post forum replies (one POST each, the session's CSRF token
reused; a writer whose request fails signs in again) as fast as they are answered.
Prints JSON: rps, p50 and p99 of every run, how evenly the readers waited (p99 over the
mean latency: it does not move with the CPU a shared machine gives), the ratios (also per
CPU second of what serves the reads: the ratio the same CPU would have given), the posts
written, and for every run where its time went (bench/run_evidence.py): CPU seconds of
nginx, gunicorn, the run's PostgreSQL backends and wrk, how busy the machine was and its
load average (it may be shared), how nginx answered the readers (HIT, STALE, UPDATING,
BYPASS …), how many reads reached gunicorn, how long they took there, how long they waited
for a worker to take them and which worker served them, worker restarts and the workers'
memory.

    .venv/bin/python bench/behind_nginx.py [--seconds 60] [--connections 32] [--writers 10]
                                            [--modes cached,uncached] [--sessions one|services]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.run_evidence import Evidence  # noqa: E402
from tests.processes import (  # noqa: E402
    CSRF,
    Client,
    Gunicorn,
    Nginx,
    app_env,
    free_port,
)

POSTGRES = os.environ.get("TOUCHPOINT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("TOUCHPOINT_BENCH_REDIS", "redis://127.0.0.1:6379/3")
PASSWORD = "correct horse battery"
LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Host"] = "help.test"%s})
end
"""


def postgres_options() -> list[str]:
    """createdb/dropdb options for the server of POSTGRES."""
    admin = POSTGRES.split("://", 1)[1]
    user, _, host = admin.partition("@")
    hostname, _, port = host.partition(":")
    return ["-h", hostname, "-p", port or "5432", "-U", user]


def build_site(folder: Path, database_url: str, writers: int) -> dict:
    settings = {
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(folder / "media"),
    }
    app = create_app(settings)
    with app.app_context():
        from app.accounts.models import User
        from app.clock import utcnow
        from app.forum.models import ForumCategory
        from app.forum.paths import topic_path
        from app.forum.posting import create_topic
        from app.forum.seeding import ensure_categories
        from app.kb import services
        from app.kb.content_sync import import_content

        db.create_all()
        import_content(ROOT / "content", tuple(app.config["LOCALES"]))
        ensure_categories()
        writer = User(email="writer@example.com", display_name="Writer", role="customer")
        writer.set_password(PASSWORD)
        writer.created_at = utcnow() - timedelta(days=30)
        db.session.add(writer)
        db.session.commit()
        category = db.session.scalars(db.select(ForumCategory)).first()
        topics = [  # one per writer: a reply re-indexes its whole topic
            create_topic(writer, category, "en", f"Load drill {n}", f"Replies to drill {n}.")
            for n in range(writers)
        ]
        articles = [f"/en/articles/{a.slug}" for a in services.published_for_feed("en", 1000)]
        paths = [topic_path("en", topic.id, topic.title) for topic in topics]
        found = {"topics": paths, "articles": articles}
        db.session.remove()
        db.engine.dispose()
    return found


def run_wrk(port: int, seconds: int, connections: int, script: Path, own_session=False) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True, start_new_session=own_session,
    ).stdout  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)

    def millis(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 1)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), 1),
        "p50_ms": millis("50%"),
        "p99_ms": millis("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "wrk_cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
    }


def measured(port: int, args: argparse.Namespace, script: Path, evidence: Evidence) -> dict:
    """One wrk run over the article pages, with where its time went (bench/run_evidence.py)."""
    evidence.start()
    result = run_wrk(port, args.seconds, args.connections, script, args.sessions == "services")
    # p99 over the mean latency of the run (connections / rps, Little's law): how unevenly
    # the readers were served, whatever CPU the run got on a shared machine (both move
    # with it). 1 would be every read waiting alike.
    mean_ms = 1000 * args.connections / max(result["rps"], 0.01)
    result["p99_over_mean"] = round(result["p99_ms"] / mean_ms, 2)
    return {**result, **evidence.finish("/en/articles/")}


def reads_per_serving_cpu(run: dict, mode: str) -> float:
    """Reads per CPU second of what serves them: nginx (cached), gunicorn + PostgreSQL (not).

    On a shared machine the CPU a run gets varies; this ratio between two runs is the rps
    ratio the same CPU would have given (for rendered reads: the app's CPU the reads kept).
    """
    cpu = run["cpu_s"]
    serving = cpu["nginx"] if mode == "cached" else cpu["gunicorn"] + cpu["postgres"]
    return run["rps"] / max(serving, 0.01)


def start_writers(port: int, topics: list[str], stop: threading.Event, posted: list) -> list:
    def write(number: int) -> None:
        topic = topics[number]
        reply = "/".join(topic.split("/")[:5]) + "/reply"  # /en/community/topics/<id>/reply
        client, token, sequence = Client(port, timeout=30), None, 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                if token is None:  # signs in (again, after a failure)
                    client.cookies.clear()
                    client.post_form(
                        "/account/sign-in", "/account/sign-in",
                        {"email": "writer@example.com", "password": PASSWORD},
                    )  # fmt: skip
                    token = CSRF.search(client.get(topic)[2]).group(1)  # bound to the session
                    continue
                sequence += 1
                body = f"Load reply {number}-{sequence}-{time.monotonic_ns()}: export to CSV?"
                status = client.request("POST", reply, form={"body": body, "csrf_token": token})[0]
            except (OSError, AttributeError):  # timed out, or no form on the page
                status, token = "failed", None
                time.sleep(0.5)
            posted.append((status, time.monotonic() - started))

    threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(len(topics))]
    for thread in threads:
        thread.start()
    return threads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--modes", default="cached,uncached", help="which reads to measure")
    parser.add_argument(
        "--sessions",
        choices=("one", "services"),
        default="one",
        help="one: every process in this session, which the kernel's autogroup scheduling"
        " gives one share of the CPU, split thread by thread (nginx against every gunicorn"
        " and writer thread); services: nginx and wrk each in a session of its own, as"
        " systemd's cgroups give nginx its own share and as readers are other machines",
    )
    args = parser.parse_args()
    database = f"tp_ops_bench_{uuid.uuid4().hex[:8]}"
    pg = postgres_options()
    subprocess.run(["createdb", *pg, database], check=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "media").mkdir()
        url = f"{POSTGRES}/{database}"
        site = build_site(folder, url, args.writers)
        env = app_env(
            DATABASE_URL=url,
            MEDIA_DIR=str(folder / "media"),
            RATELIMIT_STORAGE_URI=REDIS,
            RATELIMIT_POSTING="100000 per minute",
            RATELIMIT_SIGN_IN="100000 per minute",  # the writers sign in again for each phase
            SPAM_NEW_ACCOUNT_POSTS_PER_HOUR="1000000",
            FORUM_DUPLICATE_WINDOW_SECONDS="0",
            PROXY_HOPS="1",
            JOBS_RUNNER="worker",
            LOG_LEVEL="WARNING",
            WRITE_GATE_DIR=str(folder / "write-gate"),  # this site's workers (as instance/ is)
        )
        app_port = free_port()
        workers = int(os.environ.get("WEB_CONCURRENCY", 2 * os.cpu_count() + 1))  # as shipped
        gunicorn = Gunicorn(env, folder / "gunicorn.log", port=app_port, workers=workers)
        nginx = None
        try:
            gunicorn.start(timeout=120)  # answers /healthz
            nginx = Nginx(
                folder / "nginx",
                gunicorn,
                folder / "media",
                workers="auto",
                own_session=args.sessions == "services",
            ).start()

            def evidence() -> Evidence:
                return Evidence(
                    nginx.process.pid,
                    gunicorn.process.pid,
                    POSTGRES,
                    database,
                    nginx.folder / "touchpoint.access.log",
                    gunicorn.log_path,
                )

            paths = ", ".join(f'"{p}"' for p in site["articles"])
            results, posted = {}, []
            # "cached": anonymous readers, whom nginx's micro-cache serves; "uncached": each
            # request carries a session cookie, so every read is rendered by the app.
            modes = {"cached": "", "uncached": ', ["Cookie"] = "session=x"'}
            for mode in args.modes.split(","):
                extra = modes[mode]
                script = folder / f"{mode}.lua"
                script.write_text(LUA % (paths, extra))
                run_wrk(nginx.port, 5, args.connections, script)  # warm every worker
                alone = measured(nginx.port, args, script, evidence())
                stop = threading.Event()
                threads = start_writers(nginx.port, site["topics"], stop, posted)
                time.sleep(2)
                with_writers = measured(nginx.port, args, script, evidence())
                stop.set()
                for thread in threads:
                    thread.join(timeout=30)
                results[mode] = {
                    "reads_alone": alone,
                    "reads_with_writers": with_writers,
                    "rps_ratio": round(with_writers["rps"] / alone["rps"], 3),
                    "cpu_normalized_ratio": round(
                        reads_per_serving_cpu(with_writers, mode)
                        / reads_per_serving_cpu(alone, mode),
                        3,
                    ),
                    "targets_met": with_writers["rps"] >= 0.7 * alone["rps"]
                    and with_writers["p99_ms"] <= 500,
                }
        finally:
            if nginx:
                nginx.stop()
            gunicorn.stop()
            subprocess.run(["dropdb", "--if-exists", *pg, database], check=False)
    print(
        json.dumps(
            {
                "seconds": args.seconds,
                "sessions": args.sessions,
                "connections": args.connections,
                "gunicorn_workers": gunicorn.workers,
                **results,
                "writers": args.writers,
                "posts_written": sum(1 for status, _s in posted if status == 303),
                "post_statuses": dict(Counter(str(status) for status, _s in posted)),
                "post_p50_ms": round(1000 * statistics.median([s for _st, s in posted] or [0])),
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
