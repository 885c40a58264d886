"""Customer voice: NPS over time, CSAT, verbatims, and what promoters and detractors did.

Read from the survey answers (app/surveys/) and, for the comparison, the event log: the
actions each NPS respondent took in the help center and forum in the days before answering.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.events import Event
from app.extensions import db
from app.insights import charts
from app.insights.facts import SEARCH_SOURCES_EXCLUDED
from app.insights.filters import Filters
from app.surveys.models import SurveyKind, SurveyResponse, SurveyState

GROUPS = ("promoters", "passives", "detractors")
SCORE_FILTERS = (*GROUPS, *(str(n) for n in range(11)))
VERBATIMS_SHOWN = 100
USERS_PER_QUERY = 500

HELP = {
    "nps": _l(
        "Net Promoter Score: the share of promoters (9–10) minus the share of detractors "
        "(0–6) among the NPS answers in the range, from −100 to +100; 7–8 are passives. "
        "Signed-in customers are asked at most once per NPS period. Language filter applies."
    ),
    "nps_weekly": _l(
        "Per ISO week (labelled by its Monday): answers, the share of promoters and detractors, "
        "and the week's NPS."
    ),
    "csat": _l(
        "Satisfaction (CSAT): answers from 1 (very dissatisfied) to 5 (very satisfied), asked "
        "after a reader marked an article helpful or an asker's question got an accepted "
        "answer. Satisfied = 4 or 5 ÷ answers."
    ),
    "verbatims": _l(
        "What respondents wrote, newest first, with e-mail addresses, phone and card numbers "
        "and secret links removed before storing. Filter by score or group and by language."
    ),
    "behaviour": _l(
        "What NPS respondents did in the help center and forum in the date range, while signed "
        "in, per respondent of each group (by their last answer): searches (not the ask "
        "form's), articles viewed, questions posted from the ask form, and deflections "
        '("Yes, I don\'t need to post"). "Did it" = the share of the group that did it at '
        "least once."
    ),
}

ACTIONS = ("searches", "articles_viewed", "questions_posted", "deflections")
ACTION_OF = {
    "search": "searches",
    "article_view": "articles_viewed",
    "ask_posted": "questions_posted",
    "ask_deflected": "deflections",
}


def group_of(score: int) -> str:
    if score >= 9:
        return "promoters"
    return "passives" if score >= 7 else "detractors"


def nps_of(promoters: int, detractors: int, answers: int) -> float | None:
    return (promoters - detractors) * 100 / answers if answers else None


@dataclass
class NpsCount:
    answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def add(self, score: int, n: int = 1) -> None:
        self.answers += n
        group = group_of(score)
        setattr(self, group, getattr(self, group) + n)

    @property
    def nps(self) -> float | None:
        return nps_of(self.promoters, self.detractors, self.answers)

    def share(self, group: str) -> float | None:
        return getattr(self, group) / self.answers if self.answers else None


@dataclass
class NpsReport:
    total: NpsCount
    weeks: list[tuple[date, NpsCount]]
    by_locale: dict[str, NpsCount]


@dataclass
class CsatReport:
    answers: int = 0
    score_sum: int = 0
    satisfied: int = 0
    by_subject: dict[str, list[int]] = field(default_factory=dict)  # type → [answers, satisfied]

    @property
    def mean(self) -> float | None:
        return self.score_sum / self.answers if self.answers else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None


@dataclass(frozen=True)
class Verbatim:
    answered_at: datetime
    kind: str
    score: int
    group: str | None
    locale: str
    comment: str


@dataclass(frozen=True)
class BehaviourRow:
    action: str
    mean: dict[str, float | None]  # group → actions per respondent
    did_it: dict[str, float | None]  # group → share of respondents with at least one


@dataclass(frozen=True)
class Behaviour:
    respondents: dict[str, int]
    rows: list[BehaviourRow]


def _range_bounds(filters: Filters) -> tuple[datetime, datetime]:
    return datetime.combine(filters.start, time.min), datetime.combine(
        filters.end + timedelta(days=1), time.min
    )


def answered(kind: str, filters: Filters, columns: Iterable) -> sa.Select:
    start, end = _range_bounds(filters)
    query = sa.select(*columns).where(
        SurveyResponse.kind == kind,
        SurveyResponse.state == SurveyState.ANSWERED.value,
        SurveyResponse.answered_at >= start,
        SurveyResponse.answered_at < end,
    )
    if filters.locale:
        query = query.where(SurveyResponse.locale == filters.locale)
    return query


def _monday(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())


def _day(value) -> date:
    """A `date()` of the database: a date (PostgreSQL) or 'YYYY-MM-DD' (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def nps_report(filters: Filters) -> NpsReport:
    """Answers per day, score and language counted by the database, then folded into weeks."""
    total = NpsCount()
    weeks: dict[date, NpsCount] = {_monday(d): NpsCount() for d in filters.days}
    by_locale: dict[str, NpsCount] = defaultdict(NpsCount)
    day = sa.func.date(SurveyResponse.answered_at)
    query = answered(
        SurveyKind.NPS,
        filters,
        (day, SurveyResponse.score, SurveyResponse.locale, sa.func.count()),
    ).group_by(day, SurveyResponse.score, SurveyResponse.locale)
    for answered_on, score, locale, n in db.session.execute(query):
        for count in (total, weeks[_monday(_day(answered_on))], by_locale[locale]):
            count.add(score, n)
    return NpsReport(total, sorted(weeks.items()), dict(sorted(by_locale.items())))


def csat_report(filters: Filters) -> CsatReport:
    report = CsatReport()
    query = answered(
        SurveyKind.CSAT,
        filters,
        (SurveyResponse.score, SurveyResponse.subject_type, sa.func.count()),
    ).group_by(SurveyResponse.score, SurveyResponse.subject_type)
    for score, subject_type, n in db.session.execute(query):
        report.answers += n
        report.score_sum += score * n
        satisfied = n if score >= 4 else 0
        report.satisfied += satisfied
        counts = report.by_subject.setdefault(subject_type or "", [0, 0])
        counts[0] += n
        counts[1] += satisfied
    return report


def verbatims(filters: Filters, score: str | None, kind: str = SurveyKind.NPS) -> list[Verbatim]:
    """Answers with a comment, newest first; `score` is a group name or one score."""
    query = answered(
        kind,
        filters,
        (
            SurveyResponse.answered_at,
            SurveyResponse.kind,
            SurveyResponse.score,
            SurveyResponse.locale,
            SurveyResponse.comment,
        ),
    ).where(SurveyResponse.comment.is_not(None), SurveyResponse.comment != "")
    if score in GROUPS and kind == SurveyKind.NPS:
        low, high = {"promoters": (9, 10), "passives": (7, 8), "detractors": (0, 6)}[score]
        query = query.where(SurveyResponse.score.between(low, high))
    elif score is not None and score.isdecimal():
        query = query.where(SurveyResponse.score == int(score))
    query = query.order_by(SurveyResponse.answered_at.desc()).limit(VERBATIMS_SHOWN)
    return [
        Verbatim(at, k, s, group_of(s) if k == SurveyKind.NPS else None, locale, comment)
        for at, k, s, locale, comment in db.session.execute(query)
    ]


def behaviour(filters: Filters) -> Behaviour:
    """Actions per NPS respondent in the range, by the group of their answer.

    One count per (user, event name) from the event log, in the database (the index on
    user and time); someone who answered twice counts in the group of their last answer.
    """
    last_score: dict[int, int] = {}
    for user_id, score in db.session.execute(
        answered(SurveyKind.NPS, filters, (SurveyResponse.user_id, SurveyResponse.score))
        .where(SurveyResponse.user_id.is_not(None))
        .order_by(SurveyResponse.answered_at)
    ):
        last_score[user_id] = score
    people = dict.fromkeys(GROUPS, 0)
    for score in last_score.values():
        people[group_of(score)] += 1
    counts = _action_counts(sorted(last_score), filters)
    sums = {group: dict.fromkeys(ACTIONS, 0) for group in GROUPS}
    did = {group: dict.fromkeys(ACTIONS, 0) for group in GROUPS}
    for user_id, actions in counts.items():
        group = group_of(last_score[user_id])
        for action, n in actions.items():
            sums[group][action] += n
            did[group][action] += n > 0
    rows = [
        BehaviourRow(
            action,
            {g: sums[g][action] / people[g] if people[g] else None for g in GROUPS},
            {g: did[g][action] / people[g] if people[g] else None for g in GROUPS},
        )
        for action in ACTIONS
    ]
    return Behaviour(people, rows)


def _action_counts(user_ids: list[int], filters: Filters) -> dict[int, dict[str, int]]:
    """user → action → count over the range, counted by the database (index on user, time)."""
    start, end = _range_bounds(filters)
    table = Event.__table__
    from_ask_form = sa.case(
        (
            sa.and_(
                table.c.name == "search",
                table.c.data["source"].as_string().in_(sorted(SEARCH_SOURCES_EXCLUDED)),
            ),
            1,
        ),
        else_=0,
    )
    found: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACTIONS, 0))
    for chunk in range(0, len(user_ids), USERS_PER_QUERY):
        query = (
            sa.select(table.c.user_id, table.c.name, sa.func.count(), sa.func.sum(from_ask_form))
            .where(
                table.c.user_id.in_(user_ids[chunk : chunk + USERS_PER_QUERY]),
                table.c.occurred_at >= start,
                table.c.occurred_at < end,
            )  # no condition on the name: the (name, time) index would read every user's
            .group_by(table.c.user_id, table.c.name)
        )
        for user_id, name, n, ask_form in db.session.execute(query):
            if name not in ACTION_OF:
                continue
            if name == "search":
                n -= int(ask_form or 0)  # the ask form's searches belong to the ask flow
            found[user_id][ACTION_OF[name]] += n
    return found


