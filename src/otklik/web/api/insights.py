"""Retention, cohorts, key drivers and churn risk as JSON — the data behind /retention,
/drivers and /churn-risk. Session-cookie authentication, like the other metrics endpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from otklik.jobs import enqueue_churn_training
from otklik.store.base import utcnow
from otklik.understand.churn_risk import (
    MIN_CHURNERS,
    ChurnRiskReport,
    churn_risk_view,
    current_hour,
)
from otklik.understand.churn_store import models_dir
from otklik.understand.drivers import DriverReport, driver_report
from otklik.understand.retention import (
    ChurnByNps,
    CohortTable,
    RetentionSeries,
    churn_by_nps,
    cohort_table,
    retention_series,
)
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language

router = APIRouter(prefix="/api/v1", tags=["insights"])

NOT_LOGGED_IN = {
    401: {"description": "Not logged in (the web UI's session cookie authenticates this)."}
}


class RetentionReport(BaseModel):
    retention: RetentionSeries
    churn_by_nps: ChurnByNps


RETRY_AFTER_SECONDS = 60


def as_of_hour():
    """Now, to the hour: reports (and the churn model) stay stable within the hour."""
    return current_hour()


@router.get(
    "/retention",
    response_model=RetentionReport,
    summary="Retention and churn per period, and churn by NPS category",
    responses=NOT_LOGGED_IN,
)
def retention(
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    period: Annotated[Literal["month", "quarter"], Query(description="Period length.")] = "month",
    periods: Annotated[int, Query(ge=1, le=120, description="Complete periods to show.")] = 12,
) -> RetentionReport:
    """For each complete period: S (active at the start), E (active at the end), N (new),
    retention rate ((E − N) / S) × 100 and churn rate (lost / S, Wilson 95 % interval).
    `churn_by_nps` groups customers by their latest NPS answer and tests whether detractors
    leave more often than promoters (two-proportion z test)."""
    as_of = as_of_hour()
    return RetentionReport(
        retention=retention_series(session=db, as_of=as_of, period=period, periods=periods),
        churn_by_nps=churn_by_nps(session=db, as_of=as_of, min_n=settings.min_n),
    )


@router.get(
    "/cohorts",
    response_model=CohortTable,
    summary="Cohort retention table by acquisition month, with NPS per cohort",
    responses=NOT_LOGGED_IN,
)
def cohorts(
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    months: Annotated[int, Query(ge=1, le=120, description="Cohorts (and ages) shown.")] = 12,
) -> CohortTable:
    """One row per acquisition month (the current month last); `retention[k]` is the percent
    of the cohort still active at the end of month k after acquisition, null while that month
    has not ended."""
    return cohort_table(session=db, as_of=as_of_hour(), months=months, min_n=settings.min_n)


@router.get(
    "/drivers",
    response_model=DriverReport,
    summary="Key drivers of NPS or CSAT (Johnson's relative weights)",
    responses=NOT_LOGGED_IN,
)
def drivers(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    outcome: Annotated[
        Literal["nps", "promoter", "csat"],
        Query(description="nps: the 0–10 score; promoter: 9–10 or not; csat: the 1–5 score."),
    ] = "nps",
    days: Annotated[int, Query(ge=7, le=3660, description="Responses of the last N days.")] = 365,
    touchpoint: Annotated[
        str | None, Query(max_length=64, description="Only this touchpoint (its code).")
    ] = None,
    lang: Annotated[Literal["ru", "en"] | None, Query(description="Label language.")] = None,
) -> DriverReport:
    """Shares of the explained variance (R²) per driver, signed by the direction of the
    effect, summing to 100 in absolute value; each driver's performance (NPS or CSAT top-2 %
    among the responses it applies to) and its impact × performance quadrant."""
    now = utcnow()
    return driver_report(
        session=db,
        since=now - timedelta(days=days),
        until=now,
        outcome=outcome,
        touchpoint=touchpoint or None,
        min_n=settings.min_n,
        lang=lang or request_language(request),
    )


@router.get(
    "/churn-risk",
    response_model=ChurnRiskReport,
    summary="Churn-risk model: held-out AUC vs a feedback-free baseline, at-risk customers",
    responses={
        **NOT_LOGGED_IN,
        503: {"description": "No model yet: it is being trained; retry after Retry-After s."},
    },
)
def churn_risk(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    horizon_days: Annotated[
        int, Query(ge=7, le=730, description="Predict leaving within this many days.")
    ] = 90,
    limit: Annotated[int, Query(ge=1, le=500, description="At-risk customers listed.")] = 50,
) -> ChurnRiskReport:
    """A logistic regression on feedback (last NPS, trend, detractor answers, last CES,
    recency, number of responses) and lifecycle (tenure, segment), trained on the snapshot
    2·horizon ago and evaluated on the one a horizon ago. With fewer than 50 churners in
    the training window `enough_data` is false and nothing is ranked.

    The model is trained by the worker and saved for every process. When the data changed
    since, the worker is asked for a new one, and meanwhile this hour's model is returned,
    else the latest earlier one (its `as_of` says which), else 503 with `Retry-After`;
    never with customers who erased their answers since. Small installations are trained
    at once."""
    view = churn_risk_view(
        session=db,
        directory=models_dir(settings.data_dir),
        as_of=as_of_hour(),
        horizon_days=horizon_days,
        limit=limit,
        schedule=lambda: enqueue_churn_training(
            request.app.state, horizon_days=horizon_days, min_churners=MIN_CHURNERS
        ),
    )
    if view.report is None:
        raise HTTPException(
            status_code=503,
            detail="the churn model is being trained; retry in a minute",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return view.report
