"""Deflection: the ask-flow funnel and (explicit + implicit) ÷ (deflections + posted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.insights.metrics import ratio
from app.insights.source import RangeData


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int


@dataclass(frozen=True)
class DeflectionMetrics:
    explicit: int
    implicit: int
    pending: int  # suggestions opened less than 30 minutes ago: not yet implicit, not 0
    posted: int
    not_answered: int
    deflections: int
    rate: float | None
    funnel: list[FunnelStep]
    series: list[tuple[date, float | None]]


def deflection_metrics(data: RangeData) -> DeflectionMetrics:
    per_day = data.counts_by_day("ask.", use_category=False)
    explicit = sum(c["ask.explicit"] for c in per_day.values())
    implicit = sum(c["ask.implicit"] for c in per_day.values())
    pending = sum(c["ask.implicit_pending"] for c in per_day.values())
    posted = sum(c["ask.posted"] for c in per_day.values())
    not_answered = sum(c["ask.not_answered"] for c in per_day.values())
    deflections = explicit + implicit
    funnel = [
        FunnelStep("ask_opened", data.distinct_sessions("ask_opened")),
        FunnelStep("suggestions_shown", data.distinct_sessions("suggestions_shown")),
        FunnelStep("suggestion_opened", data.distinct_sessions("suggestion_opened")),
        FunnelStep("explicit", explicit),
        FunnelStep("implicit", implicit),
        FunnelStep("posted", posted),
    ]
    series = []
    for day, c in sorted(per_day.items()):
        done = c["ask.explicit"] + c["ask.implicit"]
        series.append((day, ratio(done, done + c["ask.posted"])))
    return DeflectionMetrics(
        explicit=explicit,
        implicit=implicit,
        pending=pending,
        posted=posted,
        not_answered=not_answered,
        deflections=deflections,
        rate=ratio(deflections, deflections + posted),
        funnel=funnel,
        series=series,
    )