def voice_dashboard(filters: Filters, score: str | None) -> dict:
    report = nps_report(filters)
    return {
        "nps": report,
        "nps_chart": nps_chart(report),
        "csat": csat_report(filters),
        "verbatims": verbatims(filters, score),
        "csat_verbatims": verbatims(filters, None, SurveyKind.CSAT)[:20],
        "behaviour": behaviour(filters),
        "voice_help": HELP,
        "score_filter": score,
    }


def nps_chart(report: NpsReport) -> charts.LineChart:
    labels = [monday.isoformat() for monday, _count in report.weeks]
    return charts.line_chart(
        labels,
        [
            ("promoters", [c.share("promoters") for _m, c in report.weeks]),
            ("passives", [c.share("passives") for _m, c in report.weeks]),
            ("detractors", [c.share("detractors") for _m, c in report.weeks]),
        ],
        percent=True,
    )


ANSWER_COLUMNS = [
    "id",
    "kind",
    "answered_at",
    "locale",
    "score",
    "group",
    "subject_type",
    "subject_id",
    "comment",
]
NPS_WEEK_COLUMNS = ["week", "answers", "promoters", "passives", "detractors", "nps"]


def answer_rows(filters: Filters) -> list[dict]:
    """Every answered survey in the range (NPS and CSAT), oldest first; no user ids."""
    start, end = _range_bounds(filters)
    query = (
        sa.select(SurveyResponse)
        .where(
            SurveyResponse.state == SurveyState.ANSWERED.value,
            SurveyResponse.answered_at >= start,
            SurveyResponse.answered_at < end,
        )
        .order_by(SurveyResponse.answered_at, SurveyResponse.id)
    )
    if filters.locale:
        query = query.where(SurveyResponse.locale == filters.locale)
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "answered_at": r.answered_at.isoformat(),
            "locale": r.locale,
            "score": r.score,
            "group": group_of(r.score) if r.kind == SurveyKind.NPS else None,
            "subject_type": r.subject_type,
            "subject_id": r.subject_id,
            "comment": r.comment,
        }
        for r in db.session.scalars(query)
    ]


def nps_week_rows(filters: Filters) -> list[dict]:
    report = nps_report(filters)
    rows = [
        {
            "week": monday.isoformat(),
            "answers": c.answers,
            "promoters": c.promoters,
            "passives": c.passives,
            "detractors": c.detractors,
            "nps": None if c.nps is None else round(c.nps, 1),
        }
        for monday, c in report.weeks
    ]
    total = report.total
    rows.append(
        {
            "week": "total",
            "answers": total.answers,
            "promoters": total.promoters,
            "passives": total.passives,
            "detractors": total.detractors,
            "nps": None if total.nps is None else round(total.nps, 1),
        }
    )
    return rows
