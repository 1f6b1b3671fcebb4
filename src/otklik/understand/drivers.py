"""Key-driver analysis: which answers, touchpoints and customer traits move NPS or CSAT.

Method: Johnson's relative weights (2000). Predictors are correlated (a slow
branch visit and a long wait go together), so regression coefficients cannot
be compared and their squares do not add up. Johnson turns the predictors into
their closest orthogonal counterparts, regresses the outcome on those, and maps
the explained variance back: the weights add up exactly to R² and are, in
practice, within a point or two of the Shapley decomposition of R² (which needs
2^p regressions; ``shapley_r2`` is here for checking and small p). Shares are
weights / R² × 100 with the sign of the standardised regression coefficient.

The impact × performance quadrant sets each driver's share against how the
group it describes scores today (NPS of those who answered "no", of that
touchpoint, …): high impact and low performance is where to act first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import combinations
from math import factorial
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response, Touchpoint
from otklik.understand.insights_features import (
    FeatureColumn,
    ResponseColumns,
    build_columns,
    coded,
    parse_objects,
)
from otklik.understand.stats import NpsCounts, enough_data, nps, proportion

EIGEN_TOLERANCE = 1e-10


def correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrix of the predictors (columns of ``x``) and their correlations with y."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    ys = (y - y.mean()) / y.std()
    n = len(y)
    return xs.T @ xs / n, xs.T @ ys / n


def relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Johnson's raw relative weights from correlations: (weights, R², standardised betas).

    Pure linear algebra, so the "true" weights of a simulated population come
    from its population correlations with the same call. Exactly collinear
    predictors (eigenvalue ≈ 0) get a pseudo-inverse instead of a failure.
    Example: uncorrelated predictors → weight_j = r_jy², R² = Σ r_jy².
    """
    evals, evecs = np.linalg.eigh(rxx)
    keep = evals > EIGEN_TOLERANCE * max(evals.max(), 1.0)
    root = np.where(keep, np.sqrt(np.clip(evals, 0, None)), 0.0)
    inv_root = np.where(keep, 1.0 / np.where(keep, root, 1.0), 0.0)
    lam = evecs @ np.diag(root) @ evecs.T  # corr(X, Z): X's loadings on its orthogonal twin Z
    beta_z = evecs @ np.diag(inv_root) @ evecs.T @ rxy  # y regressed on Z
    weights = (lam**2) @ (beta_z**2)
    betas = evecs @ np.diag(np.where(keep, 1.0 / np.where(keep, evals, 1.0), 0.0)) @ evecs.T @ rxy
    return weights, float(weights.sum()), betas


def r_squared(rxx: np.ndarray, rxy: np.ndarray, subset: tuple[int, ...]) -> float:
    """R² of the regression on ``subset`` of the predictors: r' R⁻¹ r."""
    if not subset:
        return 0.0
    idx = list(subset)
    r = rxy[idx]
    return float(r @ np.linalg.pinv(rxx[np.ix_(idx, idx)]) @ r)


