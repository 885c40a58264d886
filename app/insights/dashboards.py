"""What the CS and product dashboards show, assembled from the metric services (no request here)."""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.editor.translations import translation_dashboard
from app.extensions import db
from app.forum.models import Topic
from app.insights import charts
from app.insights.filters import Filters
from app.insights.gaps import content_gaps
from app.insights.metrics.articles import article_rows, worst_articles
from app.insights.metrics.deflection import deflection_metrics
from app.insights.metrics.forum import feature_requests, forum_metrics
from app.insights.metrics.search import (
    CLICK_THROUGH_TARGET,
    ZERO_RESULT_TARGET,
    search_metrics,
)
from app.insights.metrics.self_service import self_service_metrics
from app.insights.rollup_models import DailyQuery
from app.insights.source import RangeData
from app.insights.task_models import GapTask
from search.analysis import normalize_query_text

log = logging.getLogger("app.insights")


OUTDATED_CACHE_SECONDS = 300
_OUTDATED_KEY = "insights_outdated_translations"


@dataclass(frozen=True)
class OutdatedTranslation:
    id: int
    title: str
    locale: str
    source_id: int


def outdated_translations(limit: int = 20) -> list[OutdatedTranslation]:
    """Translations the editor reports as out of date ([] without the editor).

    The editor's check reads every article's revisions, so the answer is kept for five
    minutes per process: it changes with editing, not with traffic.
    """
    cache = current_app.extensions.setdefault(_OUTDATED_KEY, {})
    cached = cache.get("value")
    if cached is not None and time.monotonic() - cache["at"] < OUTDATED_CACHE_SECONDS:
        return cached[:limit]
    try:
        reports = translation_dashboard()
    except Exception:  # the editor is another area: its failure must not break insights
        log.exception("outdated translations unavailable")
        return []
    found = [
        OutdatedTranslation(t.id, t.title, t.locale, s.id)
        for report in reports
        for t, s in report.outdated
    ]
    cache.update(value=found, at=time.monotonic())
    return found[:limit]


def tasks_by_gap() -> dict[tuple[str, str], GapTask]:
    return {(t.locale, t.gap_key): t for t in db.session.scalars(sa.select(GapTask))}


def cs_dashboard(filters: Filters, now: datetime) -> dict:
    data = RangeData(filters, now)
    north = self_service_metrics(data)
    deflection = deflection_metrics(data)
    search = search_metrics(data)
    labels = charts.day_labels(filters.days)
    gaps = content_gaps(data, limit=25)
    rows = article_rows(data)
    return {
        "north": north,
        "north_chart": charts.line_chart(labels, [("score", [s[3] for s in north.series])]),
        "deflection": deflection,
        "deflection_chart": charts.line_chart(
            labels, [("rate", [v for _d, v in deflection.series])], percent=True
        ),
        "funnel_chart": charts.bar_chart(
            [(step.key, step.count) for step in deflection.funnel[:3]], shares_of_first=True
        ),
        "outcome_chart": charts.bar_chart(
            [(step.key, step.count) for step in deflection.funnel[3:]]
        ),
        "search": search,
        "search_chart": charts.line_chart(
            labels,
            [
                ("zero", [d.zero_result_rate for d in search.series]),
                ("ctr", [d.click_through_rate for d in search.series]),
            ],
            percent=True,
            references=[
                (ZERO_RESULT_TARGET, _("Zero-result target ≤ 5%")),
                (CLICK_THROUGH_TARGET, _("Click-through target ≥ 60%")),
            ],
        ),
        "targets": {"zero": ZERO_RESULT_TARGET, "ctr": CLICK_THROUGH_TARGET},
        "gaps": gaps,
        "sparklines": {(g.locale, g.key): charts.sparkline([n for _d, n in g.trend]) for g in gaps},
        "tasks": tasks_by_gap(),
        "worst": worst_articles(rows),
        "articles": rows[:25],
        "forum": forum_metrics(filters, now),
        "outdated": outdated_translations(),
    }


@dataclass
class WeeklyUnanswered:
    weeks: list[date]
    total: list[int]
    by_category: dict[str, list[int]] = field(default_factory=dict)


