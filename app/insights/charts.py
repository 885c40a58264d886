"""Chart geometry for server-rendered inline SVG: time series, bars/funnels and sparklines.

Templates (templates/insights/_charts.html) draw what these return; nothing runs in the
browser and no external script or font is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 16, 14, 30


@dataclass
class Series:
    name: str
    values: list[float | None]
    css: str = "series-0"
    points: str = ""  # "x,y x,y ..." polyline segments joined (None breaks a line)
    segments: list[str] = field(default_factory=list)
    dots: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass
class LineChart:
    labels: list[str]
    series: list[Series]
    y_max: float
    y_ticks: list[tuple[float, str]]  # (y position, label)
    x_ticks: list[tuple[float, str]]
    references: list[tuple[float, str]] = field(default_factory=list)  # (y position, label)
    width: int = WIDTH
    height: int = HEIGHT
    percent: bool = False

    @property
    def empty(self) -> bool:
        return not any(v is not None for s in self.series for v in s.values)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    percent: bool = False,
    references: list[tuple[float, str]] | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> LineChart:
    """Lines over evenly spaced x labels; a None value leaves a gap in its line."""
    values = [v for _name, vs in series for v in vs if v is not None]
    references = references or []
    top = max([*values, *(r[0] for r in references), 0])
    y_max = 1.0 if percent and top <= 1 else _nice_max(top)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    count = max(len(labels), 1)

    def x_at(i: int) -> float:
        return PAD_LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return PAD_TOP + plot_h - plot_h * (v / y_max)

    built = []
    for n, (name, vs) in enumerate(series):
        line = Series(name=name, values=list(vs), css=f"series-{n % 6}")
        current: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                if current:
                    line.segments.append(" ".join(current))
                current = []
                continue
            x, y = round(x_at(i), 1), round(y_at(v), 1)
            current.append(f"{x},{y}")
            line.dots.append((x, y, f"{labels[i]}: {_fmt(v, percent)}"))
        if current:
            line.segments.append(" ".join(current))
        built.append(line)
    y_ticks = [(round(y_at(y_max * k / 4), 1), _fmt(y_max * k / 4, percent)) for k in range(5)]
    step = max(1, math.ceil(count / 6))
    x_ticks = [(round(x_at(i), 1), labels[i]) for i in range(0, len(labels), step)]
    refs = [(round(y_at(value), 1), label) for value, label in references]
    return LineChart(labels, built, y_max, y_ticks, x_ticks, refs, width, height, percent)


@dataclass
class Bar:
    label: str
    value: float
    display: str
    y: float
    width: float
    share: str = ""


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def bar_chart(
    items: list[tuple[str, float]],
    width: int = WIDTH,
    label_width: int = 190,
    bar_height: int = 22,
    shares_of_first: bool = False,
) -> BarChart:
    """Horizontal bars; a funnel is bars with each step's share of the first."""
    top = max([v for _label, v in items] + [0]) or 1
    plot_w = width - label_width - 70
    bars = []
    first = items[0][1] if items else 0
    for i, (label, value) in enumerate(items):
        share = f"{value / first * 100:.0f}%" if shares_of_first and first else ""
        bars.append(
            Bar(
                label=label,
                value=value,
                display=_fmt(value, False),
                y=i * (bar_height + 8) + 4,
                width=round(max(plot_w * value / top, 0), 1),
                share=share,
            )
        )
    height = len(items) * (bar_height + 8) + 8
    return BarChart(bars, width, height, label_width, bar_height)


@dataclass
class Sparkline:
    points: str
    width: int
    height: int
    last: float


def sparkline(values: list[float], width: int = 120, height: int = 28) -> Sparkline:
    top = max([*values, 0]) or 1
    count = max(len(values), 1)
    points = " ".join(
        f"{round(2 + (width - 4) * i / max(count - 1, 1), 1)},"
        f"{round(height - 2 - (height - 4) * v / top, 1)}"
        for i, v in enumerate(values)
    )
    return Sparkline(points, width, height, values[-1] if values else 0)


def day_labels(days: list[date]) -> list[str]:
    return [d.isoformat() for d in days]


def weekly(days: list[date], values: list[float]) -> tuple[list[date], list[float]]:
    """Sum daily values into ISO weeks (labelled by each week's Monday)."""
    weeks: dict[date, float] = {}
    for day, value in zip(days, values, strict=True):
        monday = date.fromordinal(day.toordinal() - day.weekday())
        weeks[monday] = weeks.get(monday, 0) + value
    ordered = sorted(weeks)
    return ordered, [weeks[w] for w in ordered]
