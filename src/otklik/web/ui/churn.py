"""/churn-risk: the churn model's held-out AUC against a feedback-free baseline and the
customers most likely to leave, with reasons — the same report as ``/api/v1/churn-risk``.

The page never waits for a training: it shows this hour's model (saved by the worker in
the data directory), asking the worker for a new one when the data changed; without one,
the latest earlier model, or "being trained, refresh in a minute"
(:func:`~otklik.understand.churn_risk.churn_risk_view`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from otklik.jobs import enqueue_churn_training
from otklik.understand.churn_risk import MIN_CHURNERS, churn_risk_view
from otklik.understand.churn_store import models_dir
from otklik.web.api.insights import as_of_hour
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)

HORIZONS = (30, 90, 180)
REFRESH_SECONDS = 30  # while the first model trains, the page reloads itself (no JavaScript)


@router.get("/churn-risk", response_class=HTMLResponse)
def churn_risk_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    horizon_days: Annotated[int, Query(ge=7, le=730)] = 90,
) -> HTMLResponse:
    view = churn_risk_view(
        session=db,
        directory=models_dir(settings.data_dir),
        as_of=as_of_hour(),
        horizon_days=horizon_days,
        limit=50,
        schedule=lambda: enqueue_churn_training(
            request.app.state, horizon_days=horizon_days, min_churners=MIN_CHURNERS
        ),
    )
    context = {
        "report": view.report,
        "view": view,
        "horizon_days": horizon_days,
        "horizons": HORIZONS,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render(request, "insights/churn_risk.html", context)
