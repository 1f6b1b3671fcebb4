"""Churn risk: who is likely to leave in the next ``horizon`` days, and why.

Trained on this installation's own customers, from their feedback and
lifecycle, with a time-based hold-out so the AUC means what it says:

    as_of − 2h ─── train snapshot ──► as_of − h ─── test snapshot ──► as_of
    features from history before the snapshot; label = left within h days after it

The model (standardised features → logistic regression) is fitted on the
train snapshot and scored on the later test snapshot; the same model on
lifecycle features only (tenure, segment) is the feedback-free baseline. The
ranking of today's active customers uses a model refitted on both snapshots.
A linear model keeps the reasons honest: a factor's contribution is its
coefficient × the customer's standardised value (log-odds against an average
customer). Below ``min_churners`` leavers in a window there is nothing to
learn from, and the report says so instead of guessing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response
from otklik.store.base import utcnow
from otklik.understand import churn_store
from otklik.understand.churn_features import (
    FEEDBACK_FEATURES,
    LIFECYCLE_FEATURES,
    Snapshot,
    from_micros,
    load_lifecycles,
    segment_levels,
    snapshot,
)
from otklik.understand.insights_stats import auc_standard_error
from otklik.understand.stats import z_quantile

SEED = 20240917


def lifecycle_columns(names: Sequence[str]) -> list[int]:
    """Column indexes of the feedback-free baseline: tenure and segment."""
    return [i for i, n in enumerate(names) if n in LIFECYCLE_FEATURES or n.startswith("segment=")]


def fit(x: np.ndarray, y: np.ndarray):
    """Standardise, then an L2 logistic regression (deterministic: lbfgs, fixed seed)."""
    # scikit-learn is imported here, not at module level: it costs seconds of start-up
    # for every web process, and only this page needs it.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
    )
    return model.fit(x, y)


def auc(model, x: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, model.predict_proba(x)[:, 1]))


def contributions(model, x: np.ndarray) -> np.ndarray:
    """Per-row, per-feature log-odds contributions: coefficient × standardised value."""
    scaler, logit = model[0], model[-1]
    return scaler.transform(x) * logit.coef_[0]


def reason_group(feature: str) -> str:
    if feature.startswith("segment="):
        return "segment"
    return FEEDBACK_FEATURES.get(feature) or LIFECYCLE_FEATURES[feature]


# ---------------------------------------------------------------- the report

DEFAULT_HORIZON_DAYS = 90
MIN_CHURNERS = 50
MIN_TEST_CHURNERS = 10
MAX_LIST = 500


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    factor: str = Field(
        description="last_nps, nps_trend, detractor_answers, last_ces, days_since_response, "
        "responses, tenure or segment."
    )
    value: int | float | str | None = Field(description="The customer's value (e.g. last NPS 3).")
    contribution: float = Field(description="Added log-odds of leaving vs an average customer.")


class AtRiskCustomer(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: int
    external_id: str | None
    name: str | None
    segment: str | None
    risk: float = Field(description="Probability of leaving within the horizon, percent.")
    last_nps: int | None
    last_response_at: datetime | None
    reasons: list[Reason] = Field(description="Up to three factors that raise the risk most.")


class ModelQuality(BaseModel):
    model_config = ConfigDict(frozen=True)

    auc: float = Field(description="Held-out ROC AUC (0.5 = a coin, 1 = perfect).")
    ci_low: float = Field(description="95 % interval (Hanley–McNeil).")
    ci_high: float


class ChurnRiskReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of: datetime
    horizon_days: int
    min_churners: int
    enough_data: bool
    reason: str | None = Field(description="not_enough_churners when there is too little to learn.")
    train_customers: int = Field(description="Active at the train snapshot (as_of − 2·horizon).")
    train_churners: int
    test_customers: int = Field(description="Active at the test snapshot (as_of − horizon).")
    test_churners: int
    model: ModelQuality | None = Field(description="Feedback + lifecycle features.")
    baseline: ModelQuality | None = Field(description="Same model, lifecycle features only.")
    active_customers: int
    at_risk: list[AtRiskCustomer] = Field(description="Active customers, highest risk first.")


def churn_risk_report(
    *,
    session: Session,
    as_of: datetime,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    min_churners: int = MIN_CHURNERS,
    limit: int = 50,
    directory: Path | None = None,
) -> ChurnRiskReport:
    """Train, evaluate against the baseline, and rank today's active customers.

    Cached per process by (database, data version, as_of, parameters): the model
    is retrained only when customers, churn dates or responses change. With
    ``directory`` (:func:`~otklik.understand.churn_store.models_dir`) also on disk,
    shared by every process: a model the worker or the CLI trained is read, not
    retrained, and one trained here is saved for the others.
    """
    _check(horizon_days, min_churners, limit)
    key = _model_key(session, as_of, horizon_days, min_churners)
    version = data_version(session=session)
    report = _ready(key, version, limit, directory)
    if report is None:
        report = _train(session, key, version, limit, directory)
    return report


@dataclass(frozen=True)
class ChurnRiskView:
    """What a page can show without waiting: the report (None while a first model is being
    trained), whether it is this hour's, and whether a training was asked for."""

    report: ChurnRiskReport | None
    current: bool
    training: bool


