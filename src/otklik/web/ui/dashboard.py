"""The dashboard page (/dashboard): KPI tiles, trend with CI band, sortable breakdown, exports.

Thin: the numbers come from ``understand.dashboard.build_dashboard``, the same
function behind ``GET /api/v1/metrics/dashboard``. Sorting and filtering are
plain links and a GET form, so the page works without JavaScript; plotly.js
(served from the installed ``plotly`` package, never a CDN) only draws the
chart over numbers that are in the HTML tables too.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from otklik.store.base import utcnow
from otklik.understand.dashboard import DEFAULT_DAYS, PERIOD_DAYS, Dashboard, build_dashboard
from otklik.understand.engine import analytics_engine
from otklik.understand.report_format import export_rows
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)

# The file only: importing plotly itself would cost every web process a second at start-up.
PLOTLY_JS = Path(find_spec("plotly").origin).parent / "package_data" / "plotly.min.js"
FILTER_KEYS = ("touchpoint", "channel", "unit")


def _data(
    request: Request, db, settings, metric, days, by, grain, sort, desc, touchpoint, channel, unit
) -> Dashboard:
    filters = {"touchpoint": touchpoint, "channel": channel, "unit": unit}
    return build_dashboard(
        session=db, now=utcnow(), metric=metric, days=days, by=by, grain=grain,
        filters={k: [v] for k, v in filters.items() if v}, sort=sort, desc=desc,
        engine=analytics_engine(data_dir=settings.data_dir, engine=request.app.state.engine),
        min_n=settings.min_n, lang=request_language(request),
    )  # fmt: skip


Metric = Annotated[Literal["nps", "csat", "ces"], Query()]
Days = Annotated[int, Query(ge=1, le=3660)]
By = Annotated[str, Query(max_length=40)]
Grain = Annotated[Literal["week", "month", "quarter"], Query()]
Sort = Annotated[Literal["label", "n", "value", "change"], Query()]
Code = Annotated[str | None, Query(max_length=64)]


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, db: SessionDep, settings: SettingsDep, user: CurrentUser,
    metric: Metric = "nps", days: Days = DEFAULT_DAYS, by: By = "touchpoint",
    grain: Grain = "month", sort: Sort = "value", desc: bool = False, touchpoint: Code = None,
    channel: Code = None, unit: Code = None,
) -> HTMLResponse:  # fmt: skip
    d = _data(request, db, settings, metric, days, by, grain, sort, desc, touchpoint, channel,
              unit)  # fmt: skip
    state = {"metric": metric, "days": days, "by": by, "grain": grain, "sort": sort,
             "desc": "true" if desc else "", "touchpoint": touchpoint or "",
             "channel": channel or "", "unit": unit or ""}  # fmt: skip

    def link(**change) -> str:
        merged = {**state, **change}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    chart = {
        "periods": [p.period for p in d.trend],
        "value": [p.metric.value for p in d.trend],
        "low": [p.metric.ci_low for p in d.trend],
        "high": [p.metric.ci_high for p in d.trend],
    }
    context = {"d": d, "link": link, "state": state, "periods": PERIOD_DAYS, "chart": chart}
    return render(request, "dashboard.html", context)


@router.get("/dashboard/export.{fmt}")
def dashboard_export(
    request: Request, db: SessionDep, settings: SettingsDep, user: CurrentUser,
    fmt: Literal["csv", "xlsx", "parquet"], metric: Metric = "nps", days: Days = DEFAULT_DAYS,
    by: By = "touchpoint", grain: Grain = "month", sort: Sort = "value", desc: bool = False,
    touchpoint: Code = None, channel: Code = None, unit: Code = None,
) -> Response:  # fmt: skip
    """The breakdown table as a file: the same rows and columns as ``otklik report``."""
    d = _data(request, db, settings, metric, days, by, grain, sort, desc, touchpoint, channel,
              unit)  # fmt: skip
    rows = [r.flat(metric) for r in d.breakdown.rows]
    body, media = export_rows(rows, fmt, columns=[by, "n", "value", "ci_low", "ci_high"])
    name = f"otklik-{metric}-by-{by}-{d.until:%Y%m%d}.{fmt}"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """plotly.js from the installed Python package: no CDN, works offline."""
    return FileResponse(
        PLOTLY_JS, media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )  # fmt: skip
