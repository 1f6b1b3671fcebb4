"""The dashboard's data: KPI tiles, a trend with its interval band, and a sortable breakdown.

One data function (``build_dashboard``) serves ``/dashboard`` (HTML) and
``GET /api/v1/metrics/dashboard`` (JSON). Every number a chart draws is also
in the returned tables, so the page is complete without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import CHANNELS, Touchpoint
from otklik.org.models import Unit
from otklik.understand.metrics import METRICS
from otklik.understand.report import Breakdown, Row, TrendPoint, breakdown, kpis, trend

PERIOD_DAYS = (30, 90, 180, 365)
# Half a year against the half year before: long enough for changes to reach significance.
DEFAULT_DAYS = 180
BREAKDOWN_DIMENSIONS = ("touchpoint", "stage", "journey", "channel", "unit", "segment",
                        "survey", "language", "source")  # fmt: skip
SORTS = ("label", "n", "value", "change")
TREND_GRAINS = ("week", "month", "quarter")


class Option(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    label: str


class Kpi(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: str
    row: Row = Field(description="The whole filtered period, with change vs the previous one.")


class Dashboard(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: str
    days: int
    by: str
    grain: str
    sort: str
    desc: bool
    since: datetime
    until: datetime
    previous_since: datetime
    filters: dict[str, list[str]]
    min_n: int
    kpis: list[Kpi]
    trend: list[TrendPoint]
    breakdown: Breakdown
    touchpoints: list[Option] = Field(description="Filter choices.")
    channels: list[str]
    units: list[Option]


def build_dashboard(
    *,
    session: Session,
    now: datetime,
    metric: str = "nps",
    days: int = DEFAULT_DAYS,
    by: str = "touchpoint",
    grain: str = "month",
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "value",
    desc: bool = False,
    engine=None,
    min_n: int = 30,
    lang: str = "en",
) -> Dashboard:
    """The last ``days`` days up to ``now`` against the ``days`` before them."""
    if metric not in METRICS:
        raise ValidationFailed(f"metric: unknown {metric!r} (one of {', '.join(METRICS)})",
                               field="metric")  # fmt: skip
    if not 1 <= days <= 3660:
        raise ValidationFailed("days: must be between 1 and 3660", field="days")
    if by not in BREAKDOWN_DIMENSIONS:
        raise ValidationFailed(f"by: one of {', '.join(BREAKDOWN_DIMENSIONS)}", field="by")
    if grain not in TREND_GRAINS:
        raise ValidationFailed(f"grain: one of {', '.join(TREND_GRAINS)}", field="grain")
    if sort not in SORTS:
        raise ValidationFailed(f"sort: one of {', '.join(SORTS)}", field="sort")
    flt = {k: list(v) for k, v in (filters or {}).items() if v}
    until = now
    since = now - timedelta(days=days)
    prev_since = since - timedelta(days=days)
    common = dict(session=session, engine=engine, min_n=min_n)

    tiles = kpis(since=since, until=until, compare_since=prev_since, filters=flt, **common)
    table = breakdown(metric=metric, since=since, until=until, by=(by,), filters=flt,
                      compare_since=prev_since, lang=lang, **common)  # fmt: skip
    rows = sorted(table.rows, key=_sorter(sort, by), reverse=desc)
    table = table.model_copy(update={"rows": rows})
    # A year of history at least, so the planted changes months ago stay in view.
    trend_since = min(prev_since, now - timedelta(days=365))
    series = trend(metric=metric, grain=grain, since=trend_since, until=until, filters=flt,
                   **common)  # fmt: skip
    cards = [Kpi(metric=m, row=r) for m, r in tiles.items()]
    return Dashboard(
        metric=metric, days=days, by=by, grain=grain, sort=sort, desc=desc, since=since,
        until=until, previous_since=prev_since, filters=flt, min_n=min_n, kpis=cards,
        trend=series, breakdown=table, **_options(session, lang),
    )  # fmt: skip


def _sorter(sort: str, by: str):
    def key(row: Row):
        label = row.labels.get(by) or ""
        missing = float("inf")
        if sort == "n":
            return (row.metric.n, label)
        if sort == "value":
            v = row.metric.value
            return (v if v is not None else missing, label)
        if sort == "change":
            d = row.change.difference if row.change else None
            return (d if d is not None else missing, label)
        return (0, label.lower())

    return key


def _options(session: Session, lang: str) -> dict:
    tps = [
        Option(code=r.code, label=(r.name_i18n or {}).get(lang) or r.name)
        for r in session.execute(
            select(Touchpoint.code, Touchpoint.name, Touchpoint.name_i18n).order_by(Touchpoint.code)
        )
    ]
    units = [
        Option(code=r.code, label=(r.name_i18n or {}).get(lang) or r.name)
        for r in session.execute(
            select(Unit.code, Unit.name, Unit.name_i18n).order_by(Unit.path, Unit.code)
        )
    ]
    return {"touchpoints": tps, "units": units, "channels": list(CHANNELS)}