SYNC_ROWS = 20_000  # customers + responses up to which a page trains at once (well under 1 s)


def churn_risk_view(
    *,
    session: Session,
    directory: Path,
    as_of: datetime,
    schedule: Callable[[], object] | None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    min_churners: int = MIN_CHURNERS,
    limit: int = 50,
    sync_rows: int | None = None,
) -> ChurnRiskView:
    """The churn report for a page or the API, never blocking on a long training.

    The model trained for this as_of on these data (in memory or in ``directory``)
    is current. Otherwise a small installation (at most ``sync_rows`` customers +
    responses, by default ``SYNC_ROWS``) or a caller without ``schedule`` trains
    at once. A large one calls ``schedule()`` (ask the worker; at most once per
    ``TRAINING_GRACE_SECONDS``) and meanwhile shows this as_of's model trained on
    the data of a few minutes ago (a busy installation gets answers every minute;
    retraining for each would keep pages waiting), else the latest earlier model
    as not current, else no report: "being trained, refresh in a minute". Either
    way without the customers who erased their answers since it was trained.
    """
    _check(horizon_days, min_churners, limit)
    key = _model_key(session, as_of, horizon_days, min_churners)
    version = data_version(session=session)
    report = _ready(key, version, limit, directory)
    if report is not None:
        return ChurnRiskView(report=report, current=True, training=False)
    customers, responses = version[0], version[4]
    cheap = customers + responses <= (SYNC_ROWS if sync_rows is None else sync_rows)
    if schedule is None or cheap:
        report = _train(session, key, version, limit, directory)
        return ChurnRiskView(report=report, current=True, training=False)
    asked = churn_store.ask_for_training(directory, key, data_version=version)
    if asked:
        schedule()
    same_as_of = churn_store.load(directory, key)
    if same_as_of is not None:
        report = _top(_without_erased(session, same_as_of), limit)
        return ChurnRiskView(report=report, current=True, training=asked)
    earlier = churn_store.latest(directory, key)
    report = None if earlier is None else _top(_without_erased(session, earlier), limit)
    return ChurnRiskView(report=report, current=False, training=True)


def _without_erased(session: Session, stored: churn_store.Stored) -> ChurnRiskReport:
    """A model trained on older data, less the customers who erased their answers since:
    an erasure is honoured at once, not at the next training."""
    from otklik.listen.erasure import Erasure

    report = _validated(stored.payload)
    ids = [c.customer_id for c in report.at_risk]
    erased = set(
        session.scalars(
            select(Erasure.customer_id).where(
                Erasure.erased_at >= stored.trained_at, Erasure.customer_id.in_(ids)
            )
        )
    )
    if not erased:
        return report
    kept = [c for c in report.at_risk if c.customer_id not in erased]
    return report.model_copy(update={"at_risk": kept})


