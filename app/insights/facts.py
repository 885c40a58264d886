"""One day's facts computed from raw events: the single definition roll-ups and live days share.

Everything the dashboards show is derived here (or from the forum tables), so a roll-up of a
day and a live computation of the same day give the same numbers. See EVENTS.md and the
metric help texts for the definitions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa

from app.events import Event
from app.extensions import db
from app.kb.models import Article
from search.analysis import normalize_query_text

# Questions posted: every new topic starts in the ask flow (/community/ask), which records it.
QUESTION_EVENTS = frozenset({"ask_posted"})
ASK_EVENTS = frozenset(
    {
        "ask_opened",
        "ask_suggestions_shown",
        "ask_suggestion_opened",
        "ask_deflected",
        "ask_not_answered",
        "ask_posted",
    }
)
EVENT_NAMES = frozenset(
    {"search", "search_click", "article_view", "article_feedback"} | ASK_EVENTS | QUESTION_EVENTS
)
# Searches from the ask form are measured by the deflection funnel, not as searches.
SEARCH_SOURCES_EXCLUDED = frozenset({"ask"})

IMPLICIT_WINDOW = timedelta(minutes=30)
REFINE_WINDOW = timedelta(minutes=5)
FOLLOW_UP_WINDOW = timedelta(minutes=60)
# Events after midnight still needed to judge a day's events (clicks, posts, refinements).
LOOKAHEAD = max(IMPLICIT_WINDOW, REFINE_WINDOW, FOLLOW_UP_WINDOW)

SESSION_FLAGS = (
    "read_help",
    "posted_question",
    "ask_opened",
    "suggestions_shown",
    "suggestion_opened",
)
EXAMPLES_KEPT = 3
TOPICS_KEPT = 5
_ARTICLE_PATH = re.compile(r"^/(?P<locale>[a-z]{2})/articles/(?P<slug>[^/?#]+)")


class RawEvent(NamedTuple):
    """The columns of an Event the computation reads (a tuple: today's thousands are built
    on every dashboard request)."""

    id: int
    name: str
    at: datetime
    session_key: str
    locale: str
    subject_type: str | None
    subject_id: int | None
    data: dict


@dataclass
class QueryFacts:
    """Searches for one (locale, category, normalized query) on one day."""

    searches: int = 0
    zero_results: int = 0
    no_clicks: int = 0
    clicks: int = 0
    examples: Counter = field(default_factory=Counter)
    topic_ids: list = field(default_factory=list)
    clicked_articles: Counter = field(default_factory=Counter)


@dataclass
class ArticleFacts:
    views: int = 0
    helpful: int = 0
    not_helpful: int = 0
    search_clicks: int = 0


@dataclass
class DayFacts:
    """Everything one day contributes; additive except `sessions` (distinct keys)."""

    day: date
    events: int = 0
    counts: Counter = field(default_factory=Counter)  # (locale, category, metric) → value
    sessions: dict = field(default_factory=dict)  # (locale, session_key) → set of flags
    queries: dict = field(default_factory=lambda: defaultdict(QueryFacts))
    articles: dict = field(default_factory=lambda: defaultdict(ArticleFacts))


@dataclass(frozen=True)
class ArticleIndex:
    """Article ids and categories, to attribute clicks (URLs) and views to categories."""

    by_path: dict  # (locale, slug) → article id
    category_of: dict  # article id → category slug

    @classmethod
    def load(cls) -> ArticleIndex:
        rows = db.session.execute(
            sa.select(Article.id, Article.locale, Article.slug, Article.category_id)
        ).all()
        from app.kb.models import Category

        slugs = dict(db.session.execute(sa.select(Category.id, Category.slug)).all())
        return cls(
            by_path={(r.locale, r.slug): r.id for r in rows},
            category_of={r.id: slugs.get(r.category_id, "") for r in rows},
        )

    def article_for_url(self, url: str) -> int | None:
        match = _ARTICLE_PATH.match(url or "")
        if not match:
            return None
        return self.by_path.get((match["locale"], match["slug"]))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


@lru_cache(maxsize=1)
def _events_between() -> sa.Select:
    """The query of load_events, built once: its `start` and `end` are bound per call."""
    table = Event.__table__
    return (
        sa.select(
            table.c.id,
            table.c.name,
            table.c.occurred_at,
            table.c.session_key,
            table.c.locale,
            table.c.subject_type,
            table.c.subject_id,
            table.c.data,
        )
        .where(table.c.name.in_(sorted(EVENT_NAMES)))
        .where(
            table.c.occurred_at >= sa.bindparam("start"), table.c.occurred_at < sa.bindparam("end")
        )
        .order_by(table.c.occurred_at, table.c.id)
    )


def load_events(start: datetime, end: datetime) -> list[RawEvent]:
    """Events the metrics read in [start, end), oldest first; uses the (name, time) index.

    Core columns, unpacked as tuples: ORM rows read by attribute name took twice as long.
    """
    rows = db.session.execute(_events_between(), {"start": start, "end": end})
    return [
        RawEvent(id_, name, at, key or "", locale or "", kind, subject, _as_dict(data))
        for id_, name, at, key, locale, kind, subject, data in rows
    ]


def events_of_days(days: list[date], now: datetime) -> Iterator[tuple[date, list[RawEvent]]]:
    """Each of `days` (ascending) with its events: from its midnight to LOOKAHEAD after the
    next, none after `now`. One query per run of consecutive days, not one per day (a
    dashboard over 28 live days made 28)."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        windows = []
        for day in run:
            start, end = day_bounds(day)
            windows.append((day, start, min(end + LOOKAHEAD, max(now, start))))
        events = load_events(windows[0][1], max(upper for _day, _start, upper in windows))
        moments = [event.at for event in events]
        for day, start, upper in windows:
            yield day, events[bisect_left(moments, start) : bisect_left(moments, upper)]


