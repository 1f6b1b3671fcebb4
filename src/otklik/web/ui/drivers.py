"""/drivers: the driver chart (HTML bars), the table and the impact × performance quadrant
(an SVG drawn here, on the server, so it needs no JavaScript) — data from ``driver_report``,
the function behind ``/api/v1/drivers``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from otklik.store.base import utcnow
from otklik.understand.drivers import DriverReport, driver_report
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)

SHOWN = 15
PERIODS = (90, 365, 730)
# SVG geometry of the quadrant: plot area inside the margins.
WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    quadrant: str
    share: float
    performance: float
    anchor: str = "start"  # labels of points near the right edge go to their left


@dataclass(frozen=True)
class Quadrant:
    points: list[Point]
    x_cut: float  # pixel position of the importance split
    y_cut: float  # pixel position of the performance split
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = WIDTH - LEFT - RIGHT
    plot_height: int = HEIGHT - TOP - BOTTOM


def quadrant_chart(report: DriverReport, *, limit: int = SHOWN) -> Quadrant | None:
    """Pixel positions of the top drivers: x = importance (%), y = performance."""
    shown = [d for d in report.drivers[:limit] if d.performance is not None]
    if not shown or report.importance_cut is None or report.overall_performance is None:
        return None
    x_max = max(max(d.importance for d in shown), report.importance_cut) * 1.1
    if report.performance_metric == "nps":
        y_min, y_max = -100.0, 100.0
    else:
        y_min, y_max = 0.0, 100.0
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(v: float) -> float:
        return round(LEFT + pw * v / x_max, 1)

    def py(v: float) -> float:
        return round(TOP + ph * (y_max - v) / (y_max - y_min), 1)

    points = [
        Point(
            px(d.importance),
            py(d.performance),
            d.label if len(d.label) <= 28 else d.label[:27] + "…",
            d.quadrant or "",
            d.share,
            d.performance,
            "end" if px(d.importance) > LEFT + 0.6 * pw else "start",
        )
        for d in shown
    ]
    step = 10 if x_max > 30 else 5 if x_max > 10 else 1
    x_ticks = [(px(v), f"{v:g}") for v in range(0, int(x_max) + 1, step)]
    y_ticks = [(py(v), f"{v:+g}" if y_min < 0 else f"{v:g}") for v in range(int(y_min), 101, 50)]
    return Quadrant(
        points=points,
        x_cut=px(report.importance_cut),
        y_cut=py(report.overall_performance),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


@router.get("/drivers", response_class=HTMLResponse)
def drivers_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    outcome: Annotated[Literal["nps", "promoter", "csat"], Query()] = "nps",
    days: Annotated[int, Query(ge=7, le=3660)] = 365,
) -> HTMLResponse:
    now = utcnow()
    report = driver_report(
        session=db,
        since=now - timedelta(days=days),
        until=now,
        outcome=outcome,
        min_n=settings.min_n,
        lang=request_language(request),
    )
    shown = report.drivers[:SHOWN]
    context = {
        "report": report,
        "shown": shown,
        "max_importance": max((d.importance for d in shown), default=1.0) or 1.0,
        "chart": quadrant_chart(report),
        "days": days,
        "periods": PERIODS,
        "outcome": outcome,
    }
    return render(request, "insights/drivers.html", context)
