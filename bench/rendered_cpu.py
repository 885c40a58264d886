"""CPU of a rendered article read, in-process, on PostgreSQL: what bench/behind_nginx.py's
"uncached" readers cost the app.

Builds the bench's site (bench/behind_nginx.py's build_site) on a scratch PostgreSQL
database, then reads the English article pages in turn through the Flask test client with
a session cookie (as the bench's wrk does: nothing is served from a page cache), after one
unmeasured pass over every page. Prints the median and mean CPU milliseconds
(`time.process_time`, the app's side only) and SQL statements per read, for the bench's
cookie (`session=x`, not a valid session) and for a signed-in reader. CPU time does not
move with what else a shared machine runs, so two runs compare where wall time would not.

    .venv/bin/python bench/rendered_cpu.py [--reads 600] [--profile bench_cookie|signed_in]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.behind_nginx import PASSWORD, POSTGRES, build_site, postgres_options  # noqa: E402


def reads(app, client, paths: list[str], count: int, profiler=None) -> dict:
    statements = []
    with app.app_context():
        engine = db.engine
    counter = [0]

    def count_statement(*_args) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", count_statement)
    spent = []
    try:
        for n in range(count):
            path = paths[n % len(paths)]
            counter[0] = 0
            if profiler:
                profiler.enable()
            started = time.process_time()
            response = client.get(path)
            spent.append((time.process_time() - started) * 1000)
            if profiler:
                profiler.disable()
            assert response.status_code == 200, (path, response.status_code)
            statements.append(counter[0])
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    return {
        "cpu_ms_p50": round(statistics.median(spent), 2),
        "cpu_ms_mean": round(statistics.fmean(spent), 2),
        "statements_p50": statistics.median(statements),
        "statements_mean": round(statistics.fmean(statements), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=600)
    parser.add_argument(
        "--profile", choices=("bench_cookie", "signed_in"), help="cProfile these reads (CPU time)"
    )
    args = parser.parse_args()
    database = f"tp_rendered_cpu_{uuid.uuid4().hex[:8]}"
    pg = postgres_options()
    subprocess.run(["createdb", *pg, database], check=True)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            (folder / "media").mkdir()
            url = f"{POSTGRES}/{database}"
            site = build_site(folder, url, 1)
            os.environ.update(
                TOUCHPOINT_DATABASE_URL=url,
                TOUCHPOINT_MEDIA_DIR=str(folder / "media"),
                TOUCHPOINT_SECRET_KEY="bench",
                TOUCHPOINT_LOG_LEVEL="WARNING",
                TOUCHPOINT_JOBS_RUNNER="worker",
            )
            app = create_app()
            paths = site["articles"]
            bench_cookie = app.test_client()
            bench_cookie.set_cookie("session", "x")
            signed_in = app.test_client()
            signed_in.post(
                "/account/sign-in",
                data={"email": "writer@example.com", "password": PASSWORD},
            )
            app.config["WTF_CSRF_ENABLED"] = True
            for client in (bench_cookie, signed_in):  # templates compiled, memos filled
                reads(app, client, paths, len(paths))
            if args.profile:
                profiler = cProfile.Profile(time.process_time)  # CPU, not wall
                client = {"bench_cookie": bench_cookie, "signed_in": signed_in}[args.profile]
                reads(app, client, paths, args.reads, profiler)
                profiler.dump_stats(os.environ.get("PROFILE_OUT", "/tmp/rendered.prof"))
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("cumulative").print_stats(70)
                stats.sort_stats("tottime").print_stats(40)
                return
            report = {"articles": len(paths), "reads": args.reads}
            report["bench_cookie"] = reads(app, bench_cookie, paths, args.reads)
            report["signed_in"] = reads(app, signed_in, paths, args.reads)
            print(json.dumps(report, indent=2))
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", *pg, database], check=False)


if __name__ == "__main__":
    main()
