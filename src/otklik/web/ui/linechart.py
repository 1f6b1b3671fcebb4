"""Geometry of a small multi-line chart, drawn as inline SVG by a template.

The server-side picture of a trend, so a page shows it with JavaScript off
(plotly.js, when it loads, draws its interactive chart over it). Only numbers
and labels here; the template escapes the labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Okabe–Ito and Tableau colours: distinguishable, also for colour-blind readers.
PALETTE = (
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00",
    "#56b4e9", "#7f7f7f", "#8c564b", "#bcbd22", "#000000",
)  # fmt: skip


@dataclass(frozen=True)
class Line:
    label: str
    color: str
    segments: list[str]  # SVG "x,y x,y …" runs, broken where a value is missing
    points: list[tuple[float, float, str]]  # x, y, tooltip


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    y_ticks: list[tuple[float, str]]  # y position, label
    x_ticks: list[tuple[float, str]]
    lines: list[Line] = field(default_factory=list)
    zero_y: float | None = None  # a baseline drawn when the range spans zero


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_min: float | None = None,
    y_max: float | None = None,
    suffix: str = "",
    width: int = 720,
    height: int = 240,
) -> LineChart:
    """Lay out `series` (label, one value or None per x label) on a shared y axis."""
    left, right, top, bottom = 44, 12, 10, 26
    pw, ph = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    lo = min([*values, 0.0]) if y_min is None else y_min
    hi = max([*values, 1.0]) if y_max is None else y_max
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    n = len(x_labels)

    def x(i: int) -> float:
        return round(left + (pw * (i + 0.5) / n if n else 0), 1)

    def y(v: float) -> float:
        return round(top + ph * (1 - (v - lo) / ((hi - lo) or 1)), 1)

    y_ticks = []
    v = lo
    while v <= hi + step / 2:
        y_ticks.append((y(v), f"{v:g}{suffix}"))
        v += step
    every = max(1, math.ceil(n / 8))
    x_ticks = [(x(i), label) for i, label in enumerate(x_labels) if i % every == 0]
    lines = []
    for k, (label, vals) in enumerate(series):
        runs: list[list[str]] = [[]]
        points = []
        for i, val in enumerate(vals):
            if val is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i)},{y(val)}")
            points.append((x(i), y(val), f"{label} · {x_labels[i]}: {val:g}{suffix}"))
        segments = [" ".join(r) for r in runs if r]
        lines.append(Line(label, PALETTE[k % len(PALETTE)], segments, points))
    zero = y(0.0) if lo < 0 < hi else None
    return LineChart(width, height, left, top, pw, ph, y_ticks, x_ticks, lines, zero)
