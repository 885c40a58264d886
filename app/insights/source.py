"""Facts over a date range: roll-ups for rolled past days, raw events for today and the rest."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from functools import cached_property

import sqlalchemy as sa

from app.extensions import db
from app.insights.facts import (
    SESSION_FLAGS,
    ArticleFacts,
    ArticleIndex,
    DayFacts,
    QueryFacts,
    compute_day,
    events_of_days,
)
from app.insights.filters import Filters
from app.insights.rollup_models import DailyArticle, DailyCount, RolledDay
from app.insights.session_counts import RolledSessions, rolled_flags, rolled_sessions


class RangeData:
    """One request's view of the facts; build once, ask many questions."""

    def __init__(self, filters: Filters, now: datetime):
        self.filters = filters
        self.now = now
        today = now.date()
        rolled = set(
            db.session.scalars(
                sa.select(RolledDay.day).where(
                    RolledDay.day.between(filters.start, filters.end), RolledDay.day < today
                )
            )
        )
        self.rolled_days = sorted(rolled)
        self.live_days = [d for d in filters.days if d not in rolled and d <= today]
        self._live: list[DayFacts] | None = None

    # -- live (raw) days -------------------------------------------------------------------

    @property
    def live(self) -> list[DayFacts]:
        if self._live is None:
            articles = ArticleIndex.load() if self.live_days else None
            self._live = []
            for day, events in events_of_days(self.live_days, self.now):
                self._live.append(compute_day(day, events, articles, self.now))
        return self._live

    def _locale_ok(self, locale: str) -> bool:
        return self.filters.locale is None or locale == self.filters.locale

    def _category_ok(self, category: str, use_category: bool) -> bool:
        return (
            not use_category or self.filters.category is None or category == self.filters.category
        )

    def _rolled_where(self, table, use_category: bool = False):
        clauses = [table.day.between(self.filters.start, self.filters.end)]
        if self.filters.locale is not None:
            clauses.append(table.locale == self.filters.locale)
        if use_category and self.filters.category is not None:
            clauses.append(table.category == self.filters.category)
        return clauses

    # -- additive counters -----------------------------------------------------------------

    def counts_by_day(self, prefix: str, use_category: bool) -> dict[date, Counter]:
        """metric → value per day, for metrics starting with `prefix` (e.g. "search.")."""
        per_day: dict[date, Counter] = {day: Counter() for day in self.filters.days}
        if self.rolled_days:
            query = (
                sa.select(DailyCount.day, DailyCount.metric, sa.func.sum(DailyCount.value))
                .where(*self._rolled_where(DailyCount, use_category))
                .where(DailyCount.metric.startswith(prefix, autoescape=True))
                .group_by(DailyCount.day, DailyCount.metric)
            )
            for day, metric, value in db.session.execute(query):
                per_day.setdefault(day, Counter())[metric] += int(value or 0)
        for facts in self.live:
            bucket = per_day.setdefault(facts.day, Counter())
            for (locale, category, metric), value in facts.counts.items():
                if (
                    metric.startswith(prefix)
                    and self._locale_ok(locale)
                    and self._category_ok(category, use_category)
                ):
                    bucket[metric] += value
        return per_day

    def counts_by_category(self, prefix: str) -> dict[tuple[date, str], Counter]:
        """metric → value per (day, category); '' is "no category"."""
        found: dict[tuple[date, str], Counter] = defaultdict(Counter)
        if self.rolled_days:
            query = (
                sa.select(
                    DailyCount.day,
                    DailyCount.category,
                    DailyCount.metric,
                    sa.func.sum(DailyCount.value),
                )
                .where(*self._rolled_where(DailyCount, True))
                .where(DailyCount.metric.startswith(prefix, autoescape=True))
                .group_by(DailyCount.day, DailyCount.category, DailyCount.metric)
            )
            for day, category, metric, value in db.session.execute(query):
                found[(day, category)][metric] += int(value or 0)
        for facts in self.live:
            for (locale, category, metric), value in facts.counts.items():
                if (
                    metric.startswith(prefix)
                    and self._locale_ok(locale)
                    and self._category_ok(category, True)
                ):
                    found[(facts.day, category)][metric] += value
        return dict(found)

    def totals(self, prefix: str, use_category: bool) -> Counter:
        total: Counter = Counter()
        for counter in self.counts_by_day(prefix, use_category).values():
            total.update(counter)
        return total

    # -- distinct sessions -----------------------------------------------------------------

    def _live_keys(self, flag: str, day: date | None = None) -> set[str]:
        return {
            key
            for facts in self.live
            if day is None or facts.day == day
            for (locale, key), flags in facts.sessions.items()
            if flag in flags and self._locale_ok(locale)
        }

    @cached_property
    def _rolled_sessions(self) -> RolledSessions:
        if not self.rolled_days:
            return RolledSessions(dict.fromkeys(SESSION_FLAGS, 0), {})
        return rolled_sessions(self.filters.start, self.filters.end, self.filters.locale)

    @cached_property
    def _live_keys_rolled(self) -> dict[str, set[str]]:
        """Flags that live days' keys already had on rolled days of the range."""
        if not self.rolled_days:
            return {}
        keys = {
            key for facts in self.live for locale, key in facts.sessions if self._locale_ok(locale)
        }
        f = self.filters
        return rolled_flags(keys, f.start, f.end, f.locale) if keys else {}

    def distinct_sessions(self, flag: str) -> int:
        """Distinct session keys that did `flag` in the range (a key counts once)."""
        rolled = self._rolled_sessions.totals[flag]
        seen = self._live_keys_rolled
        live = {key for key in self._live_keys(flag) if flag not in seen.get(key, ())}
        return rolled + len(live)

    def distinct_sessions_by_day(self, flag: str) -> dict[date, int]:
        per_day = {day: 0 for day in self.filters.days}
        for day, counts in self._rolled_sessions.by_day.items():
            per_day[day] = counts[flag]
        for facts in self.live:
            per_day[facts.day] = len(self._live_keys(flag, facts.day))
        return per_day

    # -- queries and articles ---------------------------------------------------------------

    def live_queries(self) -> Iterator[tuple[date, str, str, str, QueryFacts]]:
        """(day, locale, category, normalized, facts) of live days, filtered."""
        for facts in self.live:
            for (locale, category, normalized), query in facts.queries.items():
                if self._locale_ok(locale) and self._category_ok(category, True):
                    yield facts.day, locale, category, normalized, query

    def article_totals(self, article_ids: set[int] | None = None) -> dict[int, ArticleFacts]:
        """Views, votes and search clicks per article over the range (locale: the article's)."""
        totals: dict[int, ArticleFacts] = defaultdict(ArticleFacts)
        if self.rolled_days:
            query = sa.select(
                DailyArticle.article_id,
                sa.func.sum(DailyArticle.views),
                sa.func.sum(DailyArticle.helpful),
                sa.func.sum(DailyArticle.not_helpful),
                sa.func.sum(DailyArticle.search_clicks),
            ).where(DailyArticle.day.between(self.filters.start, self.filters.end))
            if article_ids is not None:
                query = query.where(DailyArticle.article_id.in_(sorted(article_ids)))
            for article_id, views, helpful, not_helpful, clicks in db.session.execute(
                query.group_by(DailyArticle.article_id)
            ):
                row = totals[article_id]
                row.views += int(views or 0)
                row.helpful += int(helpful or 0)
                row.not_helpful += int(not_helpful or 0)
                row.search_clicks += int(clicks or 0)
        for facts in self.live:
            for article_id, live in facts.articles.items():
                if article_ids is not None and article_id not in article_ids:
                    continue
                row = totals[article_id]
                row.views += live.views
                row.helpful += live.helpful
                row.not_helpful += live.not_helpful
                row.search_clicks += live.search_clicks
        return dict(totals)
