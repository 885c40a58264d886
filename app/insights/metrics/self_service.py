"""The North Star: distinct sessions that read help ÷ distinct sessions that posted a question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.insights.metrics import ratio
from app.insights.source import RangeData


@dataclass(frozen=True)
class SelfServiceMetrics:
    readers: int
    askers: int
    score: float | None
    series: list[tuple[date, int, int, float | None]]  # day, readers, askers, score


def self_service_metrics(data: RangeData) -> SelfServiceMetrics:
    readers = data.distinct_sessions("read_help")
    askers = data.distinct_sessions("posted_question")
    readers_by_day = data.distinct_sessions_by_day("read_help")
    askers_by_day = data.distinct_sessions_by_day("posted_question")
    series = [
        (
            day,
            readers_by_day[day],
            askers_by_day[day],
            ratio(readers_by_day[day], askers_by_day[day]),
        )
        for day in sorted(readers_by_day)
    ]
    return SelfServiceMetrics(readers, askers, ratio(readers, askers), series)
