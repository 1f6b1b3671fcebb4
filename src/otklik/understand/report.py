"""Metric reports: counts → values with intervals, changes with significance, trends.

One data layer for every interface: ``otklik report``, ``/api/v1/metrics/*``
and the dashboard page all call these functions and render their result.
Values below ``min_n`` answers are withheld (``enough_data`` false).
When many groups are compared at once, significance is judged on
Benjamini–Hochberg q-values, not raw p-values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from otklik.understand import periods
from otklik.understand.metrics import METRICS, Counts, MetricQuery, grouped_counts
from otklik.understand.stats import (
    DEFAULT_CONFIDENCE,
    benjamini_hochberg,
    ces_easy_share,
    csat,
    enough_data,
    mean,
    nps,
    nps_difference_test,
    proportion_difference_test,
    welch_t_test,
)

ALPHA = 0.05
NPS_CI_METHOD = "adjusted-wald"
UNITS = {"nps": "points", "csat": "% top-2-box (4–5 of 5)", "ces": "mean (1–7)"}


class MetricValue(BaseModel):
    """One metric of one group: counts always; the value and interval only when n ≥ min_n."""

    model_config = ConfigDict(frozen=True)

    n: int = Field(description="Answers to the metric's question.")
    enough_data: bool = Field(description="n ≥ min_n; when false the value is withheld.")
    value: float | None = Field(description="NPS −100…100, CSAT %, or CES mean 1…7.")
    ci_low: float | None = None
    ci_high: float | None = None
    promoters: int | None = Field(None, description="NPS only: answers 9–10.")
    passives: int | None = Field(None, description="NPS only: answers 7–8.")
    detractors: int | None = Field(None, description="NPS only: answers 0–6.")
    top: int | None = Field(None, description="CSAT: answers 4–5; CES: answers 5–7 ('easy').")
    easy_pct: float | None = Field(None, description="CES only: % of answers 5–7.")


class Change(BaseModel):
    """Current minus previous, with a two-sided test (NPS z, two-proportion z, Welch t)."""

    model_config = ConfigDict(frozen=True)

    previous: MetricValue
    difference: float | None = Field(description="Current − previous (points, % points, scale).")
    p_value: float | None
    q_value: float | None = Field(description="Benjamini–Hochberg adjusted p over all rows.")
    significant: bool = Field(description="q < 0.05 and both periods have enough data.")
    direction: str | None = Field(description="up, down, or null when not significant.")


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)

    keys: dict[str, str | None] = Field(description="Codes: touchpoint code, unit code, 2024-03 …")
    labels: dict[str, str | None] = Field(description="Names for people, localised.")
    responses: int
    metric: MetricValue
    change: Change | None = None

    def flat(self, metric: str) -> dict:
        """The CLI/CSV shape: group keys, n, value, ci_low, ci_high (+ NPS counts)."""
        m = self.metric
        out: dict = {**self.keys, "n": m.n, "value": m.value, "ci_low": m.ci_low,
                     "ci_high": m.ci_high}  # fmt: skip
        if metric == "nps":
            out.update(promoters=m.promoters, passives=m.passives, detractors=m.detractors)
        if self.change is not None:
            out.update(
                previous=self.change.previous.value,
                change=self.change.difference,
                p_value=self.change.p_value,
                q_value=self.change.q_value,
                significant=self.change.significant,
            )
        return out


class Breakdown(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: str
    unit: str
    by: list[str]
    since: datetime
    until: datetime
    previous_since: datetime | None = None
    min_n: int
    confidence: float = DEFAULT_CONFIDENCE
    total: Row
    rows: list[Row]


def metric_value(metric: str, c: Counts, *, min_n: int) -> MetricValue:
    """Counts → the value shown to people (rounded to one decimal; CES to two)."""
    digits = 2 if metric == "ces" else 1
    if metric == "nps":
        n, extra = (
            c.nps.n,
            dict(promoters=c.nps.promoters, passives=c.nps.passives, detractors=c.nps.detractors),
        )
    else:
        r = c.csat if metric == "csat" else c.ces
        n, extra = r.n, {"top": r.top}
    shown = enough_data(n, min_n)
    if not shown:
        return MetricValue(n=n, enough_data=False, value=None, **extra)
    if metric == "nps":
        est = nps(c.nps, method=NPS_CI_METHOD)
    elif metric == "csat":
        est = csat(n=c.csat.n, top2=c.csat.top)
    else:
        est = mean(n=c.ces.n, total=c.ces.total, total_sq=c.ces.total_sq)
        extra["easy_pct"] = round(ces_easy_share(n=c.ces.n, easy=c.ces.top).value, 1)

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, digits)

    return MetricValue(
        n=n, enough_data=True, value=r(est.value), ci_low=r(est.ci_low), ci_high=r(est.ci_high),
        **extra,
    )  # fmt: skip


def difference_p(metric: str, cur: Counts, prev: Counts) -> tuple[float | None, float | None]:
    """(difference, two-sided p) between two groups' counts, or (None, None) when untestable."""
    if metric == "nps":
        t = nps_difference_test(cur.nps, prev.nps)
        return (t.difference, t.p_value) if t else (None, None)
    if metric == "csat":
        t = proportion_difference_test(
            successes1=cur.csat.top, n1=cur.csat.n, successes2=prev.csat.top, n2=prev.csat.n
        )
        return (t.difference, t.p_value) if t else (None, None)
    w = welch_t_test(
        n1=cur.ces.n, total1=cur.ces.total, total_sq1=cur.ces.total_sq,
        n2=prev.ces.n, total2=prev.ces.total, total_sq2=prev.ces.total_sq,
    )  # fmt: skip
    return (w.difference, w.p_value) if w else (None, None)


