"""Journey pages: the list, the live map (/journeys/{slug}/map), its exports (SVG, PNG, PDF,
Mermaid) and the drill-down to responses.

Thin: the numbers come from ``understand.journey.build_journey_map``, the same
function behind ``GET /api/v1/journeys/{slug}/map``. Period choice and
comparison are GET parameters, so the page works without JavaScript.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from otklik.errors import NotFound
from otklik.listen import journeys as domain
from otklik.listen.models import Response as Answer
from otklik.listen.models import Stage
from otklik.store.base import utcnow
from otklik.understand.engine import analytics_engine
from otklik.understand.journey import DEFAULT_DAYS, JourneyMap, build_journey_map
from otklik.understand.journey_export import (
    headline,
    render_mermaid,
    render_pdf,
    render_png,
    render_svg,
)
from otklik.understand.report import trend
from otklik.understand.text.pii import redact
from otklik.web.deps import CurrentUser, SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language, translate
from otklik.web.ui.journey_params import day_range
from otklik.web.ui.templating import render

router = APIRouter(prefix="/journeys", include_in_schema=False)

PERIODS = (30, 90, 120, 180, 365)
PAGE = 50
Days = Annotated[int, Query(ge=1, le=3660)]
Day = Annotated[date | None, Query()]


def _map(request: Request, db, settings, slug, days, date_from, date_to, c_from, c_to):
    since, until = day_range(date_from, date_to)
    c_since, c_until = day_range(c_from, c_to)
    return build_journey_map(
        session=db,
        slug=slug,
        now=utcnow(),
        days=days,
        since=since,
        until=until,
        compare_since=c_since,
        compare_until=c_until,
        min_n=settings.min_n,
        lang=request_language(request),
        engine=analytics_engine(data_dir=settings.data_dir, engine=request.app.state.engine),
    )


@router.get("", response_class=HTMLResponse)
def journey_list(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    flash = request.session.pop("flash", [])
    ctx = {
        "journeys": domain.list_journeys(session=db),
        "flash": flash,
        "can_edit": user.role in ("admin", "analyst"),
    }
    return render(request, "journeys/list.html", ctx)


@router.get("/{slug}/map", response_class=HTMLResponse)
def journey_map(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    slug: str,
    days: Days = DEFAULT_DAYS,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    compare_from: Day = None,
    compare_to: Day = None,
) -> HTMLResponse:
    m = _map(request, db, settings, slug, days, date_from, date_to, compare_from, compare_to)
    state = {
        "days": days,
        "from": date_from or "",
        "to": date_to or "",
        "compare_from": compare_from or "",
        "compare_to": compare_to or "",
    }

    def link(**change) -> str:
        merged = {**state, **change}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    lang = request_language(request)
    ctx = {
        "m": m,
        "state": state,
        "link": link,
        "periods": PERIODS,
        "headline": headline,
        "curve": _curve(m),
        "period": urlencode({k: state[k] for k in ("days", "from", "to") if state[k]}),
        "can_edit": user.role in ("admin", "analyst"),
        "has_comments": any(getattr(r, "path", "") == "/comments" for r in request.app.routes),
        "svg_t": lambda key, **kw: translate(key, lang, **kw),
    }
    return render(request, "journeys/map.html", ctx)


def _curve(m: JourneyMap) -> dict:
    """The emotion curve in a 0…100 × 0…100 box, one column per stage (drawn by the template
    with preserveAspectRatio=none, so it spans exactly the stage columns)."""
    n = max(len(m.stages), 1)

    def y(v: float) -> float:
        return round(50 - v * 22.5, 2)  # −2…+2 → 95…5

    pts = [
        ((i + 0.5) * 100 / n, s.emotion)
        for i, s in enumerate(m.stages)
        if s.emotion.value is not None
    ]
    upper = [f"{x:.2f},{y(e.high if e.high is not None else e.value)}" for x, e in pts]
    lower = [f"{x:.2f},{y(e.low if e.low is not None else e.value)}" for x, e in pts]
    return {
        "band": " ".join(upper + lower[::-1]),
        "line": " ".join(f"{x:.2f},{y(e.value)}" for x, e in pts),
        "points": [(x, y(e.value), e.value) for x, e in pts],
        "zero": y(0),
    }


@router.get("/{slug}/map.{fmt}")
async def journey_map_export(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    slug: str,
    fmt: Literal["svg", "png", "pdf", "mmd"],
    days: Days = DEFAULT_DAYS,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    compare_from: Day = None,
    compare_to: Day = None,
) -> Response:
    """The map as a file; PNG and PDF are rendered from the SVG (cairosvg) off the event loop."""
    m = await run_in_threadpool(
        _map, request, db, settings, slug, days, date_from, date_to, compare_from, compare_to
    )
    lang = request_language(request)
    name = f"journey-{m.slug}-{m.until:%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "mmd":
        return Response(render_mermaid(m), media_type="text/plain; charset=utf-8", headers=headers)
    svg = render_svg(m, t=lambda key, **kw: translate(key, lang, **kw))
    if fmt == "svg":
        return Response(svg, media_type="image/svg+xml", headers=headers)
    if fmt == "png":
        return Response(
            await run_in_threadpool(render_png, svg), media_type="image/png", headers=headers
        )
    return Response(
        await run_in_threadpool(render_pdf, svg), media_type="application/pdf", headers=headers
    )


@router.get("/{slug}/responses", response_class=HTMLResponse)
def journey_responses(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    slug: str,
    touchpoint: Annotated[str | None, Query(max_length=64)] = None,
    stage: Annotated[int | None, Query()] = None,
    unhappy: bool = False,
    with_comment: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    days: Days = DEFAULT_DAYS,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    """Drill-down: the responses behind a touchpoint or stage, newest first, with its trend."""
    journey = domain.get_journey(session=db, slug=slug)
    lang = request_language(request)
    tps = {t.id: t for s in journey.stages for t in s.touchpoints}
    label, filters = journey.name_i18n.get(lang) or journey.name, {"journey": [slug]}
    wanted = list(tps)
    if touchpoint:
        tp = next((t for t in tps.values() if t.code == touchpoint), None)
        if tp is None:
            domain.touchpoint_on_journey(db, journey, touchpoint)  # raises a clear 422
        wanted, filters = [tp.id], {"touchpoint": [touchpoint]}
        label = (tp.name_i18n or {}).get(lang) or tp.name
    elif stage is not None:
        st = db.get(Stage, stage)
        if st is None or st.journey_id != journey.id:
            raise NotFound(f"stage {stage} is not on this journey")
        wanted, filters = [t.id for t in st.touchpoints], {"stage": [str(stage)]}
        label = (st.name_i18n or {}).get(lang) or st.name
    since, now = day_range(date_from, date_to)
    now = now or utcnow()
    since = since or now - timedelta(days=days)
    cond = [
        Answer.touchpoint_id.in_(wanted or [-1]),
        Answer.submitted_at >= since,
        Answer.submitted_at < now,
    ]
    if unhappy:
        cond.append((Answer.nps <= 6) | (Answer.csat <= 3) | (Answer.ces <= 3))
    if with_comment:
        cond.append(Answer.comment.is_not(None) & (Answer.comment != ""))
    total = db.scalar(select(func.count()).select_from(Answer).where(*cond)) or 0
    rows = db.scalars(
        select(Answer)
        .where(*cond)
        .order_by(Answer.submitted_at.desc(), Answer.id.desc())
        .offset((page - 1) * PAGE)
        .limit(PAGE)
    ).all()
    names = {i: (t.name_i18n or {}).get(lang) or t.name for i, t in tps.items()}
    items = [
        {
            "r": r,
            "touchpoint": names.get(r.touchpoint_id, ""),
            "comment": redact(r.comment).text if r.comment else "",
        }
        for r in rows
    ]
    series = trend(
        session=db,
        metric="nps",
        grain="month",
        since=now - timedelta(days=365),
        until=now,
        filters=filters,
        min_n=settings.min_n,
        engine=analytics_engine(data_dir=settings.data_dir, engine=request.app.state.engine),
    )
    state = {
        "touchpoint": touchpoint or "",
        "stage": stage or "",
        "days": days,
        "unhappy": "true" if unhappy else "",
        "with_comment": "true" if with_comment else "",
    }

    def link(**change) -> str:
        merged = {**state, **change}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    ctx = {
        "journey": journey,
        "slug": slug,
        "label": label,
        "items": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "trend": series,
        "state": state,
        "link": link,
        "since": since,
        "until": now,
        "min_n": settings.min_n,
        "has_comments": any(getattr(r, "path", "") == "/comments" for r in request.app.routes),
    }
    return render(request, "journeys/responses.html", ctx)
