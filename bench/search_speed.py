"""Search benchmark: the database search store, the app API, suggest, writes; prints JSON.

    .venv/bin/python bench/search_speed.py                  # 10,000 articles + 100,000 topics
    .venv/bin/python bench/search_speed.py --small          # a tenth of that, for a quick run
    .venv/bin/python bench/search_speed.py --out result.json --db /tmp/bench.sqlite3
    .venv/bin/python bench/search_speed.py --database-url postgresql://postgres@127.0.0.1/tp_pg
    .venv/bin/python bench/search_speed.py --scale 0.1 --build-only --workers 2   # reindex speed
    .venv/bin/python bench/search_speed.py --database-url … --keep-schema bench_full  # build once

The corpus is deterministic (``bench/search_corpus.py``: fixed seed, 50%
English, 25% Japanese, 25% Arabic; articles of 220-380 words, forum topics
of 30-160). 500 search queries of one to three mid-frequency words (8% with
a typo, 5% quoted) and 500 as-you-type prefixes of real titles, each after
25 warm-up queries that are not counted. Latencies are per call, in ms,
wall-clock and this thread's CPU time:

(a) ``build``: every document analyzed and written into the app's SQLite
    file by ``SearchStore.write`` in transactions of 1,000, analysis on a
    ``BulkAnalyzer``'s worker per core (what ``flask search reindex`` does
    after loading rows), and the file's size; ``cpu_seconds`` is this
    process's (reading, writing, SQLite), ``workers_cpu_seconds`` the
    workers' (analysis).
(b) ``raw_search``: ``SearchStore.search`` straight on one connection.
(c) ``api_search``: ``GET /api/v1/search`` through the Flask test client
    against the real app on that file: synonyms read, the search event
    recorded and committed, JSON rendered. (c)/(b) is the app's own cost.
(d) ``raw_suggest`` / ``api_suggest``: ``SearchStore.suggest`` and ``GET
    /api/v1/suggest`` as the header box calls it; ``api_instant_record`` the
    box's once-per-settled-query ``POST /api/v1/instant-searches``.
(e) ``reply_write``: ``create_reply`` (the whole write: post, counters,
    notifications, its search row, commit) into a topic with 1 and with
    1,000 replies, once the app's job thread has delivered the mail the
    setup's 1,000 replies queued (``setup_jobs_drained``).
(f) ``fts5_baseline``: bare FTS5 bm25() over the same tokens
    (``bench/search_baselines.py``), built from the same corpus in the same run.

``--compare PATH`` adds an earlier run's numbers (e.g. the Whoosh engine's,
measured before it was removed) beside this run's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import summarize  # noqa: E402
from bench.search_baselines import fts_build, fts_search  # noqa: E402
from bench.search_corpus import (  # noqa: E402
    LOCALE_SHARE,
    SEED,
    WARMUP,
    corpus,
    search_queries,
    suggest_queries,
)
from bench.search_database import BenchDatabase  # noqa: E402
from search.bulk import BulkAnalyzer  # noqa: E402
from search.query import SearchQuery  # noqa: E402

SMALL_SCALE = 0.1
WRITE_BATCH = 1000
REPLIES_IN_LONG_TOPIC = 1000
REPLY_SAMPLES = 30
TARGETS = {
    "api_search_p95_ms": 30.0,
    "api_suggest_p95_ms": 10.0,
    "api_over_raw_p95": 1.3,
    "reindex_110k_seconds": 180.0,
    "reply_write_p95_ms": 30.0,
}
POSTGRES_TARGETS = {
    **TARGETS,
    "api_search_p95_ms": 50.0,
    "api_suggest_p95_ms": 20.0,
    "reindex_110k_seconds": 300.0,
}
"""Issue 11's targets for the PostgreSQL backend (``--database-url``)."""