def breakdown(
    *,
    session: Session,
    metric: str,
    since: datetime,
    until: datetime,
    by: Sequence[str] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
    compare_since: datetime | None = None,
    compare_until: datetime | None = None,
    engine=None,
    min_n: int = 30,
    lang: str = "en",
) -> Breakdown:
    """A metric per group over ``[since, until)``; with ``compare_since`` each row also gets its
    change against ``[compare_since, compare_until or since)`` and BH-adjusted significance.

    Adjacent periods are read in one scan per grouping (a ``window`` split), so a
    comparison costs no more than the plain breakdown.
    """
    current, previous = _periods(session, engine, lang, metric, since, until, by, filters,
                                 compare_since, compare_until)  # fmt: skip
    if by:
        totals = _periods(session, engine, lang, metric, since, until, (), filters,
                          compare_since, compare_until)  # fmt: skip
    else:
        totals = current, previous
    return breakdown_from_counts(
        metric=metric, by=by, since=since, until=until, compare_since=compare_since,
        current=current, previous=previous, total=totals[0].get((), ({}, Counts()))[1],
        previous_total=None if totals[1] is None else totals[1].get((), Counts()), min_n=min_n,
    )  # fmt: skip


def breakdown_from_counts(
    *,
    metric: str,
    by: Sequence[str],
    since: datetime,
    until: datetime,
    compare_since: datetime | None,
    current: Mapping[tuple, tuple[dict, Counts]],
    previous: Mapping[tuple, Counts] | None,
    total: Counts,
    previous_total: Counts | None,
    min_n: int,
) -> Breakdown:
    """The breakdown from counts already read: ``current`` maps group keys (codes, in ``by``
    order) to (labels, counts); ``previous`` the same keys to the comparison period's counts.
    Callers that read several views in one scan (the dashboard) build it from their sums."""
    built = [
        _row(metric, dict(zip(by, k, strict=True)), labels, c, min_n,
             None if previous is None else previous.get(k, Counts()))
        for k, (labels, c) in current.items()
    ]  # fmt: skip
    built.sort(key=lambda rp: tuple((v is None, v or "") for v in rp[0].keys.values()))
    [total_row] = _with_q_values([_row(metric, {}, {}, total, min_n, previous_total)])
    return Breakdown(
        metric=metric, unit=UNITS[metric], by=list(by), since=since, until=until,
        previous_since=compare_since, min_n=min_n, total=total_row, rows=_with_q_values(built),
    )  # fmt: skip


def _periods(session, engine, lang, metric, since, until, by, filters, c_since, c_until):
    """({keys: (labels, Counts)} now, {keys: Counts} before or None)."""
    adjacent = c_since is not None and (c_until is None or c_until == since) and c_since < since
    q = MetricQuery.make(
        since=c_since if adjacent else since, until=until, by=by, filters=filters,
        metrics=(metric,), split_at=since if adjacent else None,
    )  # fmt: skip
    found = grouped_counts(session=session, query=q, engine=engine, lang=lang)
    now: dict[tuple, tuple[dict, Counts]] = {}
    before: dict[tuple, Counts] | None = {} if c_since is not None else None
    for g in found:
        key = tuple(g.keys.values())
        if g.window == 0:
            before[key] = g.counts  # type: ignore[index]
        else:
            now[key] = (g.labels, g.counts)
    if not by:
        now.setdefault((), ({}, Counts()))
    if c_since is not None and not adjacent:
        pq = MetricQuery.make(since=c_since, until=c_until or since, by=by, filters=filters,
                              metrics=(metric,))  # fmt: skip
        found = grouped_counts(session=session, query=pq, engine=engine, lang=lang)
        before = {tuple(g.keys.values()): g.counts for g in found}
    return now, before