def _as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


@lru_cache(maxsize=50_000)
def normalized_query(text: str, locale: str) -> str:
    """The grouping key of a query: search/analysis.py's normalize_query_text."""
    return normalize_query_text(text, locale or "en")[:200]


def _normalized(event: RawEvent) -> str:
    stored = event.data.get("normalized")
    if isinstance(stored, str) and stored:
        return stored[:200]
    return normalized_query(str(event.data.get("query") or ""), event.locale)


def _as_int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def compute_day(
    day: date, events: Iterable[RawEvent], articles: ArticleIndex, now: datetime
) -> DayFacts:
    """The facts of `day` from its events plus those up to LOOKAHEAD after midnight.

    `now` matters for today: a suggestion opened less than 30 minutes ago is not yet an
    implicit deflection (its window is still open).
    """
    start, end = day_bounds(day)
    events = [e for e in events if start <= e.at < end + LOOKAHEAD]
    facts = DayFacts(day=day)
    by_session: dict[str, list[RawEvent]] = defaultdict(list)
    for event in events:
        by_session[event.session_key].append(event)
    in_day = [e for e in events if e.at < end]
    facts.events = len(in_day)

    search_category: dict[int, str] = {}
    clicks_of: dict[int, list[RawEvent]] = defaultdict(list)
    for event in events:
        if event.name == "search_click":
            clicks_of[_as_int(event.data.get("search_event"))].append(event)

    for event in in_day:
        if event.name == "article_view" and event.subject_type == "article":
            _count_article_view(facts, event, articles)
        elif event.name == "article_feedback" and event.subject_type == "article":
            _count_vote(facts, event, articles)
        elif event.name == "search":
            _count_search(facts, event, clicks_of, by_session, articles, search_category)
        elif event.name in ASK_EVENTS or event.name in QUESTION_EVENTS:
            _count_ask(facts, event, by_session, now)
    return facts


def _flag(facts: DayFacts, event: RawEvent, flag: str) -> None:
    if event.session_key:
        facts.sessions.setdefault((event.locale, event.session_key), set()).add(flag)


def _count_article_view(facts: DayFacts, event: RawEvent, articles: ArticleIndex) -> None:
    category = articles.category_of.get(event.subject_id, "")
    facts.counts[(event.locale, category, "article.views")] += 1
    facts.articles[event.subject_id].views += 1
    _flag(facts, event, "read_help")


def _count_vote(facts: DayFacts, event: RawEvent, articles: ArticleIndex) -> None:
    category = articles.category_of.get(event.subject_id, "")
    helpful = bool(event.data.get("helpful"))
    facts.counts[(event.locale, category, "article.votes")] += 1
    if helpful:
        facts.counts[(event.locale, category, "article.helpful")] += 1
        facts.articles[event.subject_id].helpful += 1
    else:
        facts.articles[event.subject_id].not_helpful += 1


