"""One need, every language: content gaps and feature requests linked across locales.

The items are the range's content gaps (zero-result and no-click searches, grouped per
language by `gaps.py`) and the feature requests (ideas topics). Two items are one need when
- a CS-curated synonym group names both ("dark mode" | "ダークモード" | "الوضع الداكن"),
- they led to the same article in two languages (clicked articles and topics filed under
  an article, compared by the articles' shared translation key),
- a gap's searches were followed by that feature request (the same customer's session),
- a non-Latin-script query holds Latin words ("slack 連携") that are all words of a gap in
  a Latin-script language ("slack integration"),
and by hand: CS merges rows and splits items off; both are remembered (`insights_need_link`).
A need is shown as one row with a part per language.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Topic
from app.insights.gaps import Gap, content_gaps
from app.insights.metrics.forum import QuestionRow, feature_requests
from app.insights.need_models import NeedLink, NeedLinkKind, NeedSynonymGroup
from app.insights.rollup_models import DailyQuery
from app.insights.source import RangeData
from app.kb.models import Article
from search.analysis import normalize_query_text

GAPS = 100  # content gaps considered (most unanswered first)
REQUESTS = 100  # feature requests considered (most votes first)
MAX_TERMS = 10  # per language in one synonym group
MAX_TERM_LENGTH = 80
LATIN_LOCALES = {"en"}  # languages written in Latin script: their words are matched as is
_LATIN_WORD = re.compile(r"^[0-9a-z\u00c0-\u024f]{2,}$")

# Why two items are one need (shown with the row).
SYNONYMS, ARTICLE, FOLLOWED, LATIN, HAND = "synonyms", "article", "followed", "latin", "hand"


class NeedError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Item:
    """A gap or a feature request: the unit merged and split."""

    ref: str  # "gap:<locale>:<key>" or "topic:<id>"
    kind: str  # "gap" or "topic"
    locale: str
    label: str
    words: frozenset  # normalized words (a gap's: of all its queries), for matching
    variants: list = field(default_factory=list)  # a gap's queries, each as a set of words
    unanswered: int = 0
    zero_results: int = 0
    searches: int = 0
    votes: int = 0
    topic_id: int | None = None
    examples: list = field(default_factory=list)
    articles: set = field(default_factory=set)  # translation keys it led to


@dataclass
class Part:
    locale: str
    items: list[Item] = field(default_factory=list)

    @property
    def gaps(self) -> list[Item]:
        return [i for i in self.items if i.kind == "gap"]

    @property
    def requests(self) -> list[Item]:
        return [i for i in self.items if i.kind == "topic"]


@dataclass
class Need:
    label: str
    locale: str  # the label's language
    parts: list[Part]
    reasons: set[str]
    unanswered: int
    votes: int

    @property
    def anchor(self) -> str:
        return self.parts[0].items[0].ref

    @property
    def locales(self) -> list[str]:
        return [p.locale for p in self.parts]


def gap_ref(locale: str, key: str) -> str:
    return f"gap:{locale}:{key}"


def topic_ref(topic_id: int) -> str:
    return f"topic:{topic_id}"


# -- synonym groups ----------------------------------------------------------------------------


def parse_terms(raw_by_locale: dict[str, str]) -> dict[str, list[str]]:
    """{"en": "dark mode, dark theme", ...} → {"en": ["dark mode", "dark theme"]}; checked."""
    terms: dict[str, list[str]] = {}
    for locale, raw in raw_by_locale.items():
        found = []
        for term in re.split(r"[,\n،、]", raw or ""):
            term = " ".join(term.split())
            if not term:
                continue
            if len(term) > MAX_TERM_LENGTH:
                raise NeedError("term_length")
            if term not in found:
                found.append(term)
        if len(found) > MAX_TERMS:
            raise NeedError("too_many")
        if found:
            terms[locale] = found
    if len(terms) < 2:
        raise NeedError("two_languages")
    return terms


def add_synonym_group(raw_by_locale: dict[str, str], user_id: int | None) -> NeedSynonymGroup:
    group = NeedSynonymGroup(terms=parse_terms(raw_by_locale), created_by_id=user_id)
    db.session.add(group)
    return group


def synonym_groups() -> list[NeedSynonymGroup]:
    return list(db.session.scalars(sa.select(NeedSynonymGroup).order_by(NeedSynonymGroup.id)))


def _group_words(groups: Iterable[NeedSynonymGroup]) -> list[list[tuple[str, frozenset]]]:
    """Each group's terms as (locale, normalized words)."""
    return [
        [
            (locale, frozenset(normalize_query_text(term, locale).split()))
            for locale, terms in (group.terms or {}).items()
            for term in terms
        ]
        for group in groups
    ]