def current_hour() -> datetime:
    """Now, to the hour: the as_of of pages, the API and the worker, so they share one model."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def _check(horizon_days: int, min_churners: int, limit: int) -> None:
    if not 7 <= horizon_days <= 730:
        raise ValidationFailed("horizon_days: must be between 7 and 730", field="horizon_days")
    if not 1 <= min_churners <= 100_000:
        raise ValidationFailed("min_churners: must be at least 1", field="min_churners")
    if not 1 <= limit <= MAX_LIST:
        raise ValidationFailed(f"limit: must be between 1 and {MAX_LIST}", field="limit")


def _model_key(session: Session, as_of, horizon_days, min_churners) -> churn_store.ModelKey:
    url = session.get_bind().url.render_as_string(hide_password=True)
    return churn_store.ModelKey(url, horizon_days, min_churners, as_of)


_CACHE: dict[tuple, ChurnRiskReport] = {}
_CACHE_LOCK = threading.Lock()
CACHED_REPORTS = 16


def clear_cache() -> None:
    """Forget this process's reports (as a new process starts: only the saved models remain)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _remember(key: tuple, report: ChurnRiskReport) -> ChurnRiskReport:
    with _CACHE_LOCK:
        _CACHE[key] = report
        while len(_CACHE) > CACHED_REPORTS:
            _CACHE.pop(next(iter(_CACHE)))
    return report


def _ready(key, version: tuple, limit: int, directory: Path | None) -> ChurnRiskReport | None:
    """The report for ``key`` on data ``version`` from memory or disk, without training."""
    with _CACHE_LOCK:
        hit = _CACHE.get((key, version, limit))
        full = _CACHE.get((key, version, None))
    if hit is not None:
        return hit
    if full is None and directory is not None:
        stored = churn_store.load(directory, key)
        if stored is not None and stored.matches(churn_store.version_json(version)):
            full = _remember((key, version, None), _validated(stored.payload))
    if full is None:
        return None
    return _remember((key, version, limit), _top(full, limit))


def _train(session, key, version: tuple, limit: int, directory: Path | None) -> ChurnRiskReport:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        full, model = _build(session, key.as_of, key.horizon_days, key.min_churners, MAX_LIST)
    if directory is not None:
        payload = {"report": full.model_dump(mode="json"), "model": model}
        churn_store.save(directory, key, data_version=version, payload=payload)
    _remember((key, version, None), full)
    return _remember((key, version, limit), _top(full, limit))


def _validated(payload: dict) -> ChurnRiskReport:
    return ChurnRiskReport.model_validate(payload["report"])


def _top(full: ChurnRiskReport, limit: int) -> ChurnRiskReport:
    """The report with its ``limit`` riskiest customers: ranking more and cutting is the same
    as ranking fewer (a stable sort; reasons are per customer)."""
    if len(full.at_risk) <= limit:
        return full
    return full.model_copy(update={"at_risk": full.at_risk[:limit]})


def data_version(*, session: Session) -> tuple:
    """Cheap fingerprint of what the model learns from: counts and high-water marks."""
    c = session.execute(
        select(
            func.count(),
            func.max(Customer.id),
            func.count(Customer.churned_at),
            func.max(Customer.churned_at),
        )
    ).one()
    r = session.execute(select(func.count(), func.max(Response.id))).one()
    return (*tuple(c), *tuple(r))


def _quality(model, x: np.ndarray, y: np.ndarray) -> ModelQuality:
    value = auc(model, x, y)
    se = auc_standard_error(auc=value, positives=int(y.sum()), negatives=int(len(y) - y.sum()))
    z = z_quantile()
    return ModelQuality(
        auc=round(value, 3),
        ci_low=round(max(value - z * se, 0.0), 3),
        ci_high=round(min(value + z * se, 1.0), 3),
    )


def model_parameters(model, names: Sequence[str]) -> dict:
    """The fitted pipeline as plain numbers (JSON, no pickle): risk = σ(intercept +
    Σ coef · (x − mean) / scale)."""
    scaler, logit = model[0], model[-1]
    return {
        "features": list(names),
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "coef": logit.coef_[0].tolist(),
        "intercept": float(logit.intercept_[0]),
    }


