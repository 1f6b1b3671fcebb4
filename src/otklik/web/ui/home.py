"""The home page: the overview a CX lead sees first (NPS with n and 95 % CI, per touchpoint).

Thin: the numbers come from ``understand.overview.build_overview``, the same
function behind ``GET /api/v1/metrics/overview``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from otklik.store.base import utcnow
from otklik.understand.engine import analytics_engine
from otklik.understand.overview import MAX_DAYS, build_overview
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)

PERIODS = (30, 90, 365)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 90,
) -> HTMLResponse:
    overview = build_overview(
        session=db,
        now=utcnow(),
        days=days,
        lang=request_language(request),
        min_n=settings.min_n,
        engine=analytics_engine(data_dir=settings.data_dir, engine=request.app.state.engine),
    )
    return render(request, "home.html", {"overview": overview, "periods": PERIODS})
