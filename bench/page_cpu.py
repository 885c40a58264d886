"""CPU time of public pages per request, in-process (the Flask test client), at scale.

CPU time (`time.process_time`) is what a page costs the server whatever else the machine
runs, so it can be compared between runs on a shared machine where wall time cannot. For
each page: "render" empties the app's page cache, the search page's kept results and topic
pages' kept related help before every request (what a reader pays when the page is not
kept: the first reader after a publish, or any of 30,000 articles), "cached" is the next
request for the same page (what wrk against one URL mostly measures), and "article_random"
renders a different article of any locale every time.

Uses a site built by bench/pages.py (`--keep FOLDER` leaves it in FOLDER/scale):

    .venv/bin/python bench/page_cpu.py FOLDER/scale [--requests 200] [--page topic]
        [--profile article_en]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import site_env, site_pages  # noqa: E402


def summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 3),
    }


def timed_get(client, path: str) -> float:
    started = time.process_time()
    response = client.get(path)
    spent = (time.process_time() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return spent


def forget_pages(app) -> None:
    """Empty the page cache, the search page's and topic pages' kept results (the next request
    renders, as after a publish)."""
    from app.page_cache import STORE_KEY
    from app.site_search.result_cache import EXTENSION_KEY

    app.extensions.pop(STORE_KEY, None)
    app.extensions.pop(EXTENSION_KEY, None)
    app.extensions.pop("forum_related_help", None)  # a topic's kept related help


def final_path(client, path: str) -> str:
    """The path a page is served at (a topic's URL without its slug redirects)."""
    query = "?" + path.split("?", 1)[1] if "?" in path else ""
    return client.get(path, follow_redirects=True).request.path + query


def measure(app, pages: dict[str, str], requests: int) -> dict:
    client = app.test_client()
    results = {}
    for name, path in pages.items():
        path = final_path(client, path)
        rendered, cached = [], []
        for _ in range(requests):
            forget_pages(app)
            rendered.append(timed_get(client, path))
            cached.append(timed_get(client, path))
        results[name] = {"path": path, "render": summary(rendered), "cached": summary(cached)}
    return results


def random_articles(app, requests: int) -> dict:
    from app.extensions import db
    from app.kb.models import Article

    with app.app_context():
        rows = db.session.execute(
            db.select(Article.locale, Article.slug).where(Article.status == "published")
        ).all()
        db.session.remove()
    rng = random.Random(14)
    client = app.test_client()
    return summary(
        [timed_get(client, "/{}/articles/{}".format(*rng.choice(rows))) for _ in range(requests)]
    )


def profile(app, path: str, requests: int) -> None:
    client = app.test_client()
    path = final_path(client, path)
    profiler = cProfile.Profile()
    for _ in range(requests):
        forget_pages(app)
        profiler.enable()
        client.get(path)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path, help="a site folder holding site.sqlite3")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", help="a page name: cProfile its render to stderr")
    parser.add_argument("--page", action="append", help="measure only this page (repeatable)")
    args = parser.parse_args()

    os.environ.update(site_env(args.folder))  # the settings gunicorn gets in bench/pages.py
    from app import create_app

    app = create_app()
    pages = site_pages(args.folder)
    if args.page:
        pages = {name: pages[name] for name in args.page}
    if args.profile:
        profile(app, pages[args.profile], args.requests)
        return
    for path in pages.values():  # warm up: templates compiled, memos filled
        app.test_client().get(path, follow_redirects=True)
    report = {"requests_per_page": args.requests, "pages": measure(app, pages, args.requests)}
    if not args.page:
        report["article_random"] = random_articles(app, args.requests)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
