"""Passage retrieval by question (JaQuAD ja, ARCD and XQuAD ar, XQuAD en) through the app's search.

Reads ``../shared/corpora/retrieval/`` beside the clone (``--corpora`` or
``TOUCHPOINT_CORPORA`` to point elsewhere; see its README). The passages
become published articles of a fresh app on a temporary SQLite file, one
category per set; the app indexes them when they are committed, and
``flask search reindex`` (run through the app's CLI) writes whatever it did not. Every
question then runs through ``app.site_search.services.run_search`` in its
language, over all of that language's passages (as the reference does), as
the search page would run it. Nothing here touches the engine's internals,
so the bench keeps working when the backend changes. ``--database-url
postgresql://…`` measures the PostgreSQL backend instead (a fresh schema of
that database, dropped at the end: ``bench/search_database.py``).

The reference is computed in the same run: plain SQLite FTS5 over title + text
(``bm25`` with title weight 3), the question's words ORed (``unicode61
remove_diacritics 2`` for ar/en; ``trigram`` for ja, the question's character
trigrams ORed), top 10, one table per language (arcd and xquad-ar share one).

``--baseline-ref main`` also runs the same measurement against another git
revision's code (``git archive`` into a temporary folder, this file run from
there), so "before" and "after" come from one run on one machine.

Prints JSON: per set R@1, R@5, MRR@10 and query latency p50/p95 (ms) for
the app and for FTS5, the load average, and the sample used.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Run as a script, this folder comes first on sys.path; the code measured is the clone
# this file is in (the repository root first, so ``search`` is the package).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from bench.search_database import BenchDatabase  # noqa: E402

DEFAULT_CORPORA = Path(os.environ.get("TOUCHPOINT_CORPORA", REPO / ".." / "shared" / "corpora"))
"""``shared/corpora`` beside the clone, as CI lays it out; ``TOUCHPOINT_CORPORA`` overrides."""
SETS = {"jaquad": "ja", "arcd": "ar", "xquad-ar": "ar", "xquad-en": "en"}
TOP = 10
TITLE_WEIGHT = 3.0
_WORD = re.compile(r"\w+")


def set_of(item_id: str) -> str:
    """The source set an id belongs to ("xquad-ar-…" → "xquad-ar")."""
    for name in sorted(SETS, key=len, reverse=True):
        if item_id.startswith(name + "-"):
            return name
    raise ValueError(f"unknown set for id {item_id!r}")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(corpora: Path, sets: list[str], sample: int, seed: int):
    """(passages, queries) of the chosen sets; ``sample`` questions per set (0: all)."""
    folder = corpora / "retrieval"
    passages = [p for p in read_jsonl(folder / "passages.jsonl") if set_of(p["id"]) in sets]
    queries = [q for q in read_jsonl(folder / "queries.jsonl") if set_of(q["id"]) in sets]
    if sample:
        rng = random.Random(seed)
        picked = []
        for name in sets:
            of_set = [q for q in queries if set_of(q["id"]) == name]
            picked.extend(rng.sample(of_set, min(sample, len(of_set))))
        queries = picked
    return passages, queries


def scores(ranked: list[list[str]], queries: list[dict]) -> dict:
    """R@1, R@5, MRR@10 of ranked passage ids against each query's passage."""
    r1 = r5 = mrr = 0.0
    for ids, q in zip(ranked, queries, strict=True):
        if q["passage"] in ids[:TOP]:
            rank = ids.index(q["passage"]) + 1
            mrr += 1.0 / rank
            r1 += rank == 1
            r5 += rank <= 5
    n = len(queries) or 1
    return {"R@1": round(r1 / n, 3), "R@5": round(r5 / n, 3), "MRR@10": round(mrr / n, 3)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def timed(run, queries: list[dict]) -> tuple[list[list[str]], list[float]]:
    ranked, times = [], []
    for q in queries:
        start = time.perf_counter()
        ranked.append(run(q))
        times.append((time.perf_counter() - start) * 1000)
    return ranked, times


def report(name: str, queries: list[dict], ranked, times) -> dict:
    return {
        **scores(ranked, queries),
        "queries": len(queries),
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "engine": name,
    }


# ---- the reference: plain FTS5


def fts5_reference(passages: list[dict], queries: list[dict]) -> dict:
    """FTS5 bm25 (title weight 3) over each language's passages, the question's terms ORed."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE words USING fts5(pid UNINDEXED, title, text,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE VIRTUAL TABLE grams USING fts5(pid UNINDEXED, title, text, tokenize='trigram')"
    )
    for p in passages:
        table = "grams" if p["locale"] == "ja" else "words"
        db.execute(f"INSERT INTO {table} VALUES (?, ?, ?)", (p["id"], p["title"], p["text"]))
    db.commit()

    def run(q: dict) -> list[str]:
        if q["locale"] == "ja":
            text = q["query"]
            terms = {text[i : i + 3] for i in range(len(text) - 2)}
            table = "grams"
        else:
            terms = set(_WORD.findall(q["query"]))
            table = "words"
        terms = [t for t in terms if t.strip()]
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in sorted(terms))
        rows = db.execute(
            f"SELECT pid FROM {table} WHERE {table} MATCH ?"
            f" ORDER BY bm25({table}, 0, {TITLE_WEIGHT}, 1.0) LIMIT {TOP}",
            (match,),
        ).fetchall()
        return [r[0] for r in rows]

    return _per_set("fts5", queries, run)


def _per_set(name: str, queries: list[dict], run) -> dict:
    out = {}
    for set_name in SETS:
        of_set = [q for q in queries if set_of(q["id"]) == set_name]
        if of_set:
            ranked, times = timed(run, of_set)
            out[set_name] = report(name, of_set, ranked, times)
    return out


# ---- the app


def app_search(passages: list[dict], queries: list[dict], workdir: Path, url: str) -> dict:
    """Index passages as published articles of a fresh app; run every question through it."""
    from app import create_app
    from app.extensions import db
    from app.kb.models import Article, ArticleStatus, Category
    from app.site_search.services import SearchRequest, run_search

    app = create_app({"TESTING": True, "DATABASE_URL": url})
    app.instance_path = str(workdir)
    cli = app.test_cli_runner()
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        _reindex(cli)  # the search tables, as on a fresh install
        categories = {}
        for position, set_name in enumerate(SETS):
            categories[set_name] = Category(slug=set_name, position=position, names={})
            db.session.add(categories[set_name])
        db.session.flush()
        for p in passages:
            paragraphs = "".join(
                f"<p>{html.escape(part)}</p>" for part in p["text"].split("\n") if part.strip()
            )
            db.session.add(
                Article(
                    locale=p["locale"],
                    slug=p["id"],
                    translation_key=p["id"],
                    kind="faq",
                    status=ArticleStatus.PUBLISHED.value,
                    category_id=categories[set_of(p["id"])].id,
                    title=p["title"][:200],
                    body_markdown=p["text"],
                    body_html=paragraphs,
                )
            )
        db.session.commit()  # the app indexes what a commit publishes
        _reindex(cli)  # and `flask search reindex` writes whatever it did not
        index_seconds = time.perf_counter() - started

        def run(q: dict) -> list[str]:
            results = run_search(SearchRequest(text=q["query"], locale=q["locale"], per_page=TOP))
            return [hit.url.rsplit("/", 1)[-1] for hit in results.hits]

        out = _per_set("app", queries, run)
        db.session.remove()
        db.engine.dispose()
    out["index_seconds"] = round(index_seconds, 1)
    return out


def _reindex(cli) -> None:
    result = cli.invoke(args=["search", "reindex"])
    if result.exit_code != 0:
        raise RuntimeError(f"flask search reindex failed: {result.output}") from result.exception


def baseline(ref: str, args: argparse.Namespace) -> dict:
    """The same measurement against another revision's code (``git archive`` of ``ref``)."""
    with tempfile.TemporaryDirectory(prefix="retrieval-ref-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        # this file, run from inside the copy, measures the copy's code
        worker = Path(tmp) / "bench" / "_retrieval_worker.py"
        worker.write_text(Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
        command = [
            sys.executable,
            str(worker),
            "--corpora",
            str(args.corpora),
            "--sets",
            ",".join(args.sets),
            "--sample",
            str(args.sample),
            "--seed",
            str(args.seed),
            "--app-only",
            *(["--database-url", args.database_url] if args.database_url else []),
        ]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            return {"error": done.stderr[-2000:]}
        return json.loads(done.stdout)["app"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated subset of sets")
    parser.add_argument("--sample", type=int, default=0, help="questions per set (0: all)")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--baseline-ref", default="", help="also measure this git revision")
    parser.add_argument("--app-only", action="store_true", help="skip the FTS5 reference")
    parser.add_argument("--database-url", help="a PostgreSQL database to measure instead of SQLite")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.sets = [s for s in args.sets.split(",") if s]
    unknown = set(args.sets) - set(SETS)
    if unknown:
        parser.error(f"unknown sets: {sorted(unknown)}")
    if not (args.corpora / "retrieval" / "queries.jsonl").exists():
        parser.error(f"no retrieval corpus under {args.corpora} (see --corpora)")

    passages, queries = load(args.corpora, args.sets, args.sample, args.seed)
    result: dict = {
        "sample_per_set": args.sample or "all",
        "seed": args.seed,
        "load_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="retrieval-") as tmp:
        if args.database_url:
            database = BenchDatabase.postgres_schema(args.database_url)
        else:
            database = BenchDatabase.sqlite_file(str(Path(tmp) / "retrieval.sqlite3"))
        result["backend"] = database.dialect
        try:
            result["app"] = app_search(passages, queries, Path(tmp), database.url)
        finally:
            database.drop()
    if not args.app_only:
        result["fts5"] = fts5_reference(passages, queries)
    if args.baseline_ref:
        result[f"app@{args.baseline_ref}"] = baseline(args.baseline_ref, args)
    result["load_after"] = os.getloadavg()
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
