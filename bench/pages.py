"""Benchmark: public pages under gunicorn, as ratios to a hello-world Flask app in the same run.

Builds the demo site (content import, forum demo, search index) in a temporary folder, then a
copy with 10,000 generated articles per locale and 100,000 forum topics (bench/page_corpus.py,
fixed seed). For each, starts gunicorn with the README's settings (2 workers, 4 threads,
`--reuse-port`) and runs wrk against the home page, an en/ja/ar article, a category page, a
search and a forum topic; a hello-world Flask app runs under the same settings first. Also
times article pages in-process at scale (server time p95). The machine may be shared: the
load average is printed beside the numbers.

Connections are spread over the workers by the kernel: with `--reuse-port` gunicorn (27)
binds no socket in its master; each worker binds its own SO_REUSEPORT socket and the kernel
hands each new connection to one of them. On one shared socket instead, the first worker to
wake accepted all of wrk's keep-alive connections (15 of 16 measured, hello-world and app
alike), so a run measured one worker and the ratios moved by 2x between runs. Every wrk run
reports `connections_per_worker` (counted with `ss` halfway through, by worker pid) as
evidence that both workers served it; a server counts as started only when every worker
listens (a worker still booting would leave all connections to the other). The kernel picks
a socket by a hash of the connection, so a split of 16 is uneven at times (4/12 seen).

    .venv/bin/python bench/pages.py [--seconds 8] [--articles 10000] [--topics 100000]
                                    [--connections 16] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

HELLO_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
"""
# The README's server (dev.py serve): 2 gthread workers of 4 threads, each worker listening on
# its own SO_REUSEPORT socket, so the kernel spreads connections over them.
GUNICORN_SETTINGS = ["--workers", "2", "--threads", "4", "--reuse-port"]
SEARCH_QUERY = "password"
TARGETS = {"home": 0.30, "article": 0.30, "category": 0.30, "search": 0.15, "topic": 0.15}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(folder: Path) -> dict:
    return {
        **os.environ,
        "FLASK_APP": "app",
        "TOUCHPOINT_DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "TOUCHPOINT_SECRET_KEY": "bench",
        "TOUCHPOINT_RATELIMIT_ENABLED": "false",
    }


def flask(folder: Path, *args: str) -> None:
    subprocess.run(
        [BIN / "flask", *args], cwd=ROOT, env=site_env(folder), check=True, capture_output=True
    )


def build_demo(folder: Path) -> None:
    for command in (
        ["db", "upgrade"],
        ["content", "import"],
        ["forum", "init"],
        ["forum", "seed-demo"],
        ["search", "reindex"],
    ):
        flask(folder, *command)


def build_scale(demo: Path, folder: Path, per_locale: int, topics: int) -> None:
    shutil.copy(demo / "site.sqlite3", folder / "site.sqlite3")
    from app import create_app
    from app.extensions import db
    from bench.page_corpus import add_articles, add_topics

    app = create_app({"DATABASE_URL": site_env(folder)["TOUCHPOINT_DATABASE_URL"]})
    with app.app_context():
        add_articles(per_locale)
        add_topics(topics)
        db.session.remove()
        db.engine.dispose()
    flask(folder, "search", "reindex")


