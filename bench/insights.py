"""Benchmark: the CS insights dashboard over 1,000,000 events, with roll-ups vs from raw events.

Generates N events (fixed seed) over the last 90 days into a fresh SQLite file, rolls them
up, then times GET /insights/ (the last 28 days and the last 90 days) through the Flask test
client as a signed-in CS editor, then the product dashboard, the query explorer and the
customer-voice page (NPS, CSAT, verbatims, what promoters and detractors did) as a product
user. A fifth of the sessions belong to one of 20,000 signed-in customers; 1,500 of them
answered the NPS survey (once each: it is asked once per 90 days) and 1,000 CSAT answers are
spread over the 90 days (second and third generators, so the events are the same as before).
Then the onboarding milestones (three; the customers' sign-ups spread over the 90 days) and
the needs page (gaps and feature requests across languages; "dark mode" searched in three
of them, extra events from a fourth generator) as the CS editor.
The baseline computes the CS dashboard with every day read from raw events (no roll-ups).
"under_one_second" / "under_half_a_second": every request median is. Prints JSON.

    .venv/bin/python bench/insights.py [--events 1000000] [--keep PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

SEED = 20250301
DAYS = 90
WORDS_EN = [
    "invoice",
    "export",
    "csv",
    "password",
    "reset",
    "login",
    "sso",
    "calendar",
    "gantt",
    "chart",
    "share",
    "project",
    "workspace",
    "member",
    "billing",
    "plan",
    "upgrade",
    "download",
    "pdf",
    "report",
    "timeline",
    "task",
    "deadline",
    "notification",
    "email",
    "mobile",
    "app",
    "sync",
    "offline",
    "import",
    "trello",
    "jira",
    "slack",
    "integration",
    "api",
    "token",
    "webhook",
    "delete",
    "archive",
    "restore",
    "permissions",
    "guest",
    "template",
    "recurring",
]
QUERIES_JA = ["パスワード 再設定", "請求書", "ログイン できない", "エクスポート", "ガントチャート"]
QUERIES_AR = ["إعادة تعيين كلمة المرور", "الفواتير", "تصدير", "تسجيل الدخول"]


def make_queries(rng: random.Random, count: int = 3000) -> list[tuple[str, str]]:
    queries = []
    for _ in range(count):
        words = rng.sample(WORDS_EN, rng.choice((1, 2, 2, 3)))
        if rng.random() < 0.1:  # a typo
            word = words[0]
            if len(word) > 4:
                i = rng.randrange(1, len(word) - 1)
                words[0] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        queries.append(("en", " ".join(words)))
    queries += [("ja", q) for q in QUERIES_JA] + [("ar", q) for q in QUERIES_AR]
    return queries


def seed_content(session) -> list[tuple[int, str, str]]:
    from app.kb.models import Article, Category

    articles = []
    for c in range(8):
        category = Category(slug=f"cat-{c}", names={"en": f"Category {c}"})
        session.add(category)
        session.flush()
        for a in range(12):
            for locale in ("en", "ja", "ar"):
                article = Article(
                    locale=locale,
                    slug=f"article-{c}-{a}",
                    translation_key=f"article-{c}-{a}",
                    category_id=category.id,
                    title=f"Article {c}.{a}",
                    status="published",
                )
                session.add(article)
                session.flush()
                articles.append((article.id, locale, article.slug))
    session.commit()
    return articles


CUSTOMERS = 20_000
SIGNED_IN_SHARE = 0.2
NPS_RESPONDENTS = 1500
CSAT_ANSWERS = 1000


def seed_customers(session) -> list[int]:
    """Signed-in customers (no usable password) whose sessions some events belong to."""
    from app.accounts.models import User

    table = User.__table__
    session.execute(
        table.insert(),
        [
            {
                "email": f"customer{n}@example.com",
                "display_name": f"Customer {n}",
                "role": "customer",
                "password_hash": "!",
            }
            for n in range(CUSTOMERS)
        ],
    )
    session.commit()
    return list(session.scalars(sa.select(User.id).where(User.role == "customer")))


MILESTONES = [("Read help", "article_view"), ("Clicked", "search_click"), ("Asked", "ask_posted")]
DARK_MODE = {"en": ["dark mode"], "ja": ["ダークモード"], "ar": ["الوضع الداكن"]}


def seed_milestones_and_needs(session, now: datetime, customers, rng: random.Random) -> int:
    """Sign-ups spread over the DAYS, three milestones, the "dark mode" synonym group and
    unanswered "dark mode" searches in three languages; returns the events added."""
    from app.accounts.models import User
    from app.events import Event
    from app.insights.milestone_models import Milestone
    from app.insights.need_models import NeedSynonymGroup
    from search.analysis import normalize_query_text

    start = now - timedelta(days=DAYS - 1)
    for offset in range(0, len(customers), 5000):
        session.execute(
            sa.update(User),
            [
                {
                    "id": user_id,
                    "created_at": start + timedelta(days=rng.random() * (DAYS - 1)),
                }
                for user_id in customers[offset : offset + 5000]
            ],
        )
    for position, (name, event) in enumerate(MILESTONES, start=1):
        session.add(Milestone(name=name, kind="event", target=event, position=position))
    session.add(NeedSynonymGroup(terms=DARK_MODE))
    rows = []
    for locale, (term,) in DARK_MODE.items():
        for n in range(300 if locale == "en" else 100):
            rows.append(
                {
                    "name": "search",
                    "occurred_at": now - timedelta(seconds=rng.random() * DAYS * 86400),
                    "session_key": f"dark-{locale}-{n}",
                    "locale": locale,
                    "data": {
                        "query": term,
                        "normalized": normalize_query_text(term, locale),
                        "results": 0,
                        "source": "search_page",
                    },
                }
            )
    session.execute(Event.__table__.insert(), rows)
    session.commit()
    return len(rows)


def seed_surveys(session, now: datetime, customers: list[int], rng: random.Random) -> int:
    """NPS answers from 1,500 customers and 1,000 CSAT answers over 90 days, some with comments."""
    from app.surveys.models import SurveyResponse

    comments = ["Search is great", "検索が便利", "لم أجد الإجابة", "Too slow", None, None]
    rows = []
    respondents = rng.sample(customers, NPS_RESPONDENTS)
    for n in range(NPS_RESPONDENTS + CSAT_ANSWERS):
        kind = "nps" if n < NPS_RESPONDENTS else "csat"
        at = now - timedelta(seconds=rng.random() * DAYS * 86400)
        user_id = respondents[n] if kind == "nps" else rng.choice(customers)
        score = rng.choices(range(11), (2, 1, 1, 2, 2, 3, 4, 8, 10, 9, 8))[0]
        rows.append(
            {
                "kind": kind,
                "person": f"u:{user_id}",
                "user_id": user_id,
                "session_key": "bench",
                "locale": rng.choices(("en", "ja", "ar"), (8, 1, 1))[0],
                "subject_type": None if kind == "nps" else "article",
                "subject_id": None,
                "state": "answered",
                "score": score if kind == "nps" else max(1, score // 2),
                "comment": rng.choice(comments),
                "shown_at": at,
                "answered_at": at,
            }
        )
    session.execute(SurveyResponse.__table__.insert(), rows)
    session.commit()
    return len(rows)


def generate(
    total: int, now: datetime, articles, rng: random.Random, customers: list[int] | None = None
) -> int:
    """Insert about `total` events; returns how many."""
    from app.events import Event
    from search.analysis import normalize_query_text

    queries = make_queries(rng)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(queries))]  # Zipf-like popularity
    normalized = {q: normalize_query_text(q[1], q[0]) for q in set(queries)}
    by_locale: dict[str, list] = {}
    for article in articles:
        by_locale.setdefault(article[1], []).append(article)
    start = now - timedelta(days=DAYS - 1)
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    span = (now - start).total_seconds()
    table = Event.__table__
    rows: list[dict] = []
    next_id = 1
    written = 0
    who = random.Random(SEED + 1)  # signed-in or not: its own stream, the events stay the same
    user_id = None

    def add(name, at, session_key, locale, subject=None, **data):
        nonlocal next_id
        rows.append(
            {
                "id": next_id,
                "name": name,
                "occurred_at": at,
                "session_key": session_key,
                "user_id": user_id,
                "locale": locale,
                "subject_type": subject[0] if subject else None,
                "subject_id": subject[1] if subject else None,
                "data": data,
            }
        )
        next_id += 1
        return next_id - 1

    while written < total:
        session_key = f"s{rng.getrandbits(64):016x}"
        user_id = who.choice(customers) if customers and who.random() < SIGNED_IN_SHARE else None
        at = start + timedelta(seconds=rng.random() * span)
        locale = rng.choices(("en", "ja", "ar"), (8, 1, 1))[0]
        pool = by_locale[locale]
        for _step in range(rng.randint(1, 6)):
            at += timedelta(seconds=rng.randint(5, 400))
            if at > now:
                break
            roll = rng.random()
            if roll < 0.45:
                q_locale, text = rng.choices(queries, weights)[0]
                if q_locale != locale:
                    q_locale, text = (
                        locale,
                        text
                        if locale == "en"
                        else rng.choice(QUERIES_JA if locale == "ja" else QUERIES_AR),
                    )
                results = 0 if rng.random() < 0.12 else rng.randint(1, 40)
                event_id = add(
                    "search",
                    at,
                    session_key,
                    locale,
                    query=text,
                    normalized=normalized.get((q_locale, text))
                    or normalize_query_text(text, locale),
                    results=results,
                    source=rng.choice(("search_page", "instant")),
                    kind=None,
                    category=None,
                    page=1,
                )
                if results and rng.random() < 0.55:
                    article = rng.choice(pool)
                    at += timedelta(seconds=rng.randint(2, 30))
                    add(
                        "search_click",
                        at,
                        session_key,
                        locale,
                        search_event=event_id,
                        position=rng.choices(range(1, 11), (30, 20, 12, 9, 7, 6, 5, 4, 4, 3))[0],
                        url=f"/{locale}/articles/{article[2]}",
                    )
                    add("article_view", at, session_key, locale, ("article", article[0]))
            elif roll < 0.75:
                article = rng.choice(pool)
                add("article_view", at, session_key, locale, ("article", article[0]))
                if rng.random() < 0.15:
                    add(
                        "article_feedback",
                        at + timedelta(seconds=20),
                        session_key,
                        locale,
                        ("article", article[0]),
                        helpful=rng.random() < 0.7,
                    )
            else:
                add("ask_opened", at, session_key, locale)
                add("ask_suggestions_shown", at + timedelta(seconds=10), session_key, locale)
                if rng.random() < 0.6:
                    add("ask_suggestion_opened", at + timedelta(seconds=30), session_key, locale)
                    outcome = rng.random()
                    if outcome < 0.3:
                        add("ask_deflected", at + timedelta(seconds=90), session_key, locale)
                    elif outcome < 0.6:
                        add("ask_posted", at + timedelta(seconds=300), session_key, locale)
                elif rng.random() < 0.5:
                    add("ask_posted", at + timedelta(seconds=200), session_key, locale)
        if len(rows) >= 20_000:
            db.session.execute(table.insert(), rows)
            db.session.commit()
            written += len(rows)
            rows = []
    if rows:
        db.session.execute(table.insert(), rows)
        db.session.commit()
        written += len(rows)
    return written


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="SQLite file to write (default: a temporary one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time an existing --keep database again (kept by this version: roll-ups change)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tp-insights-bench-"))
    path = Path(args.keep) if args.keep else folder / "bench.sqlite3"
    reuse = args.reuse and path.exists()
    if path.exists() and not reuse:
        path.unlink()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    rng = random.Random(SEED)
    report: dict = {"events_requested": args.events, "seed": SEED, "days": DAYS}
    with app.app_context():
        from app.accounts.models import User
        from app.clock import utcnow
        from app.events import Event
        from app.insights import customer_firsts, dashboards
        from app.insights.filters import Filters
        from app.insights.rollup_models import CustomerFirstEvent
        from app.insights.rollups import roll_up
        from app.insights.source import RangeData

        db.create_all()
        now = utcnow()
        if reuse:
            report["events"] = db.session.query(Event).count()
            report["rolled_days"] = len(roll_up(now=now).days)  # catches up, if a day passed
            if not db.session.scalar(sa.select(sa.func.count()).select_from(CustomerFirstEvent)):
                customer_firsts.backfill()  # a database kept before the table existed
        else:
            articles = seed_content(db.session)
            customers = seed_customers(db.session)
            began = time.perf_counter()
            report["events"] = generate(args.events, now, articles, rng, customers)
            report["survey_answers"] = seed_surveys(
                db.session, now, customers, random.Random(SEED + 2)
            )
            report["events"] += seed_milestones_and_needs(
                db.session, now, customers, random.Random(SEED + 3)
            )
            report["generate_s"] = round(time.perf_counter() - began, 1)
            began = time.perf_counter()
            rolled = roll_up(now=now)
            report["rollup_s"] = round(time.perf_counter() - began, 1)
            report["rolled_days"] = len(rolled.days)
            user = User(email="cs@example.com", display_name="CS", role="cs_editor")
            user.set_password("correct horse battery")
            db.session.add(user)
            db.session.commit()

        today = now.date()
        ranges = {
            "28_days": Filters(today - timedelta(days=27), today),
            "90_days": Filters(today - timedelta(days=DAYS - 1), today),
        }
        # Baseline: the same dashboard with every day computed from raw events.
        original_init = RangeData.__init__

        def raw_init(self, filters, now_):
            original_init(self, filters, now_)
            self.live_days = [d for d in filters.days if d <= now_.date()]
            self.rolled_days = []

        for label, filters in ranges.items():
            service = timed(lambda f=filters: dashboards.cs_dashboard(f, utcnow()), args.repeat)
            RangeData.__init__ = raw_init
            try:
                raw = timed(lambda f=filters: dashboards.cs_dashboard(f, utcnow()), 1)
            finally:
                RangeData.__init__ = original_init
            report[f"service_{label}_rollups_ms"] = round(statistics.median(service), 1)
            report[f"service_{label}_raw_baseline_ms"] = round(raw[0], 1)
            report[f"speedup_{label}"] = round(raw[0] / statistics.median(service), 1)
        db.session.remove()

    client = app.test_client()
    client.post(
        "/account/sign-in",
        data={"email": "cs@example.com", "password": "correct horse battery"},
    )
    for label, filters in ranges.items():
        query = "&".join(f"{k}={v}" for k, v in filters.as_args().items())
        response = client.get(f"/insights/?{query}")
        assert response.status_code == 200, response.status_code
        times = timed(lambda q=query: client.get(f"/insights/?{q}"), args.repeat)
        report[f"request_{label}_ms_median"] = round(statistics.median(times), 1)
        report[f"request_{label}_ms_max"] = round(max(times), 1)
    # The other insights pages, as a product user sees them (a second account, same data).
    with app.app_context():
        if db.session.query(User).filter_by(email="product@example.com").first() is None:
            product = User(email="product@example.com", display_name="Product", role="product")
            product.set_password("correct horse battery")
            db.session.add(product)
            db.session.commit()
        db.session.remove()
    product_client = app.test_client()
    product_client.post(
        "/account/sign-in",
        data={"email": "product@example.com", "password": "correct horse battery"},
    )
    pages = {
        "product": "/insights/product?",
        "explore": "/insights/explore?q=invoice&",
        "voice": "/insights/voice?",
    }
    for page, prefix in pages.items():
        for label, filters in ranges.items():
            url = prefix + "&".join(f"{k}={v}" for k, v in filters.as_args().items())
            response = product_client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            times = timed(lambda u=url: product_client.get(u), args.repeat)
            report[f"request_{page}_{label}_ms_median"] = round(statistics.median(times), 1)
    # Onboarding milestones (customers who signed up in the range) and the needs page, as CS.
    for page, prefix in {
        "milestones": "/insights/milestones/?",
        "needs": "/insights/needs/?",
    }.items():
        for label, filters in ranges.items():
            url = prefix + "&".join(f"{k}={v}" for k, v in filters.as_args().items())
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            times = timed(lambda u=url: client.get(u), args.repeat)
            report[f"request_{page}_{label}_ms_median"] = round(statistics.median(times), 1)
    rows = client.get("/api/v1/insights/needs").get_json()["rows"]
    dark = {r["need"] for r in rows if r["label"] == "ダークモード"}
    report["dark_mode_one_need_locales"] = sorted({r["locale"] for r in rows if r["need"] in dark})
    report["under_one_second"] = all(
        value < 1000 for key, value in report.items() if key.endswith("_ms_median")
    )
    report["under_half_a_second"] = all(
        value <= 500 for key, value in report.items() if key.endswith("_ms_median")
    )
    report["database_mb"] = round(path.stat().st_size / 1e6, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
