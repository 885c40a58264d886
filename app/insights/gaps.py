"""Content gaps: searches with no result or no click, grouped per language by normalized query.

Grouping uses the search engine's own `normalize_query_text` (stored with each search, so
case, width and script variants, stop words, stems and word order already fold), then folds
one-edit typos of Latin words (Damerau-Levenshtein 1, words of 4+ letters) onto the more
frequent spelling, as the search engine's own typo tolerance would.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Topic
from app.insights import query_weeks
from app.insights.rollup_models import DailyQuery
from app.insights.source import RangeData

CANDIDATES = 1000  # normalized queries considered before folding (most unanswered first)
TYPO_MIN_LENGTH = 4
NEW_WITHIN_DAYS = 7
HISTORY_RAW_DAYS = 92  # unrolled days before a range read raw to tell new gaps from old
_LATIN = re.compile(r"^[0-9a-z\u00c0-\u024f]+$")


@dataclass
class Gap:
    locale: str
    key: str  # folded normalized query: the gap's identity (and a GapTask's gap_key)
    label: str = ""
    searches: int = 0
    zero_results: int = 0
    no_clicks: int = 0
    clicks: int = 0
    members: set = field(default_factory=set)  # normalized queries folded into this gap
    examples: Counter = field(default_factory=Counter)
    topic_ids: list = field(default_factory=list)
    topics: list = field(default_factory=list)  # (id, title, locale)
    trend: list = field(default_factory=list)  # (day, unanswered searches)
    first_seen: date | None = None
    is_new: bool = False

    @property
    def keywords(self) -> str:
        return self.label


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance of a and b is at most 1."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def typo_canon(weights: Counter) -> dict[str, str]:
    """Map each word to the most frequent word within one edit of it (itself if none)."""
    canon: dict[str, str] = {}
    index: dict[str, list[str]] = defaultdict(list)
    for word, _weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
        if len(word) < TYPO_MIN_LENGTH or not _LATIN.match(word):
            canon[word] = word
            continue
        match = None
        for variant in _deletes(word):
            for head in index.get(variant, ()):
                if _within_one_edit(word, head):
                    match = head
                    break
            if match:
                break
        if match:
            canon[word] = match
        else:
            canon[word] = word
            for variant in _deletes(word):
                index[variant].append(word)
    return canon


def fold_keys(weights_by_key: dict[str, int]) -> dict[str, str]:
    """normalized query → gap key, for the queries of one language."""
    words: Counter = Counter()
    for key, weight in weights_by_key.items():
        for word in key.split():
            words[word] += weight
    canon = typo_canon(words)
    return {
        key: " ".join(sorted({canon.get(w, w) for w in key.split()})) or key
        for key in weights_by_key
    }


Named = set[tuple[str, frozenset]]  # (locale, a query's words) kept whatever their rank


def _is_named(named: Named, locale: str, normalized: str) -> bool:
    return bool(named) and (locale, frozenset(normalized.split())) in named


def _candidates(data: RangeData, named: Named) -> dict[tuple[str, str], list[int]]:
    """(locale, normalized) → [searches, zero, no_clicks, clicks]: the most unanswered
    queries plus the most searched ones (so typos fold onto them) plus the `named` ones;
    one grouped scan, of whole weeks where it can (query_weeks.py)."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    if data.rolled_days:
        rows = query_weeks.query_rows(data.filters).subquery()
        query = sa.select(
            rows.c.locale, rows.c.normalized, *(sa.func.sum(rows.c[c]) for c in query_weeks.SUMS)
        ).group_by(rows.c.locale, rows.c.normalized)
        grouped = [
            ((locale, normalized), [int(v or 0) for v in values])
            for locale, normalized, *values in db.session.execute(query)
        ]
        unanswered = sorted(grouped, key=lambda item: (-item[1][2], item[0]))[:CANDIDATES]
        for key, values in unanswered:
            if values[2] > 0:
                sums[key] = values
        for key, values in sorted(grouped, key=lambda item: (-item[1][0], item[0]))[:CANDIDATES]:
            sums.setdefault(key, values)
        for key, values in grouped:
            if values[2] > 0 and _is_named(named, *key):
                sums.setdefault(key, values)
    for _day, locale, _category, normalized, q in data.live_queries():
        row = sums[(locale, normalized)]
        row[0] += q.searches
        row[1] += q.zero_results
        row[2] += q.no_clicks
        row[3] += q.clicks
    return dict(sums)


def content_gaps(
    data: RangeData, limit: int = 25, details: bool = True, named: Named | None = None
) -> list[Gap]:
    """The gaps of the range, most unanswered searches first: the top `limit`, plus any gap
    with a query `named` (a synonym group's term: the needs page links those across languages)."""
    named = named or set()
    candidates = _candidates(data, named)
    by_locale: dict[str, dict[str, int]] = defaultdict(dict)
    for (locale, normalized), row in candidates.items():
        by_locale[locale][normalized] = row[0]
    gaps: dict[tuple[str, str], Gap] = {}
    for locale, weights in by_locale.items():
        for normalized, key in fold_keys(weights).items():
            gap = gaps.setdefault((locale, key), Gap(locale, key))
            searches, zero, no_clicks, clicks = candidates[(locale, normalized)]
            gap.searches += searches
            gap.zero_results += zero
            gap.no_clicks += no_clicks
            gap.clicks += clicks
            gap.members.add(normalized)
    unanswered = [g for g in gaps.values() if g.no_clicks > 0]
    ranked = sorted(unanswered, key=lambda g: (-g.no_clicks, g.locale, g.key))
    ranked = ranked[:limit] + [
        g for g in ranked[limit:] if any(_is_named(named, g.locale, m) for m in g.members)
    ]
    if details and ranked:
        _add_details(data, ranked)
    for gap in ranked:
        gap.label = gap.examples.most_common(1)[0][0] if gap.examples else gap.key
    return ranked


