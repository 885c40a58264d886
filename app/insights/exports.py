"""Every insights table as rows: CSV and JSON exports and the API share this registry."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.insights import milestones, needs
from app.insights.dashboards import unanswered_by_week
from app.insights.filters import Filters
from app.insights.gaps import content_gaps
from app.insights.metrics.articles import article_rows
from app.insights.metrics.deflection import deflection_metrics
from app.insights.metrics.forum import feature_requests, forum_metrics, question_rows
from app.insights.metrics.search import search_metrics
from app.insights.metrics.self_service import self_service_metrics
from app.insights.source import RangeData
from app.insights.task_models import GapTask
from app.insights.voice import ANSWER_COLUMNS, NPS_WEEK_COLUMNS, answer_rows, nps_week_rows

FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[dict]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def summary_table(data: RangeData) -> Table:
    north = self_service_metrics(data)
    deflection = deflection_metrics(data)
    search = search_metrics(data)
    forum = forum_metrics(data.filters, data.now)
    metrics = {
        "self_service_score": _round(north.score),
        "sessions_reading_help": north.readers,
        "sessions_posting_questions": north.askers,
        "deflection_rate": _round(deflection.rate),
        "explicit_deflections": deflection.explicit,
        "implicit_deflections": deflection.implicit,
        "implicit_deflections_pending": deflection.pending,
        "questions_posted_from_ask": deflection.posted,
        "searches": search.volume,
        "zero_result_rate": _round(search.zero_result_rate),
        "click_through_rate": _round(search.click_through_rate),
        "mean_click_position": _round(search.mean_click_position),
        "refined_rate": _round(search.refined_rate),
        "abandoned_rate": _round(search.abandoned_rate),
        "forum_questions": forum.questions,
        "median_hours_to_first_answer": _round(forum.median_hours_to_first_answer),
        "solved_rate": _round(forum.solved_rate),
        "unanswered_after_48h": forum.unanswered_48h,
    }
    return Table(["metric", "value"], [{"metric": k, "value": v} for k, v in metrics.items()])


def daily_table(data: RangeData) -> Table:
    north = self_service_metrics(data)
    deflection = dict(deflection_metrics(data).series)
    search = {d.day: d for d in search_metrics(data).series}
    rows = []
    for day, readers, askers, score in north.series:
        s = search[day]
        rows.append(
            {
                "date": day.isoformat(),
                "searches": s.volume,
                "zero_result_rate": _round(s.zero_result_rate),
                "click_through_rate": _round(s.click_through_rate),
                "sessions_reading_help": readers,
                "sessions_posting_questions": askers,
                "self_service_score": _round(score),
                "deflection_rate": _round(deflection.get(day)),
            }
        )
    columns = [
        "date",
        "searches",
        "zero_result_rate",
        "click_through_rate",
        "sessions_reading_help",
        "sessions_posting_questions",
        "self_service_score",
        "deflection_rate",
    ]
    return Table(columns, rows)


def funnel_table(data: RangeData) -> Table:
    steps = deflection_metrics(data).funnel
    return Table(["step", "count"], [{"step": s.key, "count": s.count} for s in steps])


def gaps_table(data: RangeData) -> Table:
    rows = [
        {
            "locale": g.locale,
            "gap": g.key,
            "label": g.label,
            "unanswered_searches": g.no_clicks,
            "zero_results": g.zero_results,
            "searches": g.searches,
            "clicks": g.clicks,
            "examples": " | ".join(text for text, _n in g.examples.most_common(5)),
            "forum_topic_ids": " ".join(str(t[0]) for t in g.topics),
            "first_seen": g.first_seen.isoformat() if g.first_seen else None,
            "new": g.is_new,
        }
        for g in content_gaps(data, limit=500)
    ]
    columns = [
        "locale",
        "gap",
        "label",
        "unanswered_searches",
        "zero_results",
        "searches",
        "clicks",
        "examples",
        "forum_topic_ids",
        "first_seen",
        "new",
    ]
    return Table(columns, rows)


def articles_table(data: RangeData) -> Table:
    rows = [
        {
            "id": r.id,
            "locale": r.locale,
            "slug": r.slug,
            "title": r.title,
            "category": r.category,
            "views": r.views,
            "helpful": r.helpful,
            "not_helpful": r.not_helpful,
            "helpful_rate": _round(r.helpful_rate),
            "comments": len(r.comments),
            "searches_leading_here": r.search_clicks,
            "last_updated": r.updated_at.isoformat() if r.updated_at else None,
        }
        for r in article_rows(data)
    ]
    columns = [
        "id",
        "locale",
        "slug",
        "title",
        "category",
        "views",
        "helpful",
        "not_helpful",
        "helpful_rate",
        "comments",
        "searches_leading_here",
        "last_updated",
    ]
    return Table(columns, rows)


def _question_dicts(rows) -> list[dict]:
    return [
        {
            "id": r.id,
            "locale": r.locale,
            "title": r.title,
            "created_at": r.created_at.isoformat(),
            "first_answer_at": r.first_answer_at.isoformat() if r.first_answer_at else None,
            "solved": r.solved,
            "votes": r.votes,
        }
        for r in rows
    ]


QUESTION_COLUMNS = ["id", "locale", "title", "created_at", "first_answer_at", "solved", "votes"]


def questions_table(data: RangeData) -> Table:
    return Table(QUESTION_COLUMNS, _question_dicts(question_rows(data.filters)))


def unanswered_topics_table(data: RangeData) -> Table:
    return Table(
        QUESTION_COLUMNS, _question_dicts(forum_metrics(data.filters, data.now).unanswered)
    )


def feature_requests_table(data: RangeData) -> Table:
    return Table(QUESTION_COLUMNS, _question_dicts(feature_requests(data.filters, limit=500)))


def unanswered_by_week_table(data: RangeData) -> Table:
    weekly = unanswered_by_week(data)
    rows = []
    for i, week in enumerate(weekly.weeks):
        rows.append({"week": week.isoformat(), "category": "", "unanswered": weekly.total[i]})
        for category, values in weekly.by_category.items():
            rows.append(
                {
                    "week": week.isoformat(),
                    "category": category or "(none)",
                    "unanswered": values[i],
                }
            )
    return Table(["week", "category", "unanswered"], rows)


def gap_tasks_table(data: RangeData) -> Table:
    query = sa.select(GapTask).order_by(GapTask.id)
    if data.filters.locale:
        query = query.where(GapTask.locale == data.filters.locale)
    rows = [
        {
            "id": t.id,
            "locale": t.locale,
            "gap": t.gap_key,
            "label": t.label,
            "status": t.status,
            "assignee_id": t.assignee_id,
            "article_id": t.article_id,
            "addressed_at": t.addressed_at.isoformat() if t.addressed_at else None,
            "created_at": t.created_at.isoformat(),
        }
        for t in db.session.scalars(query)
    ]
    columns = [
        "id",
        "locale",
        "gap",
        "label",
        "status",
        "assignee_id",
        "article_id",
        "addressed_at",
        "created_at",
    ]
    return Table(columns, rows)


def _milestone_report(data: RangeData) -> milestones.MilestoneReport:
    """Customers who signed up in the range (and speak its language, if chosen)."""
    f = data.filters
    days = current_app.config["INSIGHTS_MILESTONE_STUCK_DAYS"]
    return milestones.milestone_report(f.start, f.end, data.now, days, f.locale)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def milestones_table(data: RangeData) -> Table:
    """One row per customer and milestone: reached when, days after sign-up, stuck on it."""
    report = _milestone_report(data)
    rows = [
        {
            "user_id": c.id,
            "signed_up": _iso(c.signed_up),
            "signup_week": _iso(milestones.week_of(c.signed_up)),
            "milestone_id": m.id,
            "milestone": m.name,
            "reached_at": _iso(c.reached.get(m.id)),
            "days_to_reach": _round(c.days_to(m.id)),
            "stuck_here": c.stuck_on is not None and c.stuck_on.id == m.id,
        }
        for c in report.customers
        for m in report.milestones
    ]
    return Table(MILESTONE_COLUMNS, rows)


MILESTONE_COLUMNS = [
    "user_id",
    "signed_up",
    "signup_week",
    "milestone_id",
    "milestone",
    "reached_at",
    "days_to_reach",
    "stuck_here",
]


def milestone_cohorts_table(data: RangeData) -> Table:
    report = _milestone_report(data)
    rows = [
        {
            "signup_week": cohort.week.isoformat(),
            "customers": cohort.customers,
            "milestone_id": m.id,
            "milestone": m.name,
            "reached": cohort.cells[m.id].reached,
            "median_days_to_reach": cohort.cells[m.id].median_days,
        }
        for cohort in report.cohorts
        for m in report.milestones
    ]
    columns = ["signup_week", "customers", "milestone_id", "milestone", "reached"]
    return Table([*columns, "median_days_to_reach"], rows)


def milestone_outcomes_table(data: RangeData) -> Table:
    rows = [
        {
            "action": o.key,
            "label": o.label,
            "share_reached_every_milestone": _round(o.reached_share),
            "share_others": _round(o.others_share),
        }
        for o in _milestone_report(data).outcomes
    ]
    return Table(["action", "label", "share_reached_every_milestone", "share_others"], rows)


def needs_table(data: RangeData) -> Table:
    """One row per part of a need: a gap's queries or a feature request, in one language."""
    rows = [
        {
            "need": number,
            "need_label": need.label,
            "locale": item.locale,
            "kind": item.kind,
            "item": item.ref,
            "label": item.label,
            "unanswered_searches": item.unanswered,
            "zero_results": item.zero_results,
            "votes": item.votes,
            "linked_by": " ".join(sorted(need.reasons)),
        }
        for number, need in enumerate(needs.needs(data, limit=500), start=1)
        for part in need.parts
        for item in part.items
    ]
    columns = ["need", "need_label", "locale", "kind", "item", "label"]
    return Table([*columns, "unanswered_searches", "zero_results", "votes", "linked_by"], rows)


