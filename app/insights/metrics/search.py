"""Search metrics: volume, zero-result rate, click-through, click position, refined/abandoned."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from app.insights.metrics import ratio
from app.insights.source import RangeData

ZERO_RESULT_TARGET = 0.05
CLICK_THROUGH_TARGET = 0.60


@dataclass(frozen=True)
class SearchDay:
    day: date
    volume: int
    zero_result_rate: float | None
    click_through_rate: float | None


@dataclass(frozen=True)
class SearchMetrics:
    volume: int
    zero_results: int
    zero_result_rate: float | None
    clicked: int
    click_through_rate: float | None
    clicks: int
    mean_click_position: float | None
    refined: int
    refined_rate: float | None
    abandoned: int
    abandoned_rate: float | None
    series: list[SearchDay]


def search_metrics(data: RangeData) -> SearchMetrics:
    per_day = data.counts_by_day("search.", use_category=True)
    total: Counter = Counter()
    for counter in per_day.values():
        total.update(counter)
    volume = total["search.count"]
    series = [
        SearchDay(
            day,
            c["search.count"],
            ratio(c["search.zero"], c["search.count"]),
            ratio(c["search.clicked"], c["search.count"]),
        )
        for day, c in sorted(per_day.items())
    ]
    return SearchMetrics(
        volume=volume,
        zero_results=total["search.zero"],
        zero_result_rate=ratio(total["search.zero"], volume),
        clicked=total["search.clicked"],
        click_through_rate=ratio(total["search.clicked"], volume),
        clicks=total["search.clicks"],
        mean_click_position=ratio(total["search.click_position_sum"], total["search.clicks"]),
        refined=total["search.refined"],
        refined_rate=ratio(total["search.refined"], volume),
        abandoned=total["search.abandoned"],
        abandoned_rate=ratio(total["search.abandoned"], volume),
        series=series,
    )