# -- hand merges and splits --------------------------------------------------------------------


def merge(refs: list[str], user_id: int | None) -> None:
    """Make the items (each standing for its row) one need; the caller commits."""
    refs = list(dict.fromkeys(r for r in refs if r))
    if len(refs) < 2:
        raise NeedError("merge_two")
    for other in refs[1:]:
        db.session.add(
            NeedLink(
                kind=NeedLinkKind.MERGE.value, part=refs[0], other=other, created_by_id=user_id
            )
        )


def split(ref: str, user_id: int | None) -> None:
    """Take an item out of its need: its hand merges go, and no automatic link reaches it."""
    db.session.execute(
        sa.delete(NeedLink).where(
            NeedLink.kind == NeedLinkKind.MERGE.value,
            sa.or_(NeedLink.part == ref, NeedLink.other == ref),
        )
    )
    exists = db.session.scalar(
        sa.select(NeedLink.id).where(
            NeedLink.kind == NeedLinkKind.SPLIT.value, NeedLink.part == ref
        )
    )
    if exists is None:
        db.session.add(NeedLink(kind=NeedLinkKind.SPLIT.value, part=ref, created_by_id=user_id))


# -- linking -----------------------------------------------------------------------------------


class _Union:
    def __init__(self, refs: Iterable[str]):
        self.parent = {r: r for r in refs}
        self.reasons: dict[str, set[str]] = defaultdict(set)

    def find(self, ref: str) -> str:
        while self.parent[ref] != ref:
            self.parent[ref] = self.parent[self.parent[ref]]
            ref = self.parent[ref]
        return ref

    def join(self, a: str, b: str, reason: str) -> None:
        if a not in self.parent or b not in self.parent:
            return
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.reasons[ra] |= self.reasons.pop(rb, set())
        self.reasons[ra].add(reason)


def _gap_items(data: RangeData, groups) -> list[tuple[Item, Gap]]:
    """The range's gaps as items (the GAPS most unanswered, and every gap a synonym group
    names), with their examples, the forum questions that followed and the article their
    searches led to (`_details`; no trend or first day: not shown)."""
    pairs = []
    named = {(locale, words) for group in groups for locale, words in group if words}
    for gap in content_gaps(data, limit=GAPS, details=False, named=named):
        item = Item(
            gap_ref(gap.locale, gap.key),
            "gap",
            gap.locale,
            gap.key,
            frozenset(w for m in gap.members for w in m.split()),
            variants=[frozenset(m.split()) for m in sorted(gap.members)]
            + [frozenset(gap.key.split())],
            unanswered=gap.no_clicks,
            zero_results=gap.zero_results,
            searches=gap.searches,
        )
        pairs.append((item, gap))
    _details(data, pairs)
    return pairs


DETAIL_ROWS = 3000  # roll-up rows read for examples, questions and clicks (busiest first)
DETAIL_DAYS = 28  # ... from the range's last four weeks (earlier days only for gaps not seen)