def _row(metric, keys, labels, counts: Counts, min_n, prev: Counts | None):
    value = metric_value(metric, counts, min_n=min_n)
    if prev is None:
        return Row(keys=keys, labels=labels, responses=counts.responses, metric=value), None
    pv = metric_value(metric, prev, min_n=min_n)
    diff, p = difference_p(metric, counts, prev)
    if not (value.enough_data and pv.enough_data):
        diff, p = None, None
    change = Change(previous=pv, difference=None if diff is None else round(diff, 2),
                    p_value=p, q_value=None, significant=False, direction=None)  # fmt: skip
    return Row(keys=keys, labels=labels, responses=counts.responses, metric=value,
               change=change), p  # fmt: skip


def kpis(
    *,
    session: Session,
    since: datetime,
    until: datetime,
    compare_since: datetime,
    filters: Mapping[str, Sequence[str]] | None = None,
    engine=None,
    min_n: int = 30,
) -> dict[str, Row]:
    """NPS, CSAT and CES over ``[since, until)`` with change vs ``[compare_since, since)``:
    one scan for all three."""
    q = MetricQuery.make(since=compare_since, until=until, filters=filters, split_at=since)
    found = {g.window: g.counts for g in grouped_counts(session=session, query=q, engine=engine)}
    return kpis_from_counts(found.get(1, Counts()), found.get(0, Counts()), min_n=min_n)


def kpis_from_counts(now: Counts, before: Counts, *, min_n: int) -> dict[str, Row]:
    """NPS, CSAT and CES rows from one period's counts and the previous period's."""
    return {m: _with_q_values([_row(m, {}, {}, now, min_n, before)])[0] for m in METRICS}


def _with_q_values(built: list[tuple[Row, float | None]]) -> list[Row]:
    qs = benjamini_hochberg([p for _, p in built])
    out = []
    for (r, _), q in zip(built, qs, strict=True):
        if r.change is not None:
            sig = q is not None and q < ALPHA
            direction = None
            if sig and r.change.difference is not None:
                direction = "up" if r.change.difference > 0 else "down"
            r = r.model_copy(
                update={"change": r.change.model_copy(
                    update={"q_value": q, "significant": sig, "direction": direction})}
            )  # fmt: skip
        out.append(r)
    return out


class TrendPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: str = Field(description="2024-03, 2024-W10, 2024-Q1 or a day.")
    start: datetime
    responses: int
    metric: MetricValue


def trend(
    *,
    session: Session,
    metric: str,
    grain: str,
    since: datetime,
    until: datetime,
    filters: Mapping[str, Sequence[str]] | None = None,
    engine=None,
    min_n: int = 30,
) -> list[TrendPoint]:
    """The metric per period from ``since`` to ``until``; periods without answers are listed
    (n = 0) so gaps show."""
    start = periods.floor(since, grain)
    q = MetricQuery.make(since=start, until=until, by=(grain,), filters=filters, metrics=(metric,))
    found = {g.keys[grain]: g.counts for g in grouped_counts(session=session, query=q,
                                                             engine=engine)}  # fmt: skip
    return trend_from_counts(metric=metric, grain=grain, start=start, until=until, found=found,
                             min_n=min_n)  # fmt: skip


def trend_from_counts(
    *,
    metric: str,
    grain: str,
    start: datetime,
    until: datetime,
    found: Mapping[str, Counts],
    min_n: int,
) -> list[TrendPoint]:
    """Every period from ``start`` (a period start) to ``until``, with ``found`` counts by
    period label (``2024-03`` …); missing periods get n = 0."""
    points = []
    cursor = start
    while cursor < until:
        label = periods.label(cursor.date(), grain)
        c = found.get(label, Counts())
        points.append(TrendPoint(period=label, start=cursor, responses=c.responses,
                                 metric=metric_value(metric, c, min_n=min_n)))  # fmt: skip
        cursor = periods.shift(cursor, grain, 1)
    return points
