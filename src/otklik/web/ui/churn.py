"""/churn-risk: the churn model's held-out AUC against a feedback-free baseline and the
customers most likely to leave, with reasons — the same report as ``/api/v1/churn-risk``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from otklik.understand.churn_risk import churn_risk_report
from otklik.web.api.insights import as_of_hour
from otklik.web.deps import CurrentUser, SessionDep
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)

HORIZONS = (30, 90, 180)


@router.get("/churn-risk", response_class=HTMLResponse)
def churn_risk_page(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    horizon_days: Annotated[int, Query(ge=7, le=730)] = 90,
) -> HTMLResponse:
    report = churn_risk_report(session=db, as_of=as_of_hour(), horizon_days=horizon_days, limit=50)
    return render(request, "insights/churn_risk.html", {"report": report, "horizons": HORIZONS})