def _details(data: RangeData, pairs: list[tuple[Item, Gap]]) -> None:
    """One read of the gaps' busiest roll-up rows (and today's): examples (the label), forum
    questions that followed, and the article clicked most, as a translation key."""
    wanted = {(gap.locale, m): (item, gap) for item, gap in pairs for m in gap.members}
    examples: dict[str, Counter] = defaultdict(Counter)
    clicks: dict[str, Counter] = defaultdict(Counter)

    def take(locale, normalized, no_clicks, texts, topic_ids, clicked):
        item, gap = wanted.get((locale, normalized), (None, None))
        if item is None:
            return
        if no_clicks:
            examples[item.ref].update(texts or [])
            for topic_id in topic_ids or []:
                if topic_id not in gap.topic_ids:
                    gap.topic_ids.append(topic_id)
        clicks[item.ref].update({int(k): int(v) for k, v in (clicked or {}).items()})

    # The range's last DETAIL_DAYS first; then the whole range for gaps still without an example.
    recent = max(data.filters.start, data.filters.end - timedelta(days=DETAIL_DAYS - 1))
    for start, items in ((recent, None), (data.filters.start, "unlabelled")):
        if items == "unlabelled":
            if recent == data.filters.start:
                break
            wanted_now = {k: v for k, v in wanted.items() if not examples[v[0].ref]}
        else:
            wanted_now = wanted
        members = sorted({m for _locale, m in wanted_now})
        for offset in range(0, len(members) if data.rolled_days else 0, 400):
            query = (
                sa.select(
                    DailyQuery.locale,
                    DailyQuery.normalized,
                    DailyQuery.no_clicks,
                    DailyQuery.examples,
                    DailyQuery.topic_ids,
                    DailyQuery.clicked_articles,
                )
                .where(
                    DailyQuery.normalized.in_(members[offset : offset + 400]),
                    DailyQuery.day.between(start, data.filters.end),
                    *_scope(data),
                )
                .order_by(DailyQuery.searches.desc())
                .limit(DETAIL_ROWS)
            )
            for row in db.session.execute(query):
                if (row[0], row[1]) in wanted_now:
                    take(*row)
    for _day, locale, _category, normalized, q in data.live_queries():
        texts = [text for text, _n in q.examples.most_common(3)]
        take(locale, normalized, q.no_clicks, texts, q.topic_ids, q.clicked_articles)
    top = {ref: counter.most_common(1)[0][0] for ref, counter in clicks.items() if counter}
    keys = _translation_keys(set(top.values()))
    for item, _gap in pairs:
        if examples[item.ref]:
            item.label = examples[item.ref].most_common(1)[0][0]
            item.examples = [text for text, _n in examples[item.ref].most_common(3)]
        if top.get(item.ref) in keys:
            item.articles.add(keys[top[item.ref]])


def _scope(data: RangeData) -> list:
    """The range's language and category, as conditions on roll-up query rows."""
    f = data.filters
    return ([DailyQuery.locale == f.locale] if f.locale else []) + (
        [DailyQuery.category == f.category] if f.category else []
    )


def _translation_keys(article_ids: set[int]) -> dict[int, str]:
    if not article_ids:
        return {}
    rows = db.session.execute(
        sa.select(Article.id, Article.translation_key).where(Article.id.in_(sorted(article_ids)))
    )
    return dict(rows.all())


def _request_items(data: RangeData) -> list[Item]:
    rows: list[QuestionRow] = feature_requests(data.filters, limit=REQUESTS)
    articles = dict(
        db.session.execute(
            sa.select(Topic.id, Topic.article_id).where(
                Topic.id.in_([r.id for r in rows] or [0]), Topic.article_id.is_not(None)
            )
        ).all()
    )
    keys = _translation_keys(set(articles.values()))
    items = []
    for row in rows:
        item = Item(
            topic_ref(row.id),
            "topic",
            row.locale,
            row.title,
            frozenset(normalize_query_text(row.title, row.locale).split()),
            votes=row.votes,
            topic_id=row.id,
        )
        if articles.get(row.id) in keys:
            item.articles.add(keys[articles[row.id]])
        items.append(item)
    return items