def _build(
    session, as_of, horizon_days, min_churners, limit
) -> tuple[ChurnRiskReport, dict | None]:
    people = load_lifecycles(session=session)
    segments = segment_levels(people)
    h = timedelta(days=horizon_days)
    train = snapshot(people, at=as_of - 2 * h, segments=segments, label_until=as_of - h)
    test = snapshot(people, at=as_of - h, segments=segments, label_until=as_of)
    current = snapshot(people, at=as_of, segments=segments)
    counts = dict(
        as_of=as_of,
        horizon_days=horizon_days,
        min_churners=min_churners,
        train_customers=len(train.customers),
        train_churners=int(train.labels.sum()),
        test_customers=len(test.customers),
        test_churners=int(test.labels.sum()),
        active_customers=len(current.customers),
    )
    if (
        counts["train_churners"] < min_churners
        or counts["test_churners"] < min(MIN_TEST_CHURNERS, min_churners)
        or counts["test_churners"] == counts["test_customers"]
    ):
        report = ChurnRiskReport(
            **counts,
            enough_data=False,
            reason="not_enough_churners",
            model=None,
            baseline=None,
            at_risk=[],
        )
        return report, None
    lifecycle = lifecycle_columns(train.names)
    model = fit(train.x, train.labels)
    baseline = fit(train.x[:, lifecycle], train.labels)
    quality = _quality(model, test.x, test.labels)
    base_quality = _quality(baseline, test.x[:, lifecycle], test.labels)
    final = fit(np.vstack([train.x, test.x]), np.concatenate([train.labels, test.labels]))
    at_risk = rank(final, current, limit=limit)
    report = ChurnRiskReport(
        **counts,
        enough_data=True,
        reason=None,
        model=quality,
        baseline=base_quality,
        at_risk=at_risk,
    )
    return report, model_parameters(final, train.names)


def rank(model, snap: Snapshot, *, limit: int) -> list[AtRiskCustomer]:
    """The ``limit`` riskiest customers of ``snap`` with their top three reasons."""
    if not len(snap.customers):
        return []
    risk = model.predict_proba(snap.x)[:, 1]
    order = np.argsort(-risk, kind="stable")[:limit]
    contrib = contributions(model, snap.x[order])
    people = snap.people
    out = []
    for row, i in enumerate(order.tolist()):
        c = int(snap.customers[i])
        groups: dict[str, float] = {}
        for j, name in enumerate(snap.names):
            group = reason_group(name)
            groups[group] = groups.get(group, 0.0) + float(contrib[row, j])
        top = sorted((g for g in groups if groups[g] > 0), key=lambda g: -groups[g])[:3]
        last_nps, last_at = snap.last_nps[i], int(snap.last_response[i])
        out.append(
            AtRiskCustomer(
                customer_id=int(people.ids[c]),
                external_id=people.external_ids[c],
                name=people.names[c],
                segment=people.segments[c],
                risk=round(100 * float(risk[i]), 1),
                last_nps=None if np.isnan(last_nps) else int(last_nps),
                last_response_at=None if last_at < 0 else from_micros(last_at),
                reasons=[
                    Reason(
                        factor=g,
                        value=_reason_value(g, snap, i),
                        contribution=round(groups[g], 3),
                    )
                    for g in top
                ],
            )
        )
    return out


def _reason_value(group: str, snap: Snapshot, i: int) -> int | str | None:
    """The customer's own value behind a reason, in the units people read."""
    row = dict(zip(snap.names, snap.x[i].tolist(), strict=True))
    if group == "last_nps":
        return None if row["no_nps"] else int(row["last_nps"])
    if group == "last_ces":
        return None if row["no_ces"] else int(row["last_ces"])
    if group == "nps_trend":
        return f"{int(row['nps_trend']):+d}"
    if group == "detractor_answers":
        return int(row["detractor_answers"])
    if group == "days_since_response":
        return None if row["never_answered"] else round(math.expm1(row["log_days_since_response"]))
    if group == "responses":
        return round(math.expm1(row["log_responses"]))
    if group == "tenure":
        return round(math.expm1(row["log_tenure_days"]))
    return snap.people.segments[int(snap.customers[i])]