class Server:
    """gunicorn on a free port, stopped on exit."""

    def __init__(self, target: str, env: dict, cwd: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [BIN / "gunicorn", "--bind", f"127.0.0.1:{self.port}", *GUNICORN_SETTINGS, target],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        workers = int(GUNICORN_SETTINGS[GUNICORN_SETTINGS.index("--workers") + 1])
        deadline = time.time() + 60
        while time.time() < deadline:
            # every worker listening on its own socket (a worker still booting would leave
            # all of wrk's connections to the others), and answering
            if listening_sockets(self.port) == workers:
                try:
                    urllib.request.urlopen(self.base + "/", timeout=2)
                    return
                except OSError:
                    pass
            time.sleep(0.3)
        raise RuntimeError(f"{target} did not start")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def listening_sockets(port: int) -> int:
    listing = subprocess.run(
        ["ss", "-Htln", f"( sport = :{port} )"], capture_output=True, text=True, check=False
    ).stdout
    return len(listing.splitlines())


def connections_per_worker(port: int) -> dict[str, int]:
    """How many of the established connections to `port` each gunicorn worker holds (by pid)."""
    listing = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return dict(sorted(Counter(re.findall(r"pid=(\d+)", listing)).items()))


def wrk(url: str, seconds: int, connections: int) -> tuple[float, dict[str, int]]:
    """Requests per second, and the connections each worker held halfway through the run."""
    for _ in range(10):  # warm up both workers: each request a new connection, either worker's
        urllib.request.urlopen(url, timeout=30).read()
    run = subprocess.Popen(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(seconds / 2)
    spread = connections_per_worker(urllib.parse.urlsplit(url).port)
    output, errors = run.communicate()
    if run.returncode:
        raise RuntimeError(f"wrk failed on {url}: {errors}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), spread


def site_pages(folder: Path) -> dict[str, str]:
    import sqlite3

    connection = sqlite3.connect(folder / "site.sqlite3")
    slugs = {}
    for locale in ("en", "ja", "ar"):
        slugs[locale] = connection.execute(
            "SELECT slug FROM kb_article WHERE locale=? AND status='published' "
            "AND slug NOT LIKE 'gen-%' ORDER BY id LIMIT 1",
            (locale,),
        ).fetchone()[0]
    category = connection.execute(
        "SELECT c.slug FROM kb_category c JOIN kb_article a ON a.category_id = c.id "
        "WHERE a.locale='en' GROUP BY c.id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    topic_id = connection.execute(
        "SELECT id FROM forum_topic WHERE locale='en' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    connection.close()
    return {
        "home": "/en/",
        "article_en": f"/en/articles/{slugs['en']}",
        "article_ja": f"/ja/articles/{slugs['ja']}",
        "article_ar": f"/ar/articles/{slugs['ar']}",
        "category": f"/en/categories/{category}",
        "search": f"/en/search?q={SEARCH_QUERY}",
        "topic": f"/en/community/topics/{topic_id}",
    }


def measure_site(folder: Path, seconds: int, connections: int, hello_rps: float) -> dict:
    pages = site_pages(folder)
    results = {}
    with Server("app:create_app()", site_env(folder), ROOT) as server:
        for name, path in pages.items():
            url = server.base + path
            final = urllib.request.urlopen(url, timeout=30).geturl()  # follow the slug redirect
            rps, spread = wrk(final, seconds, connections)
            results[name] = {
                "path": path,
                "rps": round(rps, 1),
                "ratio": round(rps / hello_rps, 3),
                "connections_per_worker": spread,
            }
    return results


NGINX_CONF = ROOT / "deploy" / "nginx.conf"


class Nginx:
    """The shipped deploy/nginx.conf (micro-cache included) in front of a gunicorn port."""

    def __init__(self, folder: Path, upstream_port: int):
        self.port = free_port()
        site = NGINX_CONF.read_text()
        # This gunicorn (GUNICORN_SETTINGS, not deploy/gunicorn.conf.py) has no per-worker
        # sockets: the port it listens on is the upstream's only server.
        site = re.sub(r"    server unix:/run/touchpoint/worker-\d+\.sock;\n", "", site)
        site = site.replace("server 127.0.0.1:8000 backup;", f"server 127.0.0.1:{upstream_port};")
        site = site.replace("127.0.0.1:8001", f"127.0.0.1:{free_port()}")  # the refresher
        site = re.sub(r"listen \[::\]:80;\n", "", site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("/var/cache/nginx/touchpoint", str(folder / "cache"))
        site = re.sub(
            r"(access_log|error_log) /var/log/nginx/[^ ;]+", rf"\1 {folder}/nginx.log", site
        )
        (folder / "nginx.conf").write_text(
            # as root, workers would run as nobody and could not write the cache under /tmp
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\nevents {{ worker_connections 1024; }}\n"
            f"http {{\n include /etc/nginx/mime.types;\n"
            f" client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
            f" fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi;"
            f" scgi_temp_path {folder}/scgi;\n{site}\n}}\n"
        )
        self.process = subprocess.Popen(
            ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not start")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def measure_through_nginx(folder: Path, seconds: int, connections: int, hello_rps: float) -> dict:
    """Anonymous article pages through the shipped nginx with its micro-cache."""
    pages = site_pages(folder)
    results = {}
    nginx_dir = folder / "nginx"
    nginx_dir.mkdir(exist_ok=True)
    server = Server("app:create_app()", site_env(folder), ROOT)
    with server, Nginx(nginx_dir, server.port) as proxy:
        for name in ("article_en", "article_ja", "article_ar"):
            url = proxy.base + pages[name]
            with urllib.request.urlopen(url, timeout=30) as first:
                first.read()
            with urllib.request.urlopen(url, timeout=30) as second:
                status = second.headers.get("X-Cache-Status")
            rps, _ = wrk(url, seconds, connections)  # wrk's connections all end at nginx
            results[name] = {
                "path": pages[name],
                "rps": round(rps, 1),
                "ratio": round(rps / hello_rps, 3),
                "cache_status_of_second_request": status,
            }
    return results


def article_server_time_p95(folder: Path, requests: int = 300) -> dict:
    """Server time of article pages (in-process, every request a different article).

    Wall time is the target (`p95_ms`); CPU time of the same requests (`cpu_p95_ms`) is beside
    it: on a shared machine wall time grows with the load average and CPU time does not.
    """
    from app import create_app
    from app.extensions import db
    from app.kb.models import Article

    app = create_app({"DATABASE_URL": site_env(folder)["TOUCHPOINT_DATABASE_URL"]})
    with app.app_context():
        rows = db.session.execute(db.select(Article.locale, Article.slug)).all()
        db.session.remove()
    rng = random.Random(14)
    chosen = [rng.choice(rows) for _ in range(requests)]
    client = app.test_client()
    timings, cpu = [], []
    for locale, slug in chosen:
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(f"/{locale}/articles/{slug}")
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200
    timings.sort()
    cpu.sort()
    return {
        "requests": requests,
        "articles": len(rows),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95) - 1], 2),
    }


def through_nginx(folder: Path, args, hello_rps: float) -> dict | str:
    if not (NGINX_CONF.exists() and shutil.which("nginx")):
        return "deploy/nginx.conf or nginx missing"
    try:
        return measure_through_nginx(folder, args.seconds, args.connections, hello_rps)
    except (OSError, RuntimeError) as error:  # reported beside the other numbers
        return f"failed: {error}"


def measure_hello(folder: Path, args) -> tuple[float, dict[str, int]]:
    with Server("hello:app", dict(os.environ), folder) as server:
        return wrk(server.base + "/", args.seconds, args.connections)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--articles", type=int, default=10_000, help="per locale, at scale")
    parser.add_argument("--topics", type=int, default=100_000, help="forum topics, at scale")
    parser.add_argument("--keep", help="build the sites in this folder, or reuse them from it")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tp-pages-") as tmp:
        tmp_path = Path(args.keep or tmp)
        demo, scale, hello = tmp_path / "demo", tmp_path / "scale", tmp_path / "hello"
        built = (scale / "built").exists()
        for folder in (demo, scale, hello):
            folder.mkdir(parents=True, exist_ok=True)
        (hello / "hello.py").write_text(HELLO_APP)
        if not built:
            build_demo(demo)
            build_scale(demo, scale, args.articles, args.topics)
            (scale / "built").write_text(f"{args.articles} {args.topics}")
        hello_rps, hello_spread = measure_hello(hello, args)
        report = {
            "wrk": {"seconds": args.seconds, "connections": args.connections, "threads": 2},
            "gunicorn": GUNICORN_SETTINGS,
            "hello_world_rps": round(hello_rps, 1),
            "hello_world_connections_per_worker": hello_spread,
            "demo": measure_site(demo, args.seconds, args.connections, hello_rps),
            f"scale_{args.articles}_per_locale": measure_site(
                scale, args.seconds, args.connections, hello_rps
            ),
            "through_nginx_micro_cache_at_scale": through_nginx(scale, args, hello_rps),
            "article_server_time_at_scale": article_server_time_p95(scale),
        }
        # The machine is shared: hello-world again at the end; ratios above use the first
        # measurement, and the spread between the two says how far to trust them.
        end_rps, end_spread = measure_hello(hello, args)
        report["hello_world_rps_at_end"] = round(end_rps, 1)
        report["hello_world_at_end_connections_per_worker"] = end_spread
    report["targets"] = TARGETS
    report["load_average_before"] = [round(x, 2) for x in load_before]
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
