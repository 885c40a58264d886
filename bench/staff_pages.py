"""Benchmark: staff pages at the volume a hostile-input sweep leaves behind.

Generates N insights events (bench/insights.py's generator, fixed seed) and rolls them up,
then adds 325 gap tasks, 120 API tokens and 300 flagged posts, and times through the Flask
test client: the gap task list, the API token page, the moderation flag queue, and the
query explorer for ordinary and hostile terms. Prints JSON: median milliseconds and page
sizes. The baseline is the explorer with no time limit, measured in the same run.

    .venv/bin/python bench/staff_pages.py [--events 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import insights as insights_bench  # noqa: E402  (bench/insights.py: the event generator)

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

SEED = 20261207
TASKS, TOKENS, FLAGGED_POSTS = 325, 120, 300
PASSWORD = "correct horse battery"
EXPLORE_TERMS = [
    "invoice",
    "export csv",
    "password reset login",
    "<<< %s(un='%s') = %u",
    "' OR 1=1 --",
    "𝕋𝕙𝕖 𝕢𝕦𝕚𝕔𝕜",
    "a " * 49,
]


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def seed_staff_rows(rng: random.Random) -> None:
    from app.accounts.models import User
    from app.clock import utcnow
    from app.forum.models import Flag, ForumCategory, Post, Topic
    from app.insights.task_models import ApiToken, GapTask

    users = {}
    for role in ("cs_editor", "product", "moderator", "customer"):
        user = User(email=f"{role}@example.com", display_name=role, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        users[role] = user
    db.session.flush()
    now = utcnow()
    for number in range(TASKS):
        db.session.add(
            GapTask(
                locale=rng.choice(("en", "ja", "ar")),
                gap_key=f"gap {number}",
                label=f"Gap {number}: " + " ".join(rng.sample(insights_bench.WORDS_EN, 3)),
                status=rng.choice(("open", "in_progress", "addressed")),
                note="x" * rng.randint(0, 200),
                updated_at=now - timedelta(minutes=number),
            )
        )
    for number in range(TOKENS):
        db.session.add(
            ApiToken(
                user_id=users["product"].id,
                name=f"token {number}",
                token_hash=f"{number:064x}",
                prefix=f"tp_{number:07d}",
                revoked_at=now if number % 3 else None,
            )
        )
    category = ForumCategory(slug="questions", kind="questions", names={"en": "Questions"})
    db.session.add(category)
    db.session.flush()
    for number in range(FLAGGED_POSTS):
        topic = Topic(locale="en", category=category, author=users["customer"], title=f"T{number}")
        db.session.add(topic)
        body = " ".join(rng.sample(insights_bench.WORDS_EN, 8))
        post = Post(
            topic=topic,
            author=users["customer"],
            is_first=True,
            body_markdown=body,
            body_html=f"<p>{body}</p>",
            body_digest=f"{number}",
        )
        db.session.add(post)
        db.session.flush()
        reporters = ("moderator", "customer", "cs_editor")[: rng.randint(1, 3)]
        for reporter in reporters:
            db.session.add(Flag(post_id=post.id, reporter_id=users[reporter].id, reason="spam"))
    db.session.commit()


def signed_in(app, role: str):
    client = app.test_client()
    response = client.post(
        "/account/sign-in", data={"email": f"{role}@example.com", "password": PASSWORD}
    )
    assert response.status_code == 303, response.status_code
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tp-staff-bench-"))
    path = folder / "bench.sqlite3"
    report: dict = {"seed": SEED, "load_average": os.getloadavg()[0]}
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{path}",
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    rng = random.Random(SEED)
    with app.app_context():
        from app.clock import utcnow
        from app.insights.rollups import roll_up

        db.create_all()
        articles = insights_bench.seed_content(db.session)
        now = utcnow()
        report["events"] = insights_bench.generate(args.events, now, articles, rng)
        roll_up(now=now)
        seed_staff_rows(rng)
        db.session.remove()
    pages = {
        "tasks": ("cs_editor", "/insights/tasks"),
        "tokens": ("product", "/insights/tokens"),
        "flag_queue": ("moderator", "/moderation/"),
    }
    for name, (role, url) in pages.items():
        client = signed_in(app, role)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        report[f"{name}_kb"] = round(len(response.data) / 1024, 1)
        times = timed(lambda c=client, u=url: c.get(u), args.repeat)
        report[f"{name}_ms_median"] = round(statistics.median(times))
    client = signed_in(app, "product")
    limit = app.config.get("INSIGHTS_EXPLORE_TIMEOUT_MS", 0)
    for label, value in (("limited", limit), ("unlimited_baseline", 0)):
        app.config["INSIGHTS_EXPLORE_TIMEOUT_MS"] = value
        times, statuses = [], set()
        for term in EXPLORE_TERMS:

            def explore(t=term, seen=statuses):
                seen.add(client.get("/insights/explore", query_string={"q": t}).status_code)

            times += timed(explore, args.repeat)
        report[f"explore_{label}_ms_median"] = round(statistics.median(times))
        report[f"explore_{label}_ms_max"] = round(max(times))
        report[f"explore_{label}_statuses"] = sorted(statuses)
    report["explore_time_limit_ms"] = limit
    report["database_mb"] = round(path.stat().st_size / 1e6, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
