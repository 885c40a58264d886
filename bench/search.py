"""Search benchmark: engine, app API, suggest and an SQLite FTS5 baseline in one run; prints JSON.

    .venv/bin/python bench/search.py                  # 10,000 articles + 100,000 forum topics
    .venv/bin/python bench/search.py --small          # a tenth of that, for a quick run
    .venv/bin/python bench/search.py --out result.json

The corpus is deterministic (fixed seed; see ``bench/search_engine.py``, whose
generator, query sets and FTS5 baseline this reuses): 50% English, 25%
Japanese, 25% Arabic; articles of 220-380 words, forum topics of 30-160.
500 search queries of one to three mid-frequency words (8% with a typo, 5%
quoted) and 500 as-you-type prefixes of real titles, each after 25 warm-up
queries that are not counted. Latencies are wall-clock per call, in ms:

(a) ``raw``: ``SearchIndex.search`` straight, no Flask, result cache off.
(b) ``api``: ``GET /api/v1/search`` through the Flask test client against an
    app whose index is the built one and whose database is an empty SQLite
    file: synonyms and categories are read, the search event is recorded and
    committed, JSON is rendered. No database row is read per hit. The app's
    result cache is off too, so (b) / (a) is the app's overhead.
(c) ``suggest``: ``SearchIndex.suggest`` straight, and ``GET /api/v1/suggest``
    as the header box calls it on every pause in typing (a pure read).
    ``api_instant_record`` times what the box sends once per *settled*
    query, off the typing path: ``POST /api/v1/instant-searches`` (the true
    result count is computed, the event recorded and committed).
(d) ``fts5``: the same queries on SQLite FTS5 with ``bm25()`` (same field
    weights, over our analyzers' tokens, AND then OR, top 10 plus facet
    counts), built from the same corpus in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this folder would come first on sys.path and this file would
# shadow the ``search`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.search_engine import (  # noqa: E402
    LOCALE_SHARE,
    SEED,
    WARMUP,
    corpus,
    folder_bytes,
    fts_build,
    fts_search,
    search_queries,
    suggest_queries,
    summarize,
)
from search.index import SearchIndex  # noqa: E402
from search.query import SearchQuery  # noqa: E402

SMALL_SCALE = 0.1
TARGETS = {"api_search_p95_ms": 50.0, "api_suggest_p95_ms": 20.0, "app_over_raw_p95": 1.5}


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


def make_bench_app(folder: str, index_dir: str):
    """The real app on an empty SQLite file, searching the built index (result cache off)."""
    from app import create_app
    from app.extensions import db
    from app.site_search.engine import EXTENSION_KEY

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{os.path.join(folder, 'app.sqlite3')}",
            "SEARCH_INDEX_DIR": index_dir,
            "SEARCH_SYNC_ON_START": False,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.instance_path = folder
    with app.app_context():
        db.create_all()
    app.extensions[EXTENSION_KEY] = SearchIndex(index_dir, cache_size=0)
    return app


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


def run(scale: float, index_dir: str | None, skip_fts: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="touchpoint-bench-") as tmp:
        root = index_dir or os.path.join(tmp, "index")
        t0 = time.perf_counter()
        docs = list(corpus(scale))
        report: dict = {
            "command": " ".join(["python", "bench/search.py", *sys.argv[1:]]),
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

        index = SearchIndex(root, cache_size=0)
        build_record = Path(root) / "bench-build.json"
        if index_dir and index.doc_count() == len(docs) and build_record.exists():
            # An index built by an earlier run of the same size: report that build.
            report["build"] = {**json.loads(build_record.read_text()), "reused": True}
        else:
            t0 = time.perf_counter()
            index.rebuild(docs)
            seconds = time.perf_counter() - t0
            report["build"] = {
                "seconds": round(seconds, 1),
                "docs_per_second": round(len(docs) / seconds),
                "index_mb": round(folder_bytes(root) / 2**20, 1),
                "load_avg_1m_after": round(os.getloadavg()[0], 2),
                "date": report["date"],
            }
            build_record.write_text(json.dumps(report["build"]))

        queries = search_queries()
        suggestions = suggest_queries(docs)
        zero = {"n": 0}

        def raw_search(locale: str, text: str) -> None:
            zero["n"] += index.search(SearchQuery(text, locale)).total == 0

        app = make_bench_app(tmp, root)
        client = app.test_client()
        report.update(
            timed(
                {"raw_search": raw_search, "api_search": api_caller(client, "/api/v1/search")},
                queries,
            )
        )
        report["raw_search"]["zero_result_share"] = round(zero["n"] / (len(queries) + WARMUP), 3)
        report.update(
            timed(
                {
                    "raw_suggest": lambda loc, text: index.suggest(text, loc),
                    "api_suggest": api_caller(client, "/api/v1/suggest"),
                },
                suggestions,
            )
        )
        report.update(timed({"api_instant_record": instant_recorder(client)}, suggestions))
        from app.events import Event
        from app.extensions import db

        with app.app_context():
            report["api_events_recorded"] = db.session.query(Event).count()
            db.session.remove()
            db.engine.dispose()

        if not skip_fts:
            fts_path = os.path.join(tmp, "fts.sqlite3")
            t0 = time.perf_counter()
            fts = fts_build(docs, fts_path)
            report["fts5"] = {
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
        if "fts5" in report:
            fts_p = report["fts5"]["search"]
            ratios["raw_over_fts5_p50"] = ratio(raw["p50_ms"], fts_p["p50_ms"])
            ratios["raw_over_fts5_p95"] = ratio(raw["p95_ms"], fts_p["p95_ms"])
            ratios["raw_over_fts5_cpu_p95"] = ratio(raw["cpu"]["p95_ms"], fts_p["cpu"]["p95_ms"])
            ratios["api_over_fts5_p95"] = ratio(api["p95_ms"], fts_p["p95_ms"])
        report["ratios"] = ratios
        report["machine"]["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
        report["targets_met"] = {
            "api_search_p95_ms<=50": api["p95_ms"] <= TARGETS["api_search_p95_ms"],
            "api_suggest_p95_ms<=20": report["api_suggest"]["p95_ms"]
            <= TARGETS["api_suggest_p95_ms"],
            "api_over_raw_p95<=1.5": ratios["api_over_raw_p95"] <= TARGETS["app_over_raw_p95"],
        }
        index.close()
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help=f"a {SMALL_SCALE:g} size corpus")
    parser.add_argument("--out", help="also write the JSON to this file")
    parser.add_argument(
        "--index-dir", help="keep the index here; a later run with the same size reuses it"
    )
    parser.add_argument("--skip-fts", action="store_true", help="skip the SQLite FTS5 baseline")
    args = parser.parse_args()
    report = run(SMALL_SCALE if args.small else 1.0, args.index_dir, args.skip_fts)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