def _count_search(facts, event, clicks_of, by_session, articles, search_category) -> None:
    if event.data.get("source") in SEARCH_SOURCES_EXCLUDED:
        return
    clicks = clicks_of.get(event.id, [])
    clicked_ids = [articles.article_for_url(str(c.data.get("url") or "")) for c in clicks]
    category = str(event.data.get("category") or "")
    if not category:
        category = next((articles.category_of.get(i, "") for i in clicked_ids if i), "")
    results = _as_int(event.data.get("results"))
    normalized = _normalized(event)
    key = (event.locale, category)
    facts.counts[(*key, "search.count")] += 1
    if results == 0:
        facts.counts[(*key, "search.zero")] += 1
    if clicks:
        facts.counts[(*key, "search.clicked")] += 1
        facts.counts[(*key, "search.clicks")] += len(clicks)
        facts.counts[(*key, "search.click_position_sum")] += sum(
            max(_as_int(c.data.get("position"), 1), 1) for c in clicks
        )
        for article_id in clicked_ids:
            if article_id:
                facts.articles[article_id].search_clicks += 1
    else:
        outcome = _after_unclicked_search(event, normalized, by_session[event.session_key])
        if outcome:
            facts.counts[(*key, f"search.{outcome}")] += 1

    query = facts.queries[(event.locale, category, normalized)]
    query.searches += 1
    query.zero_results += results == 0
    query.no_clicks += not clicks
    query.clicks += len(clicks)
    query.examples[str(event.data.get("query") or "")[:200]] += 1
    for article_id in clicked_ids:
        if article_id:
            query.clicked_articles[str(article_id)] += 1
    if results == 0 or not clicks:
        for follow in by_session[event.session_key]:
            if (
                follow.name in QUESTION_EVENTS
                and follow.subject_type == "topic"
                and follow.subject_id
                and event.at < follow.at <= event.at + FOLLOW_UP_WINDOW
                and follow.subject_id not in query.topic_ids
                and len(query.topic_ids) < TOPICS_KEPT
            ):
                query.topic_ids.append(follow.subject_id)


def _after_unclicked_search(event: RawEvent, normalized: str, session_events) -> str | None:
    """'refined' (another query within 5 min), 'abandoned' (no search after), or None (repeat)."""
    for later in session_events:
        if later.name != "search" or (later.at, later.id) <= (event.at, event.id):
            continue
        if later.data.get("source") in SEARCH_SOURCES_EXCLUDED:
            continue
        if later.at - event.at > REFINE_WINDOW:
            break
        return "refined" if _normalized(later) != normalized else None
    return "abandoned"


def _count_ask(facts: DayFacts, event: RawEvent, by_session, now: datetime) -> None:
    key = (event.locale, "")
    if event.name in QUESTION_EVENTS:
        _flag(facts, event, "posted_question")
    if event.name == "ask_opened":
        _flag(facts, event, "ask_opened")
    elif event.name == "ask_suggestions_shown":
        _flag(facts, event, "suggestions_shown")
    elif event.name == "ask_suggestion_opened":
        _flag(facts, event, "suggestion_opened")
        outcome = _implicit_outcome(event, by_session[event.session_key], now)
        if outcome:
            facts.counts[(*key, f"ask.{outcome}")] += 1
    elif event.name == "ask_deflected":
        facts.counts[(*key, "ask.explicit")] += 1
    elif event.name == "ask_not_answered":
        facts.counts[(*key, "ask.not_answered")] += 1
    elif event.name == "ask_posted":
        facts.counts[(*key, "ask.posted")] += 1


def _implicit_outcome(opened: RawEvent, session_events, now: datetime) -> str | None:
    """Opened a suggestion, then within 30 minutes: no post, no "yes", no other suggestion.

    "implicit" once the 30 minutes have passed; "implicit_pending" while they have not and
    nothing has ended it yet (today's numbers show those as pending, never as 0); None when
    the session posted, said yes or opened another suggestion.
    """
    if not opened.session_key:
        return None
    for later in session_events:
        if (later.at, later.id) <= (opened.at, opened.id):
            continue
        if later.at > opened.at + IMPLICIT_WINDOW:
            break
        if later.name in ("ask_posted", "ask_deflected", "ask_suggestion_opened"):
            return None
    return "implicit_pending" if opened.at + IMPLICIT_WINDOW > now else "implicit"
