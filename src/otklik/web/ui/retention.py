"""/retention: retention and churn per period, the cohort heat-map, churn by NPS category.

Thin: the page renders the same domain functions as ``/api/v1/retention`` and
``/api/v1/cohorts``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from otklik.understand.retention import churn_by_nps, cohort_table, retention_series
from otklik.web.api.insights import as_of_hour
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)


def heat(value: float | None, low: float, high: float) -> str:
    """Inline style of a heat-map cell: darker green for higher retention; blank if None."""
    if value is None:
        return ""
    share = 1.0 if high <= low else max(0.0, min(1.0, (value - low) / (high - low)))
    lightness = 94 - 52 * share
    ink = "#fff" if lightness < 60 else "#14261b"
    return f"background:hsl(152,48%,{lightness:.0f}%);color:{ink}"


@router.get("/retention", response_class=HTMLResponse)
def retention_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    period: Annotated[Literal["month", "quarter"], Query()] = "month",
    months: Annotated[int, Query(ge=2, le=36)] = 12,
) -> HTMLResponse:
    as_of = as_of_hour()
    periods = months if period == "month" else max(1, months // 3)
    series = retention_series(session=db, as_of=as_of, period=period, periods=periods)
    cohorts = cohort_table(session=db, as_of=as_of, months=months, min_n=settings.min_n)
    by_nps = churn_by_nps(session=db, as_of=as_of, min_n=settings.min_n)
    values = [v for row in cohorts.cohorts for v in row.retention if v is not None]
    context = {
        "series": series,
        "cohorts": cohorts,
        "by_nps": by_nps,
        "period": period,
        "months": months,
        "heat": lambda v: heat(v, min(values, default=0.0), max(values, default=100.0)),
    }
    return render(request, "insights/retention.html", context)