def timed(calls: dict, runs: list[tuple[str, str]], warmup: int = WARMUP) -> dict:
    """For each named ``call(locale, text)``: wall-clock p50/p95/p99/mean over ``runs`` after
    ``warmup``, and the same for the CPU time this thread spent (``cpu``).

    The calls are interleaved query by query, in an order that rotates, so a
    comparison between them (the app's overhead over the raw engine) is not
    skewed by whichever ran first warming the disk cache. On a shared machine
    wall-clock includes waiting for a core; CPU time is what the query itself
    cost. Neither includes the other's blind spot: CPU time leaves out waiting
    for the disk (an SQLite commit's fsync).
    """
    names = list(calls)
    for locale, text in runs[:warmup]:
        for name in names:
            calls[name](locale, text)
    wall: dict = {name: [] for name in names}
    cpu: dict = {name: [] for name in names}
    for i, (locale, text) in enumerate(runs):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            c0, t0 = time.thread_time(), time.perf_counter()
            calls[name](locale, text)
            wall[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.thread_time() - c0) * 1000)
    report = {}
    for name in names:
        stats = summarize(wall[name])
        stats["cpu"] = {k: v for k, v in summarize(cpu[name]).items() if k != "n"}
        report[name] = stats
    return report


def make_bench_app(url: str, folder: str):
    """The real app on the bench's database (a SQLite file in WAL mode, or PostgreSQL)."""
    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.instance_path = folder
    with app.app_context():
        db.create_all()
    return app


def build(app, docs, database: BenchDatabase, workers: int | None = None) -> dict:
    """Analyze and write every document, WRITE_BATCH per transaction; seconds and size."""
    from app.extensions import db
    from app.site_search.engine import search_store

    with app.app_context():
        store = search_store()
        c0, t0 = time.process_time(), time.perf_counter()
        workers0 = _children_cpu()
        with BulkAnalyzer(workers) as analyzer:
            for start in range(0, len(docs), WRITE_BATCH):
                with db.engine.begin() as conn:
                    store.write(conn, docs[start : start + WRITE_BATCH], analyzer)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        workers_cpu = _children_cpu() - workers0
        database.compact(db.engine)
        db_mb = database.size_mb(db.engine)
        db.session.remove()
    return {
        "seconds": round(seconds, 1),
        "docs_per_second": round(len(docs) / seconds),
        "seconds_per_110k_docs": round(seconds * 110_000 / len(docs), 1),
        "cpu_seconds": round(cpu, 1),
        "cpu_seconds_per_110k_docs": round(cpu * 110_000 / len(docs), 1),
        "analyzer_workers": analyzer.workers,
        "workers_cpu_seconds": round(workers_cpu, 1),
        "db_mb": db_mb,
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }


def reused(app, database: BenchDatabase) -> dict | None:
    """A kept schema's rows and size when an earlier run built it (``--keep-schema``)."""
    from app.extensions import db

    with app.app_context():
        rows = database.built(db.engine)
        if not rows:
            return None
        database.compact(db.engine)
        report = {"reused_schema": database.schema, "rows": rows}
        report["db_mb"] = database.size_mb(db.engine)
        db.session.remove()
    return report


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the analyzer workers, once stopped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reply_writes(app) -> dict:
    """create_reply into a fresh topic and into one with REPLIES_IN_LONG_TOPIC replies."""
    from app.accounts.models import User
    from app.extensions import db
    from app.forum.models import ForumCategory
    from app.forum.seeding import ensure_categories
    from app.forum.services import create_reply, create_topic

    with app.app_context():
        ensure_categories()
        users = []
        for n in range(2):
            # Long-standing accounts: new ones may post only a few times an hour. The pid
            # keeps them apart from an earlier run's in a kept schema.
            user = User(
                email=f"bench{n}-{os.getpid()}@example.com",
                display_name=f"Bench {n}",
                created_at=datetime(2020, 1, 1),
            )
            user.set_password("bench password 123")
            db.session.add(user)
            users.append(user)
        db.session.commit()
        category = db.session.scalars(db.select(ForumCategory)).first()
        long_topic = create_topic(
            users[0], category, "en", "A long thread about widgets", "First question.", []
        )
        for n in range(REPLIES_IN_LONG_TOPIC):
            create_reply(users[n % 2], long_topic, f"Reply {n} about gadget {n * 7919 % 10007}.")
        drained = wait_for_jobs(db)
        report = {"setup_jobs_drained": drained}
        for name in ("short_topic", "long_topic"):
            topic = long_topic
            if name == "short_topic":
                topic = create_topic(users[0], category, "en", "A short thread", "Question.", [])
            wall, cpu = [], []
            for n in range(REPLY_SAMPLES):
                c0, t0 = time.thread_time(), time.perf_counter()
                create_reply(users[n % 2], topic, f"Sample {name} reply {n} on sprocket {n}.")
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
            stats = summarize(wall)
            stats["cpu"] = {k: v for k, v in summarize(cpu).items() if k != "n"}
            report[name] = stats
        report["replies_in_long_topic"] = REPLIES_IN_LONG_TOPIC
        db.session.remove()
    return report