def unanswered_by_week(data: RangeData) -> WeeklyUnanswered:
    """Searches without a click per ISO week, overall and per category ('' = none)."""
    per = data.counts_by_category("search.")
    daily: dict[str, Counter] = defaultdict(Counter)
    for (day, category), counter in per.items():
        daily[category][day] += counter["search.count"] - counter["search.clicked"]
    days = data.filters.days
    total_days = [sum(daily[c][d] for c in daily) for d in days]
    weeks, total = charts.weekly(days, total_days)
    by_category = {}
    for category in sorted(daily):
        _w, values = charts.weekly(days, [daily[category][d] for d in days])
        if any(values):
            by_category[category] = [int(v) for v in values]
    return WeeklyUnanswered(weeks, [int(v) for v in total], by_category)


def product_dashboard(filters: Filters, now: datetime) -> dict:
    data = RangeData(filters, now)
    weekly = unanswered_by_week(data)
    labels = [w.isoformat() for w in weekly.weeks]
    series = [("all", weekly.total)]
    if len(weekly.by_category) > 1:  # one category would only repeat the total
        busiest = sorted(weekly.by_category.items(), key=lambda item: -sum(item[1]))[:5]
        series += [(category or "—", values) for category, values in busiest]
    gaps = content_gaps(data, limit=30)
    return {
        "weekly": weekly,
        "weekly_chart": charts.line_chart(labels, series),
        "search": search_metrics(data),
        "gaps": gaps,
        "new_gaps": [g for g in gaps if g.is_new],
        "sparklines": {(g.locale, g.key): charts.sparkline([n for _d, n in g.trend]) for g in gaps},
        "ideas": feature_requests(filters),
    }


@dataclass
class Exploration:
    term: str
    keys: dict[str, str]  # locale → normalized term
    days: list[date]
    searches: list[int]
    zero_results: list[int]
    clicks: list[int]
    examples: Counter
    topics: list[Topic]

    @property
    def total(self) -> int:
        return sum(self.searches)


def explore(term: str, filters: Filters, now: datetime, locales: tuple[str, ...]) -> Exploration:
    """Searches whose normalized form contains every normalized word of `term`, per day."""
    data = RangeData(filters, now)
    scope = (filters.locale,) if filters.locale else locales
    keys = {locale: normalize_query_text(term, locale) for locale in scope}
    per_day = {d: [0, 0, 0] for d in filters.days}
    examples: Counter = Counter()

    def matches(locale: str, normalized: str) -> bool:
        words = set(normalized.split())
        return locale in keys and bool(keys[locale]) and set(keys[locale].split()) <= words

    if data.rolled_days:
        for locale, key in keys.items():
            words = key.split()
            if not words:
                continue
            query = sa.select(
                DailyQuery.day,
                DailyQuery.locale,
                DailyQuery.normalized,
                DailyQuery.searches,
                DailyQuery.zero_results,
                DailyQuery.clicks,
                DailyQuery.examples,
            ).where(*data._rolled_where(DailyQuery, True), DailyQuery.locale == locale)
            for word in words:
                query = query.where(DailyQuery.normalized.contains(word, autoescape=True))
            for row in db.session.execute(query.limit(20_000)):
                if matches(row.locale, row.normalized):
                    counts = per_day[row.day]
                    counts[0] += row.searches
                    counts[1] += row.zero_results
                    counts[2] += row.clicks
                    examples.update(row.examples or [])
    for day, locale, _category, normalized, q in data.live_queries():
        if matches(locale, normalized):
            counts = per_day[day]
            counts[0] += q.searches
            counts[1] += q.zero_results
            counts[2] += q.clicks
            examples.update(q.examples)
    topic_query = (
        sa.select(Topic)
        .where(
            Topic.is_hidden.is_(False), Topic.title.icontains(term.strip()[:100], autoescape=True)
        )
        .order_by(Topic.vote_count.desc(), Topic.id.desc())
        .limit(10)
    )
    if filters.locale:
        topic_query = topic_query.where(Topic.locale == filters.locale)
    days = sorted(per_day)
    return Exploration(
        term=term,
        keys=keys,
        days=days,
        searches=[per_day[d][0] for d in days],
        zero_results=[per_day[d][1] for d in days],
        clicks=[per_day[d][2] for d in days],
        examples=examples,
        topics=list(db.session.scalars(topic_query)),
    )
