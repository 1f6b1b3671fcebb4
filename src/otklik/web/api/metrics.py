"""Metrics as JSON: the same data the UI pages render.

``/overview`` authenticates with the web UI's session cookie. The other
endpoints accept the session or an API key with the ``metrics:read`` scope
(for BI tools and notebooks); ingestion keys do not read metrics. Every
endpoint reads through the analytics engine, so numbers match the pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from otklik.errors import ValidationFailed
from otklik.store.base import utcnow
from otklik.understand.dashboard import DEFAULT_DAYS, Dashboard, build_dashboard
from otklik.understand.engine import analytics_engine
from otklik.understand.metrics import validate_by
from otklik.understand.overview import MAX_DAYS, Overview, build_overview
from otklik.understand.report import Breakdown, TrendPoint, breakdown, trend
from otklik.web.deps import CurrentUser, MetricsReader, SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


@router.get(
    "/overview",
    response_model=Overview,
    summary="NPS overview, overall and per touchpoint",
    responses={
        401: {
            "description": "Not logged in (log in at /login; the session cookie "
            "authenticates this endpoint)."
        }
    },
)
def overview(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    days: Annotated[
        int, Query(ge=1, le=MAX_DAYS, description="Length of the period ending now, in days.")
    ] = 90,
    lang: Annotated[
        Literal["ru", "en"] | None,
        Query(description="Language of touchpoint and stage names; default: the user's."),
    ] = None,
) -> Overview:
    """The home page's numbers: responses and NPS over the last `days` days, overall and for
    every touchpoint in journey order.

    NPS is shown with its 95 % adjusted-Wald interval. Where a group has fewer than
    `min_n` NPS answers (setting `OTKLIK_MIN_N`), `enough_data` is false and `value`,
    `ci_low`, `ci_high` are null; the counts are always given. The row with `code`
    null holds responses that name no touchpoint.
    """
    return build_overview(
        session=db,
        now=utcnow(),
        days=days,
        lang=lang or request_language(request),
        min_n=settings.min_n,
        engine=analytics_engine(data_dir=settings.data_dir, engine=request.app.state.engine),
    )


# --- Breakdowns, trends, comparisons, the dashboard ------------------------------------------

_AUTH_DOC = {
    401: {"description": "Neither a session nor an API key."},
    403: {"description": "The API key lacks the `metrics:read` scope."},
    422: {"description": "A parameter is invalid; `loc` names it."},
}
MetricName = Literal["nps", "csat", "ces"]


def metric_filters(
    touchpoint: Annotated[list[str], Query(description="Touchpoint codes.")] = (),
    channel: Annotated[list[str], Query(description="Channels (web, app, branch …).")] = (),
    unit: Annotated[list[str], Query(description="Unit codes: the unit and all below it.")] = (),
    survey: Annotated[list[str], Query(description="Survey slugs.")] = (),
    journey: Annotated[list[str], Query(description="Journey slugs.")] = (),
    stage: Annotated[list[str], Query(description="Stage ids.")] = (),
    segment: Annotated[list[str], Query(description="Customer segments.")] = (),
    language: Annotated[list[str], Query(description="Response languages.")] = (),
    source: Annotated[list[str], Query(description="Response sources.")] = (),
) -> dict[str, list[str]]:
    """Filters shared by every metrics endpoint (repeat a parameter for several values)."""
    found = {
        "touchpoint": touchpoint, "channel": channel, "unit": unit, "survey": survey,
        "journey": journey, "stage": stage, "segment": segment, "language": language,
        "source": source,
    }  # fmt: skip
    return {k: list(v) for k, v in found.items() if v}


Filters = Annotated[dict[str, list[str]], Depends(metric_filters)]


def _engine(request: Request):
    from otklik.understand.engine import analytics_engine

    return analytics_engine(
        data_dir=request.app.state.settings.data_dir, engine=request.app.state.engine
    )


def _range(date_from: date | None, date_to: date | None, default_days: int = 90):
    """Whole UTC days; ``to`` is inclusive."""
    end = date_to or utcnow().date()
    start = date_from or end - timedelta(days=default_days - 1)
    if start > end:
        raise ValidationFailed("from must not be after to", field="from")
    since = datetime(start.year, start.month, start.day, tzinfo=UTC)
    return since, datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)


def _by(by: str) -> tuple[str, ...]:
    return validate_by([d.strip() for d in by.split(",") if d.strip()])


@router.get("/breakdown", response_model=Breakdown, responses=_AUTH_DOC,
            summary="A metric per group, with change vs the previous period")  # fmt: skip
def get_breakdown(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    reader: MetricsReader,
    filters: Filters,
    metric: MetricName = "nps",
    by: Annotated[str, Query(description="Comma-separated: touchpoint,month …")] = "",
    date_from: Annotated[date | None, Query(alias="from", description="First day (UTC).")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day, inclusive.")] = None,
    compare: Annotated[
        bool, Query(description="Compare with the equally long period before.")
    ] = True,
    lang: Annotated[Literal["ru", "en"], Query(description="Language of labels.")] = "en",
) -> Breakdown:
    """Counts, value and 95 % CI per group (NPS adjusted-Wald, CSAT Wilson, CES t). With
    `compare`, each row has its change, p-value, Benjamini–Hochberg q-value and
    `significant` (q < 0.05). Values are null below `min_n` answers."""
    since, until = _range(date_from, date_to)
    return breakdown(
        session=db, metric=metric, since=since, until=until, by=_by(by), filters=filters,
        compare_since=since - (until - since) if compare else None, engine=_engine(request),
        min_n=settings.min_n, lang=lang,
    )  # fmt: skip


@router.get("/trend", response_model=list[TrendPoint], responses=_AUTH_DOC,
            summary="A metric per period (day, week, month, quarter)")  # fmt: skip
def get_trend(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    reader: MetricsReader,
    filters: Filters,
    metric: MetricName = "nps",
    grain: Literal["day", "week", "month", "quarter"] = "month",
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> list[TrendPoint]:
    """Every period from `from` to `to` (default: the last 365 days), empty ones included."""
    since, until = _range(date_from, date_to, default_days=365)
    return trend(session=db, metric=metric, grain=grain, since=since, until=until,
                 filters=filters, engine=_engine(request), min_n=settings.min_n)  # fmt: skip


@router.get("/compare", response_model=Breakdown, responses=_AUTH_DOC,
            summary="Two explicit periods compared, per group")  # fmt: skip
def get_compare(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    reader: MetricsReader,
    filters: Filters,
    current_from: date,
    current_to: date,
    previous_from: date,
    previous_to: date,
    metric: MetricName = "nps",
    by: Annotated[str, Query(description="Comma-separated dimensions.")] = "",
    lang: Literal["ru", "en"] = "en",
) -> Breakdown:
    """The current period against the previous one (both days inclusive), with tests and
    Benjamini–Hochberg q-values across groups."""
    since, until = _range(current_from, current_to)
    prev_since, prev_until = _range(previous_from, previous_to)
    return breakdown(
        session=db, metric=metric, since=since, until=until, by=_by(by), filters=filters,
        compare_since=prev_since, compare_until=prev_until, engine=_engine(request),
        min_n=settings.min_n, lang=lang,
    )  # fmt: skip


@router.get("/dashboard", response_model=Dashboard, responses=_AUTH_DOC,
            summary="The dashboard page's data")  # fmt: skip
def get_dashboard(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    reader: MetricsReader,
    filters: Filters,
    metric: MetricName = "nps",
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS,
    by: str = "touchpoint",
    grain: Literal["week", "month", "quarter"] = "month",
    sort: Literal["label", "n", "value", "change"] = "value",
    desc: bool = False,
    lang: Literal["ru", "en"] = "en",
) -> Dashboard:
    """KPI tiles (NPS, CSAT, CES with change vs the previous `days`), the trend, and the
    breakdown `by` one dimension — exactly what /dashboard renders."""
    return build_dashboard(
        session=db, now=utcnow(), metric=metric, days=days, by=by, grain=grain,
        filters=filters, sort=sort, desc=desc, engine=_engine(request), min_n=settings.min_n,
        lang=lang,
    )  # fmt: skip