def wait_for_jobs(db, seconds: float = 180.0) -> bool:
    """Wait until the app's job thread has delivered what the setup queued (the mail of
    1,000 replies to the topic's followers): measured writes would otherwise share this
    process's GIL with that backlog, and their p95 moved from 12 to 35 ms between runs."""
    from app.jobs.queue import due_count

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot each look
        if not due_count():
            return True
        time.sleep(0.5)
    return False


def api_caller(client, path: str, **fixed: str):
    def call(locale: str, text: str) -> None:
        response = client.get(f"{path}?{urlencode({'q': text, 'locale': locale, **fixed})}")
        if response.status_code != 200:
            raise RuntimeError(f"{path} {text!r}: HTTP {response.status_code}")
        response.get_json()

    return call


def instant_recorder(client):
    """POST each query as the header box does once typing settles (CSRF off in the bench app)."""

    def call(locale: str, text: str) -> None:
        response = client.post("/api/v1/instant-searches", data={"q": text, "locale": locale})
        if response.status_code != 201:
            raise RuntimeError(f"instant-searches {text!r}: HTTP {response.status_code}")

    return call


def ratio(a: float, b: float) -> float:
    return round(a / max(b, 1e-3), 2)


def run(
    scale: float,
    db_path: str | None,
    skip_fts: bool,
    compare: str | None,
    database_url: str | None = None,
    build_only: bool = False,
    workers: int | None = None,
    keep_schema: str | None = None,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="touchpoint-bench-") as tmp:
        if database_url:
            database = BenchDatabase.postgres_schema(database_url, keep_schema)
        else:
            database = BenchDatabase.sqlite_file(db_path or os.path.join(tmp, "bench.sqlite3"))
        targets = POSTGRES_TARGETS if database.dialect == "postgresql" else TARGETS
        t0 = time.perf_counter()
        docs = list(corpus(scale))
        report: dict = {
            "command": " ".join(["python", "bench/search_speed.py", *sys.argv[1:]]),
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
            },
            "corpus": {
                "seed": SEED,
                "scale": scale,
                "articles": sum(d.type == "article" for d in docs),
                "topics": sum(d.type == "topic" for d in docs),
                "by_locale": {loc: sum(d.locale == loc for d in docs) for loc, _ in LOCALE_SHARE},
                "generate_s": round(time.perf_counter() - t0, 1),
            },
        }
        report["database"] = database.dialect
        app = make_bench_app(database.url, tmp)
        report["build"] = reused(app, database) or build(app, docs, database, workers)
        if build_only:
            from app.extensions import db

            with app.app_context():
                db.engine.dispose()
            database.drop()
            return report

        from app.extensions import db
        from app.site_search.engine import search_store

        queries = search_queries()
        suggestions = suggest_queries(docs)
        zero = {"n": 0}
        client = app.test_client()
        with app.app_context():
            store = search_store()
            conn = db.engine.connect()

            def raw_search(locale: str, text: str) -> None:
                zero["n"] += store.search(conn, SearchQuery(text, locale)).total == 0

            report.update(
                timed(
                    {"raw_search": raw_search, "api_search": api_caller(client, "/api/v1/search")},
                    queries,
                )
            )
            report["raw_search"]["zero_result_share"] = round(
                zero["n"] / (len(queries) + WARMUP), 3
            )
            report.update(
                timed(
                    {
                        "raw_suggest": lambda loc, text: store.suggest(conn, text, loc),
                        "api_suggest": api_caller(client, "/api/v1/suggest"),
                    },
                    suggestions,
                )
            )
            report.update(timed({"api_instant_record": instant_recorder(client)}, suggestions))
            conn.close()
            db.session.remove()
        report["reply_write"] = reply_writes(app)
        with app.app_context():
            db.engine.dispose()
        database.drop()

        if not skip_fts:
            fts_path = os.path.join(tmp, "fts.sqlite3")
            t0 = time.perf_counter()
            fts = fts_build(docs, fts_path)
            report["fts5_baseline"] = {
                "build_seconds_incl_analysis": round(time.perf_counter() - t0, 1),
                "db_mb": round(os.path.getsize(fts_path) / 2**20, 1),
                "search": timed({"fts5": lambda loc, text: fts_search(fts, loc, text)}, queries)[
                    "fts5"
                ],
            }
            fts.close()

        raw, api = report["raw_search"], report["api_search"]
        ratios = {
            "api_over_raw_p50": ratio(api["p50_ms"], raw["p50_ms"]),
            "api_over_raw_p95": ratio(api["p95_ms"], raw["p95_ms"]),
            "api_over_raw_cpu_p50": ratio(api["cpu"]["p50_ms"], raw["cpu"]["p50_ms"]),
            "api_over_raw_cpu_p95": ratio(api["cpu"]["p95_ms"], raw["cpu"]["p95_ms"]),
            "api_suggest_over_raw_suggest_p95": ratio(
                report["api_suggest"]["p95_ms"], report["raw_suggest"]["p95_ms"]
            ),
        }
        if "fts5_baseline" in report:
            fts_p = report["fts5_baseline"]["search"]
            ratios["raw_over_fts5_baseline_p50"] = ratio(raw["p50_ms"], fts_p["p50_ms"])
            ratios["raw_over_fts5_baseline_p95"] = ratio(raw["p95_ms"], fts_p["p95_ms"])
        if compare:
            report["compared_with"] = compared(json.loads(Path(compare).read_text()), report)
        report["ratios"] = ratios
        report["machine"]["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
        reply = report["reply_write"]["long_topic"]
        met = {
            "api_search_p95_ms": api["p95_ms"],
            "api_suggest_p95_ms": report["api_suggest"]["p95_ms"],
            "api_over_raw_p95": ratios["api_over_raw_p95"],
            "reindex_110k_seconds": report["build"].get("seconds_per_110k_docs"),
            "reply_write_p95_ms": reply["p95_ms"],
        }
        report["targets_met"] = {
            f"{name}<={targets[name]:g}": value <= targets[name]
            for name, value in met.items()
            if value is not None
        }
        return report


PATHS = ("raw_search", "api_search", "raw_suggest", "api_suggest")


def compared(earlier: dict, now: dict) -> dict:
    """An earlier run's p50/p95/p99 wall and CPU per path, build and size, beside this run's."""
    out: dict = {"command": earlier.get("command"), "date": earlier.get("date")}
    walls = ("p50_ms", "p95_ms", "p99_ms")
    for name in PATHS:
        if name in earlier:
            out[name] = {
                "earlier_wall_p50_p95_p99": [
                    earlier[name][k] for k in ("p50_ms", "p95_ms", "p99_ms")
                ],
                "now_wall_p50_p95_p99": [now[name][k] for k in walls],
                "earlier_cpu_p50_p95": [earlier[name]["cpu"][k] for k in ("p50_ms", "p95_ms")],
                "now_cpu_p50_p95": [now[name]["cpu"][k] for k in ("p50_ms", "p95_ms")],
            }
    if "build" in earlier:
        out["build"] = {
            "earlier_seconds": earlier["build"].get("seconds"),
            "earlier_mb": earlier["build"].get("index_mb", earlier["build"].get("db_mb")),
            "now_seconds": now["build"]["seconds"],
            "now_mb": now["build"]["db_mb"],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help=f"a {SMALL_SCALE:g} size corpus")
    parser.add_argument("--scale", type=float, help="any size (1.0 = full)")
    parser.add_argument("--out", help="also write the JSON to this file")
    parser.add_argument("--db", help="build the database here (default: a temporary file)")
    parser.add_argument("--skip-fts", action="store_true", help="skip the bare FTS5 baseline")
    parser.add_argument("--build-only", action="store_true", help="only (a): the reindex's speed")
    parser.add_argument("--workers", type=int, help="analyzer processes (default: one per core)")
    parser.add_argument("--compare", help="an earlier run's JSON to put beside this run's")
    parser.add_argument(
        "--database-url",
        help="measure the PostgreSQL backend: a database URL (a bench_<pid> schema is made there)",
    )
    parser.add_argument(
        "--keep-schema",
        metavar="NAME",
        help="with --database-url: build into schema NAME and keep it; a later run reuses it",
    )
    args = parser.parse_args()
    scale = args.scale or (SMALL_SCALE if args.small else 1.0)
    report = run(
        scale,
        args.db,
        args.skip_fts,
        args.compare,
        args.database_url,
        args.build_only,
        args.workers,
        args.keep_schema,
    )
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
