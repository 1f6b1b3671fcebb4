"""Retention and churn: per period, by acquisition cohort, and by NPS category.

One portable query does the heavy lifting: customers counted by (acquisition
bucket, churn bucket), where a bucket is a calendar month (or quarter) given as
``CASE WHEN acquired_at < :b1 THEN 0 …`` with bound boundaries — no dialect
date functions, so SQLite, PostgreSQL, DuckDB and ClickHouse all run it. From
that small matrix pure functions derive every number: S, E, N per period, the
cohort table, the churn rate. A customer is *active at t* when
``acquired_at < t`` and (``churned_at`` is null or ``churned_at >= t``);
customers without ``acquired_at`` have no known lifecycle and are left out.

Retention rate = ((E − N) / S) × 100 (S active at the start, E at the end, N
acquired during the period). Churn rate = customers of S lost during the
period / S × 100. The two add to 100 unless some new customers also left
within the period (E − N then undercounts the survivors of S by those).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response
from otklik.understand.insights_stats import proportion_difference_test
from otklik.understand.overview import NpsSummary, summarise_nps
from otklik.understand.stats import NpsCounts, enough_data, proportion

Period = Literal["month", "quarter"]
PERIOD_MONTHS: dict[str, int] = {"month": 1, "quarter": 3}
NEVER = 1_000_000  # churn bucket of customers who have not left
MAX_PERIODS = 120

Matrix = Mapping[tuple[int, int], int]  # (acquisition bucket, churn bucket) → customers


# ---------------------------------------------------------------- pure functions


def retention_rate(*, start: int, end: int, new: int) -> float | None:
    """((E − N) / S) × 100; None without customers at the start.

    Example: S = 200, E = 210, N = 30 → 90.0.
    """
    if min(start, end, new) < 0:
        raise ValueError("customer counts cannot be negative")
    return None if start == 0 else 100.0 * (end - new) / start


def churn_rate(*, start: int, lost: int) -> float | None:
    """Share of the customers at the start who left during the period, in percent."""
    if lost < 0 or lost > start:
        raise ValueError("need 0 <= lost <= start")
    return None if start == 0 else 100.0 * lost / start


@dataclass(frozen=True)
class PeriodCounts:
    """S, E, N of one period, plus who left: ``lost`` of S, ``new_lost`` of N."""

    start: int
    end: int
    new: int
    lost: int
    new_lost: int


def period_counts(matrix: Matrix, i: int) -> PeriodCounts:
    """Counts of bucket ``i`` = [b_i, b_{i+1}) from the (acquired, churned) bucket matrix.

    Bucket −1 holds everything before the first boundary; churn bucket NEVER,
    customers still active.
    """
    s = e = n = lost = new_lost = 0
    for (a, c), count in matrix.items():
        if a < i and c >= i:
            s += count
            lost += count if c == i else 0
        if a <= i and c > i:
            e += count
        if a == i:
            n += count
            new_lost += count if c == i else 0
    return PeriodCounts(start=s, end=e, new=n, lost=lost, new_lost=new_lost)


def cohort_cells(matrix: Matrix, cohort: int, *, ages: int, mature_buckets: int) -> list:
    """Retention (%) of cohort ``cohort`` at the end of each age 0…ages−1 (in buckets).

    A cell is None — not zero — while the bucket ``cohort + age`` has not ended
    (``cohort + age >= mature_buckets``): nobody can know its retention yet.
    """
    size = sum(count for (a, _), count in matrix.items() if a == cohort)
    cells: list[float | None] = []
    for age in range(ages):
        last = cohort + age
        if last >= mature_buckets or size == 0:
            cells.append(None)
            continue
        active = sum(count for (a, c), count in matrix.items() if a == cohort and c > last)
        cells.append(100.0 * active / size)
    return cells


def month_start(dt: datetime) -> datetime:
    dt = dt.astimezone(UTC)
    return datetime(dt.year, dt.month, 1, tzinfo=UTC)


def add_months(dt: datetime, months: int) -> datetime:
    index = dt.year * 12 + dt.month - 1 + months
    return dt.replace(year=index // 12, month=index % 12 + 1)


def period_start(dt: datetime, period: Period) -> datetime:
    start = month_start(dt)
    step = PERIOD_MONTHS[period]
    return add_months(start, -((start.month - 1) % step))


# ---------------------------------------------------------------- queries


def _bucket(column: ColumnElement, bounds: list[datetime], *, null: int | None = None):
    """``CASE`` giving the bucket of ``column``: −1 before bounds[0], i in [b_i, b_{i+1})."""
    whens = [] if null is None else [(column.is_(None), literal(null))]
    whens.append((column < bounds[0], literal(-1)))
    whens += [(column < b, literal(i)) for i, b in enumerate(bounds[1:])]
    return case(*whens, else_=literal(len(bounds) - 1))


def lifecycle_matrix(*, session: Session, bounds: list[datetime]) -> dict[tuple[int, int], int]:
    """Customers counted by (acquisition bucket, churn bucket) — the one query behind it all."""
    inner = (
        select(
            _bucket(Customer.acquired_at, bounds).label("a"),
            _bucket(Customer.churned_at, bounds, null=NEVER).label("c"),
        )
        .where(Customer.acquired_at.is_not(None))
        .subquery()
    )
    # Grouping on the subquery's labels: PostgreSQL would not match two renderings of a CASE
    # with bound parameters as "the same expression".
    stmt = select(inner.c.a, inner.c.c, func.count()).group_by(inner.c.a, inner.c.c)
    return {(int(a), int(c)): int(n) for a, c, n in session.execute(stmt)}


def nps_by_bucket(*, session: Session, bounds: list[datetime]) -> dict[int, NpsCounts]:
    """NPS counts of all answers given by customers, grouped by their acquisition bucket."""
    inner = (
        select(_bucket(Customer.acquired_at, bounds).label("a"), Response.nps.label("nps"))
        .join(Customer, Customer.id == Response.customer_id)
        .where(Customer.acquired_at.is_not(None), Response.nps.is_not(None))
        .subquery()
    )
    stmt = select(
        inner.c.a,
        func.count(),
        func.sum(case((inner.c.nps >= 9, 1), else_=0)),
        func.sum(case((inner.c.nps <= 6, 1), else_=0)),
    ).group_by(inner.c.a)
    return {
        int(a): NpsCounts(n=int(n), promoters=int(p or 0), detractors=int(d or 0))
        for a, n, p, d in session.execute(stmt)
    }


# ---------------------------------------------------------------- reports


class RetentionPeriod(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime = Field(description="Start of the period (inclusive, UTC).")
    end: datetime = Field(description="End of the period (exclusive).")
    customers_start: int = Field(description="S: customers active at the start.")
    customers_end: int = Field(description="E: customers active at the end.")
    new: int = Field(description="N: customers acquired during the period.")
    lost: int = Field(description="Customers of S who left during the period.")
    new_lost: int = Field(description="Customers acquired and lost within the period.")
    retention_rate: float | None = Field(description="((E − N) / S) × 100; null when S = 0.")
    churn_rate: float | None = Field(description="lost / S × 100; null when S = 0.")
    churn_ci_low: float | None = Field(description="Wilson 95 % interval of the churn rate.")
    churn_ci_high: float | None


class RetentionSeries(BaseModel):
    model_config = ConfigDict(frozen=True)

    period: Period
    as_of: datetime
    periods: list[RetentionPeriod] = Field(description="Complete periods, oldest first.")


def retention_series(
    *, session: Session, as_of: datetime, period: Period = "month", periods: int = 12
) -> RetentionSeries:
    """Retention and churn for the last ``periods`` complete periods before ``as_of``."""
    if period not in PERIOD_MONTHS:
        raise ValidationFailed("period: must be month or quarter", field="period")
    if not 1 <= periods <= MAX_PERIODS:
        raise ValidationFailed(f"periods: must be between 1 and {MAX_PERIODS}", field="periods")
    step = PERIOD_MONTHS[period]
    last_end = period_start(as_of, period)  # the current period is not complete: leave it out
    bounds = [add_months(last_end, -step * k) for k in range(periods, -1, -1)]
    matrix = lifecycle_matrix(session=session, bounds=bounds)
    rows = []
    for i in range(periods):
        pc = period_counts(matrix, i)
        churn = proportion(successes=pc.lost, n=pc.start)
        rows.append(
            RetentionPeriod(
                start=bounds[i],
                end=bounds[i + 1],
                customers_start=pc.start,
                customers_end=pc.end,
                new=pc.new,
                lost=pc.lost,
                new_lost=pc.new_lost,
                retention_rate=_r(retention_rate(start=pc.start, end=pc.end, new=pc.new)),
                churn_rate=_r(churn.value),
                churn_ci_low=_r(churn.ci_low),
                churn_ci_high=_r(churn.ci_high),
            )
        )
    return RetentionSeries(period=period, as_of=as_of, periods=rows)


class CohortRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    cohort: datetime = Field(description="First day of the acquisition month (UTC).")
    customers: int = Field(description="Customers acquired in that month.")
    retention: list[float | None] = Field(
        description="Percent still active at the end of month 0, 1, 2, … after acquisition; "
        "null where that month has not ended yet (immature), never zero for lack of time."
    )
    nps: NpsSummary = Field(description="NPS of every answer these customers gave.")


class CohortTable(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of: datetime
    ages: int = Field(description="Number of retention columns (months since acquisition).")
    min_n: int
    cohorts: list[CohortRow] = Field(description="Oldest cohort first; the current month last.")


def cohort_table(*, session: Session, as_of: datetime, months: int = 12, min_n: int = 30):
    """Retention by acquisition month for the last ``months`` cohorts (the current one included)."""
    if not 1 <= months <= MAX_PERIODS:
        raise ValidationFailed(f"months: must be between 1 and {MAX_PERIODS}", field="months")
    current = month_start(as_of)
    bounds = [add_months(current, -k) for k in range(months - 1, -2, -1)]
    matrix = lifecycle_matrix(session=session, bounds=bounds)
    nps_counts = nps_by_bucket(session=session, bounds=bounds)
    rows = [
        CohortRow(
            cohort=bounds[c],
            customers=sum(n for (a, _), n in matrix.items() if a == c),
            retention=[
                _r(v) for v in cohort_cells(matrix, c, ages=months, mature_buckets=months - 1)
            ],
            nps=summarise_nps(nps_counts.get(c, NpsCounts()), min_n=min_n),
        )
        for c in range(months)
    ]
    return CohortTable(as_of=as_of, ages=months, min_n=min_n, cohorts=rows)


NPS_CATEGORIES = ("promoter", "passive", "detractor")


class ChurnByCategory(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: Literal["promoter", "passive", "detractor"]
    customers: int = Field(description="Customers whose latest NPS answer is in this category.")
    churned: int = Field(description="Of them, customers who have left.")
    enough_data: bool = Field(description="customers ≥ min_n; when false the rate is withheld.")
    churn_rate: float | None = Field(description="Percent who left.")
    ci_low: float | None = Field(description="Wilson 95 % interval.")
    ci_high: float | None


class CategoryDifference(BaseModel):
    """Detractors' churn rate minus promoters', in percentage points, with a z test."""

    model_config = ConfigDict(frozen=True)

    difference: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    significant: bool = Field(description="p < 0.05.")
    ratio: float | None = Field(description="How many times as often detractors leave.")


class ChurnByNps(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of: datetime
    min_n: int
    categories: list[ChurnByCategory]
    detractor_vs_promoter: CategoryDifference | None


def churn_by_nps(*, session: Session, as_of: datetime, min_n: int = 30) -> ChurnByNps:
    """Does a detractor leave more often? Churn rate by the category of each customer's
    latest NPS answer before ``as_of`` (and before they left), detractors vs promoters tested."""
    # The customer's churn date rides along with the answer, so the outer query needs no
    # second join with the customer table.
    latest = (
        select(
            Response.nps.label("nps"),
            Customer.churned_at.label("churned_at"),
            func.row_number()
            .over(
                partition_by=Response.customer_id,
                order_by=(Response.submitted_at.desc(), Response.id.desc()),
            )
            .label("rank"),
        )
        .join(Customer, Customer.id == Response.customer_id)
        .where(
            Response.nps.is_not(None),
            Response.submitted_at < as_of,
            (Customer.churned_at.is_(None)) | (Response.submitted_at <= Customer.churned_at),
        )
        .subquery()
    )
    labelled = (
        select(
            case((latest.c.nps >= 9, 2), (latest.c.nps <= 6, 0), else_=1).label("category"),
            case(
                ((latest.c.churned_at.is_not(None)) & (latest.c.churned_at < as_of), 1), else_=0
            ).label("churned"),
        )
        .where(latest.c.rank == 1)
        .subquery()
    )
    stmt = select(labelled.c.category, func.count(), func.sum(labelled.c.churned)).group_by(
        labelled.c.category
    )
    found = {int(c): (int(n), int(k or 0)) for c, n, k in session.execute(stmt)}
    counts = {
        "detractor": found.get(0, (0, 0)),
        "passive": found.get(1, (0, 0)),
        "promoter": found.get(2, (0, 0)),
    }
    categories = []
    for name in NPS_CATEGORIES:
        n, churned = counts[name]
        shown = enough_data(n, min_n)
        est = proportion(successes=churned, n=n)
        categories.append(
            ChurnByCategory(
                category=name,
                customers=n,
                churned=churned,
                enough_data=shown,
                churn_rate=_r(est.value) if shown else None,
                ci_low=_r(est.ci_low) if shown else None,
                ci_high=_r(est.ci_high) if shown else None,
            )
        )
    (nd, kd), (np_, kp) = counts["detractor"], counts["promoter"]
    test = None
    if enough_data(nd, min_n) and enough_data(np_, min_n):
        diff = proportion_difference_test(successes_1=kd, n_1=nd, successes_2=kp, n_2=np_)
        if diff is not None:
            test = CategoryDifference(
                difference=round(diff.difference, 1),
                ci_low=round(diff.ci_low, 1),
                ci_high=round(diff.ci_high, 1),
                z=round(diff.z, 3),
                p_value=round(diff.p_value, 4),
                significant=diff.p_value < 0.05,
                ratio=round((kd / nd) / (kp / np_), 2) if kp else None,
            )
    return ChurnByNps(as_of=as_of, min_n=min_n, categories=categories, detractor_vs_promoter=test)


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


__all__ = [
    "ChurnByNps",
    "CohortTable",
    "RetentionSeries",
    "churn_by_nps",
    "churn_rate",
    "cohort_table",
    "retention_rate",
    "retention_series",
]