TEXT_ROWS = 3000  # roll-up rows read for examples and forum questions (busiest first)


def _member_rows(data: RangeData, gaps: list[Gap], mode: str = "trend"):
    """(gap, day, unanswered, examples, topic ids) of the gaps' members, rolled and live.

    mode "trend": per-day counts only; "text": also examples and questions, from the
    busiest rows; "first": each member's first unanswered day over all history.
    """
    whole_history = mode == "first"
    wanted = {(g.locale, m): g for g in gaps for m in g.members}
    normalized = sorted({m for g in gaps for m in g.members})
    for offset in range(0, len(normalized), 400):
        members = DailyQuery.normalized.in_(normalized[offset : offset + 400])
        if whole_history:
            query = (
                sa.select(
                    sa.func.min(DailyQuery.day),
                    DailyQuery.locale,
                    DailyQuery.normalized,
                    sa.func.sum(DailyQuery.no_clicks),
                    sa.null(),
                    sa.null(),
                )
                .where(members, DailyQuery.no_clicks > 0)
                .group_by(DailyQuery.locale, DailyQuery.normalized)
            )
            if data.filters.category:
                query = query.where(DailyQuery.category == data.filters.category)
        else:
            text = mode == "text"
            query = sa.select(
                DailyQuery.day,
                DailyQuery.locale,
                DailyQuery.normalized,
                DailyQuery.no_clicks,
                DailyQuery.examples if text else sa.null(),
                DailyQuery.topic_ids if text else sa.null(),
            ).where(members, DailyQuery.no_clicks > 0, *data._rolled_where(DailyQuery, True))
            if text:
                query = query.order_by(DailyQuery.no_clicks.desc()).limit(TEXT_ROWS)
        for day, locale, member, no_clicks, examples, topic_ids in db.session.execute(query):
            gap = wanted.get((locale, member))
            if gap is not None:
                yield gap, day, no_clicks, examples or [], topic_ids or []
    live = [data]
    if whole_history:
        earlier = _unrolled_history(data)
        if earlier is not None:
            live.append(earlier)
    for source in live:
        for day, locale, _category, member, q in source.live_queries():
            gap = wanted.get((locale, member))
            if gap is not None and q.no_clicks:
                examples = [text for text, _n in q.examples.most_common(3)]
                yield gap, day, q.no_clicks, examples, q.topic_ids


def _unrolled_history(data: RangeData) -> RangeData | None:
    """Days before the range that are not rolled up (normally none), read raw — if few."""
    from app.insights.filters import Filters
    from app.insights.rollups import first_event_day

    first = first_event_day()
    if first is None or first >= data.filters.start:
        return None
    earlier = Filters(first, data.filters.start - timedelta(days=1), **_same_scope(data.filters))
    history = RangeData(earlier, data.now)
    return history if len(history.live_days) <= HISTORY_RAW_DAYS else None


def _same_scope(filters) -> dict:
    return {"locale": filters.locale, "category": filters.category}


def _add_details(data: RangeData, gaps: list[Gap]) -> None:
    per_day: dict[int, Counter] = defaultdict(Counter)
    for gap, day, no_clicks, _examples, _topics in _member_rows(data, gaps, "trend"):
        per_day[id(gap)][day] += no_clicks
    for gap, _day, no_clicks, examples, topic_ids in _member_rows(data, gaps, "text"):
        if not no_clicks:
            continue
        for text in examples:
            gap.examples[text] += 1
        for topic_id in topic_ids:
            if topic_id not in gap.topic_ids:
                gap.topic_ids.append(topic_id)
    # First seen: over all history, so "new" means new, not "new in this range".
    first: dict[int, date] = {}
    for gap, day, no_clicks, _examples, _topics in _member_rows(data, gaps, "first"):
        if no_clicks and (id(gap) not in first or day < first[id(gap)]):
            first[id(gap)] = day
    new_since = data.filters.end - timedelta(days=NEW_WITHIN_DAYS - 1)
    topic_ids = sorted({t for g in gaps for t in g.topic_ids})
    titles = {}
    if topic_ids:
        titles = {
            t.id: (t.id, t.title, t.locale)
            for t in db.session.scalars(sa.select(Topic).where(Topic.id.in_(topic_ids)))
            if not t.is_hidden
        }
    for gap in gaps:
        counts = per_day[id(gap)]
        gap.trend = [(day, counts.get(day, 0)) for day in data.filters.days]
        gap.first_seen = first.get(id(gap))
        gap.is_new = gap.first_seen is not None and gap.first_seen >= new_since
        gap.topics = [titles[t] for t in gap.topic_ids if t in titles][:5]
