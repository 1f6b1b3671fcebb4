"""The dashboard's data: KPI tiles, a trend with its interval band, and a sortable breakdown.

One data function (``build_dashboard``) serves ``/dashboard`` (HTML) and
``GET /api/v1/metrics/dashboard`` (JSON). Every number a chart draws is also
in the returned tables, so the page is complete without JavaScript.

Tiles, breakdown, change and trend come from one scan of the whole range,
grouped by the breakdown dimension × trend period and split at day
boundaries, plus three one-day reads that split the two boundary days exactly
at ``since`` and ``previous_since`` and add today. The big read's range and
split points are midnights, so the engine answers it from the segments'
rollups (in any process, with no scan) and caches it besides (``cache=True``);
the live tail keeps it fresh. The numbers equal ``report.kpis/breakdown/trend``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import CHANNELS, Touchpoint
from otklik.org.models import Unit
from otklik.understand import periods
from otklik.understand.dimensions import load_lookups
from otklik.understand.metrics import (
    METRICS,
    Counts,
    MetricQuery,
    Plan,
    groups,
    plan,
    raw_counts,
)
from otklik.understand.report import (
    Breakdown,
    Row,
    TrendPoint,
    breakdown_from_counts,
    kpis_from_counts,
    trend_from_counts,
)

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
    # A year of history at least, so the planted changes months ago stay in view.
    trend_start = periods.floor(min(prev_since, now - timedelta(days=365)), grain)
    w = window_counts(session=session, engine=engine, by=by, grain=grain, filters=flt,
                      trend_start=trend_start, previous_since=prev_since, since=since, until=until,
                      lang=lang)  # fmt: skip

    tiles = kpis_from_counts(w.total, w.previous_total, min_n=min_n)
    table = breakdown_from_counts(
        metric=metric, by=(by,), since=since, until=until, compare_since=prev_since,
        current=w.current, previous=w.previous, total=w.total,
        previous_total=w.previous_total, min_n=min_n,
    )  # fmt: skip
    rows = sorted(table.rows, key=_sorter(sort, by), reverse=desc)
    table = table.model_copy(update={"rows": rows})
    series = trend_from_counts(metric=metric, grain=grain, start=trend_start, until=until,
                               found=w.trend, min_n=min_n)  # fmt: skip
    cards = [Kpi(metric=m, row=r) for m, r in tiles.items()]
    return Dashboard(
        metric=metric, days=days, by=by, grain=grain, sort=sort, desc=desc, since=since,
        until=until, previous_since=prev_since, filters=flt, min_n=min_n, kpis=cards,
        trend=series, breakdown=table, **_options(session, lang),
    )  # fmt: skip


@dataclass
class WindowCounts:
    """What the dashboard draws, as counts: per breakdown key now and before, the totals,
    and the trend by period label."""

    current: dict[tuple, tuple[dict, Counts]] = field(default_factory=dict)
    previous: dict[tuple, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)
    previous_total: Counts = field(default_factory=Counts)
    trend: dict[str, Counts] = field(default_factory=dict)


# Where each read's ``window`` goes: (window of the read) → "previous" / "current" / None.
_BULK = {2: "previous", 4: "current"}  # 1 and 3 are the boundary days, read exactly apart
_EDGE_PREVIOUS = {0: "previous"}
_EDGE_SINCE = {0: "previous", 1: "current"}
_TODAY = {0: "current"}


def window_counts(
    *,
    session: Session,
    engine,
    by: str,
    grain: str,
    filters: Mapping[str, Sequence[str]],
    trend_start: datetime,
    previous_since: datetime,
    since: datetime,
    until: datetime,
    lang: str = "en",
) -> WindowCounts:
    """Counts of ``[previous_since, since)`` and ``[since, until)`` by ``by``, with totals,
    and the trend by ``grain`` over ``[trend_start, until)`` (``trend_start`` a period start,
    ``since - previous_since`` at least a day).

    The bulk read covers the whole days ``[trend_start, today)``, split at the boundary
    days; three small reads cover the exact boundaries and today.
    """
    day = timedelta(days=1)
    dp, ds, today = (periods.floor(t, "day") for t in (previous_since, since, until))
    lk = load_lookups(session)
    out = WindowCounts()

    def read(since_, until_, by_, split, where, *, today_label=None, cache=False) -> None:
        q = MetricQuery.make(since=since_, until=until_, by=by_, filters=filters,
                             split_at=split)  # fmt: skip
        p = plan(session=session, query=q, lookups=lk)
        raw = raw_counts(session=session, p=p, engine=engine, cache=cache)
        _add(out, p, raw, where, grain, lang, today_label=today_label)

    read(trend_start, today, (by, grain), (dp, dp + day, ds, ds + day), _BULK, cache=True)
    read(previous_since, dp + day, (by,), (), _EDGE_PREVIOUS)
    read(ds, ds + day, (by,), (since,), _EDGE_SINCE)
    if today < until:
        label = periods.label(periods.floor(today, grain).date(), grain)
        read(today, until, (by,), (), _TODAY, today_label=label)
    return out


def _add(out: WindowCounts, p: Plan, raw: dict, where, grain, lang, *, today_label) -> None:
    """Sum one read into ``out``: totals and trend from SQL keys (so a unit's counts are not
    counted again for its region), the breakdown from the mapped groups. The trend takes
    the bulk read (by its period key) and today's read (``today_label``); the boundary
    days are already whole in the bulk read."""
    names = [n for n, _ in p.sql_keys]
    wi = names.index("window") if "window" in names else None
    gi = names.index(grain) if grain in names else None
    for key, c in raw.items():
        window = where.get(key[wi] if wi is not None else 0)
        if window == "current":
            out.total += c
        elif window == "previous":
            out.previous_total += c
        period = periods.label(key[gi], grain) if gi is not None else today_label
        if period is not None:
            out.trend[period] = out.trend[period] + c if period in out.trend else c
    by = p.query.by[0]
    for g in groups(p, raw, lang=lang):
        window = where.get(g.window if g.window is not None else 0)
        k = (g.keys[by],)
        if window == "current":
            c = out.current[k][1] + g.counts if k in out.current else g.counts
            out.current[k] = ({by: g.labels[by]}, c)
        elif window == "previous":
            out.previous[k] = out.previous[k] + g.counts if k in out.previous else g.counts


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