def shapley_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Shapley value decomposition of R² (a.k.a. dominance analysis): exact, 2^p regressions.

    Each predictor's average gain in R² over all orders of entry; the values add
    up to the full R². Use for p ≤ ~15.
    """
    p = len(rxy)
    if p > 16:
        raise ValueError("Shapley decomposition needs 2^p regressions; use relative_weights")
    cache = {(): 0.0}
    for size in range(1, p + 1):
        for subset in combinations(range(p), size):
            cache[subset] = r_squared(rxx, rxy, subset)
    values = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = factorial(size) * factorial(p - size - 1) / factorial(p)
            for subset in combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                values[j] += weight * (cache[with_j] - cache[subset])
    return values


def shares(weights: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """Signed shares of R² in percent: |share| sums to 100, sign from the standardised beta."""
    total = weights.sum()
    if total <= 0:
        return np.zeros_like(weights)
    return 100.0 * weights / total * np.where(betas < 0, -1.0, 1.0)


def quadrant(*, importance: float, performance: float, importance_cut: float, performance_cut):
    """Impact × performance quadrant of one driver.

    ``priority``: matters more than average and scores below the overall level
    (act here); ``strength``: matters and scores well (keep it); ``overkill``:
    scores well but matters little; ``low_priority``: neither.
    """
    high = importance >= importance_cut
    good = performance >= performance_cut
    if high:
        return "strength" if good else "priority"
    return "overkill" if good else "low_priority"


# ---------------------------------------------------------------- the report

Outcome = Literal["nps", "promoter", "csat"]
MIN_RESPONSES = 100
MAX_ROWS = 200_000  # the most recent responses; weights settle long before that


class Driver(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(description="Stable id: source:name or source:name=level.")
    source: str = Field(description="answer, touchpoint, segment, customer, response or extra.")
    name: str = Field(description="Question key, attribute or touchpoint code.")
    level: str | None = Field(description="The answer/level this column marks; null for a number.")
    label: str = Field(description="Human-readable name (touchpoint names localised).")
    share: float = Field(
        description="Signed share of explained variance, percent; |share| sums to 100."
    )
    importance: float = Field(description="|share|.")
    weight: float = Field(description="Raw relative weight (sums to R²).")
    beta: float = Field(description="Standardised regression coefficient.")
    n: int = Field(description="Responses the driver applies to (answered / in the group).")
    performance: float | None = Field(
        description="Outcome among those responses (NPS points, or CSAT top-2 %); null below min_n."
    )
    quadrant: str | None = Field(description="priority, strength, overkill or low_priority.")


class DriverGroup(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    name: str
    importance: float = Field(description="Sum of the group's |shares|, percent.")
    columns: int


class DriverReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    since: datetime
    until: datetime
    touchpoint: str | None
    responses: int = Field(description="Responses with the outcome in the range.")
    enough_data: bool
    reason: str | None = Field(description="Why there are no drivers, when there are none.")
    min_n: int
    method: str = "johnson-relative-weights"
    r2: float | None = Field(description="Variance of the outcome the drivers explain together.")
    performance_metric: Literal["nps", "csat_top2"]
    overall_performance: float | None
    importance_cut: float | None = Field(description="Mean importance: the quadrant's x split.")
    drivers: list[Driver] = Field(description="Most important first.")
    groups: list[DriverGroup]


def load_rows(
    *, session, outcome: Outcome, since, until, touchpoint: str | None
) -> tuple[ResponseColumns, np.ndarray]:
    """Responses with the outcome in ``[since, until)``, newest first (at most MAX_ROWS).

    The JSON columns come back as text and are parsed once per distinct value
    (:func:`parse_objects`): decoding every row's JSON was most of the time.
    """
    column = Response.csat if outcome == "csat" else Response.nps
    stmt = (
        select(
            Response.id,
            column,
            cast(Response.answers, Text).label("answers"),
            cast(Response.attributes, Text).label("attributes"),
            Touchpoint.code,
            Customer.segment,
            cast(Customer.attributes, Text).label("customer_attributes"),
        )
        .outerjoin(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .outerjoin(Customer, Customer.id == Response.customer_id)
        .where(column.is_not(None), Response.submitted_at >= since, Response.submitted_at < until)
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(MAX_ROWS)
    )
    if touchpoint is not None:
        stmt = stmt.where(Touchpoint.code == touchpoint)
    # Core execution on the session's connection: the ORM's row loading adds nothing here.
    found = session.connection().execute(stmt).all()
    ids, scores, answers, attrs, tps, segments, cattrs = (
        zip(*found, strict=True) if found else ([],) * 7
    )
    rows = ResponseColumns(
        response_ids=np.array(ids, dtype=np.int64),
        answers=parse_objects(coded(answers)),
        touchpoint=coded(tps),
        segment=coded(segments),
        customer_attributes=parse_objects(coded(cattrs)),
        response_attributes=parse_objects(coded(attrs)),
    )
    return rows, np.array(scores, dtype=float)


def driver_report(
    *,
    session: Session,
    since: datetime,
    until: datetime,
    outcome: Outcome = "nps",
    touchpoint: str | None = None,
    min_n: int = 30,
    lang: str = "en",
    extra: Mapping[str, Mapping[int, float]] | None = None,
) -> DriverReport:
    """Key drivers of ``outcome`` over responses submitted in ``[since, until)``.

    ``extra`` adds feature columns by response id (name → {response id: value});
    text themes plug in this way. Example::

        report = driver_report(session=s, since=now - timedelta(days=365), until=now)
        report.drivers[0].label, report.drivers[0].share   # "issue_resolved = no", -41.3
    """
    if outcome not in ("nps", "promoter", "csat"):
        raise ValidationFailed("outcome: must be nps, promoter or csat", field="outcome")
    if since >= until:
        raise ValidationFailed("since must be before until", field="since")
    rows, scores = load_rows(
        session=session, outcome=outcome, since=since, until=until, touchpoint=touchpoint
    )
    y = (scores >= 9).astype(float) if outcome == "promoter" else scores
    metric = "csat_top2" if outcome == "csat" else "nps"
    base = dict(
        outcome=outcome,
        since=since,
        until=until,
        touchpoint=touchpoint,
        responses=len(rows),
        min_n=min_n,
        performance_metric=metric,
        overall_performance=_performance(scores, np.ones(len(rows), bool), metric, min_n),
    )
    empty = dict(enough_data=False, r2=None, importance_cut=None, drivers=[], groups=[])
    if len(rows) < max(MIN_RESPONSES, min_n):
        return DriverReport(**base, **empty, reason="not_enough_responses")
    if y.std() == 0:
        return DriverReport(**base, **empty, reason="no_variation")
    columns = build_columns(rows, min_count=min_n, extra=extra)
    if not columns:
        return DriverReport(**base, **empty, reason="no_candidate_drivers")
    x = np.column_stack([c.values for c in columns])
    # One BLAS thread: the matrices are small, and a multi-threaded BLAS on a busy two-core
    # server spins 100x longer than the arithmetic takes.
    with threadpool_limits(limits=1, user_api="blas"):
        rxx, rxy = correlations(x, y)
        weights, r2, betas = relative_weights(rxx, rxy)
    signed = shares(weights, betas)
    cut = 100.0 / len(columns)
    names = _touchpoint_names(session, lang)
    drivers = []
    for col, w, b, s in zip(columns, weights, betas, signed, strict=True):
        perf = _performance(scores, col.present, metric, min_n)
        drivers.append(
            Driver(
                key=col.key,
                source=col.source,
                name=col.name,
                level=col.level,
                label=_label(col, names),
                share=round(float(s), 2),
                importance=round(abs(float(s)), 2),
                weight=round(float(w), 5),
                beta=round(float(b), 4),
                n=int(col.present.sum()),
                performance=perf,
                quadrant=None
                if perf is None or base["overall_performance"] is None
                else quadrant(
                    importance=abs(float(s)),
                    performance=perf,
                    importance_cut=cut,
                    performance_cut=base["overall_performance"],
                ),
            )
        )
    drivers.sort(key=lambda d: -d.importance)
    groups: dict[tuple[str, str], list[Driver]] = {}
    for d in drivers:
        groups.setdefault((d.source, d.name), []).append(d)
    group_rows = sorted(
        (
            DriverGroup(
                source=src,
                name=name,
                importance=round(sum(d.importance for d in ds), 2),
                columns=len(ds),
            )
            for (src, name), ds in groups.items()
        ),
        key=lambda g: -g.importance,
    )
    return DriverReport(
        **base,
        enough_data=True,
        reason=None,
        r2=round(r2, 4),
        importance_cut=round(cut, 2),
        drivers=drivers,
        groups=group_rows,
    )


def _performance(scores: np.ndarray, present: np.ndarray, metric: str, min_n: int):
    chosen = scores[present]
    if not enough_data(len(chosen), min_n):
        return None
    if metric == "csat_top2":
        return round(proportion(successes=int((chosen >= 4).sum()), n=len(chosen)).value, 1)
    counts = NpsCounts(
        n=len(chosen), promoters=int((chosen >= 9).sum()), detractors=int((chosen <= 6).sum())
    )
    return round(nps(counts).value, 1)


def _touchpoint_names(session: Session, lang: str) -> dict[str, str]:
    return {
        code: (i18n or {}).get(lang) or name
        for code, name, i18n in session.execute(
            select(Touchpoint.code, Touchpoint.name, Touchpoint.name_i18n)
        )
    }


def _label(col: FeatureColumn, touchpoints: dict[str, str]) -> str:
    if col.source == "touchpoint":
        return touchpoints.get(col.level or "", col.level or "")
    return col.name if col.level is None else f"{col.name} = {col.level}"