def _names(item: Item, group: list[tuple[str, frozenset]]) -> bool:
    """A synonym group names a gap whose query is one of its terms, or a feature request
    whose title holds every word of one of them."""
    for locale, words in group:
        if locale != item.locale or not words:
            continue
        if item.kind == "topic" and words <= item.words:
            return True
        if item.kind == "gap" and words in item.variants:
            return True
    return False


def _latin_words(item: Item) -> frozenset:
    return frozenset(w for w in item.words if _LATIN_WORD.match(w))


def _link(items: list[Item], gaps: dict[str, Gap], links: list[NeedLink], groups) -> _Union:
    union = _Union(i.ref for i in items)
    split_refs = {link.part for link in links if link.kind == NeedLinkKind.SPLIT.value}
    auto = [i for i in items if i.ref not in split_refs]

    def join(a: Item, b: Item, reason: str) -> None:
        # Automatic links cross languages, or tie a gap to a feature request.
        if a.locale != b.locale or a.kind != b.kind:
            union.join(a.ref, b.ref, reason)

    for group in groups:
        matched = [i for i in auto if _names(i, group)]
        for other in matched[1:]:
            join(matched[0], other, SYNONYMS)
    by_article: dict[str, list[Item]] = defaultdict(list)
    for item in auto:
        for key in item.articles:
            by_article[key].append(item)
    for members in by_article.values():
        for other in members[1:]:
            join(members[0], other, ARTICLE)
    topics = {i.topic_id: i for i in auto if i.kind == "topic"}
    for item in auto:
        gap = gaps.get(item.ref)
        for topic_id in gap.topic_ids if gap else ():
            if topic_id in topics:
                join(item, topics[topic_id], FOLLOWED)
    latin_gaps = [i for i in auto if i.kind == "gap" and i.locale in LATIN_LOCALES]
    for item in auto:
        if item.kind != "gap" or item.locale in LATIN_LOCALES:
            continue
        words = _latin_words(item)
        if not words:
            continue
        stems = {normalize_query_text(w, "en") for w in words}
        match = [g for g in latin_gaps if words <= g.words or stems <= g.words]
        if match:
            join(item, max(match, key=lambda g: (g.unanswered, g.ref)), LATIN)
    for link in links:
        if link.kind == NeedLinkKind.MERGE.value and link.other:
            union.join(link.part, link.other, HAND)
    return union


def needs(data: RangeData, limit: int = 50) -> list[Need]:
    """The range's needs, most unanswered searches (then votes) first."""
    groups = _group_words(synonym_groups())
    pairs = _gap_items(data, groups)
    items = [item for item, _gap in pairs] + _request_items(data)
    gaps = {item.ref: gap for item, gap in pairs}
    links = list(db.session.scalars(sa.select(NeedLink)))
    union = _link(items, gaps, links, groups)
    components: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        components[union.find(item.ref)].append(item)
    found = []
    for root, members in components.items():
        by_locale: dict[str, list[Item]] = defaultdict(list)
        for item in sorted(members, key=lambda i: (-i.unanswered, -i.votes, i.ref)):
            by_locale[item.locale].append(item)
        parts = [Part(locale, by_locale[locale]) for locale in _locale_order(by_locale)]
        lead = max(members, key=lambda i: (i.locale == "en", i.unanswered, i.votes, i.ref))
        found.append(
            Need(
                lead.label,
                lead.locale,
                parts,
                union.reasons.get(root, set()),
                sum(i.unanswered for i in members),
                sum(i.votes for i in members),
            )
        )
    found.sort(key=lambda n: (-n.unanswered, -n.votes, n.anchor))
    return found[:limit]


def _locale_order(by_locale: dict[str, list[Item]]) -> list[str]:
    return sorted(by_locale, key=lambda locale: (locale != "en", locale))