def survey_answers_table(data: RangeData) -> Table:
    """NPS and CSAT answers (PII-scrubbed comments), for the survey dashboard's API."""
    return Table(ANSWER_COLUMNS, answer_rows(data.filters))


def nps_table(data: RangeData) -> Table:
    return Table(NPS_WEEK_COLUMNS, nps_week_rows(data.filters))


TABLES: dict[str, Callable[[RangeData], Table]] = {
    "summary": summary_table,
    "daily": daily_table,
    "funnel": funnel_table,
    "gaps": gaps_table,
    "articles": articles_table,
    "questions": questions_table,
    "unanswered_topics": unanswered_topics_table,
    "feature_requests": feature_requests_table,
    "unanswered_by_week": unanswered_by_week_table,
    "gap_tasks": gap_tasks_table,
    "milestones": milestones_table,
    "milestone_cohorts": milestone_cohorts_table,
    "milestone_outcomes": milestone_outcomes_table,
    "needs": needs_table,
    "survey_answers": survey_answers_table,
    "nps": nps_table,
}


def build_table(name: str, filters: Filters, now: datetime) -> Table:
    return TABLES[name](RangeData(filters, now))


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table.columns, lineterminator="\r\n")
    writer.writeheader()
    for row in table.rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _csv_cell(value):
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(name: str, filters: Filters, table: Table) -> str:
    document = {
        "table": name,
        "filters": filters.as_args(),
        "columns": table.columns,
        "rows": table.rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)
