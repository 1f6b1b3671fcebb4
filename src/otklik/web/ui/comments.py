"""Comment analytics pages: explorer (/comments), themes (trend, heat-map, discovered
clusters), taxonomy editor, label correction. Thin: data from
``otklik.understand.comments``, the same functions as /api/v1/text/...; every
page works without JavaScript (plotly.js only draws over the tables)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from otklik.access.models import User
from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Touchpoint
from otklik.understand.comments import discovery, explorer
from otklik.understand.comments import taxonomy as tax
from otklik.understand.comments.keywords import MAX_COMMENTS, keyword_report
from otklik.understand.comments.models import TextCluster
from otklik.web.csrf import CsrfChecked
from otklik.web.deps import CurrentUser, SessionDep, require_role
from otklik.web.ui.i18n import request_language
from otklik.web.ui.linechart import LineChart, line_chart
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)
Editor = require_role("admin", "analyst")
WRITE = [CsrfChecked]
SENTIMENTS = ("negative", "neutral", "positive")
Text = Annotated[str | None, Query(max_length=100)]
_ATTRIBUTE = re.compile(r"^([A-Za-z0-9_]{1,64})=(.{1,100})$")


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be a date like 2026-01-31", field=name) from exc


def _attribute(raw: str | None) -> tuple[str, str] | None:
    if not raw:
        return None
    m = _ATTRIBUTE.match(raw.strip())
    if m is None:
        raise ValidationFailed(
            "attribute must be name=value, the name in latin letters, digits and _",
            field="attribute",
        )
    return m.group(1), m.group(2)


def filters_from(
    theme: str | None, sentiment: str | None, touchpoint: str | None, language: str | None,
    since: str | None, until: str | None, q: str | None, segment: str | None = None,
    attribute: str | None = None,
) -> explorer.CommentFilter:  # fmt: skip
    if sentiment and sentiment not in SENTIMENTS:
        raise ValidationFailed("sentiment must be negative, neutral or positive", field="sentiment")
    start, end = _date(since, "since"), _date(until, "until")
    if start and end and end < start:
        raise ValidationFailed("until must not be before since", field="until")
    return explorer.CommentFilter(
        theme=theme or None, sentiment=sentiment or None, touchpoint=touchpoint or None,
        language=language or None, since=start, until=end, q=q or None,
        segment=segment or None, attribute=_attribute(attribute),
    )  # fmt: skip


def _choices(db) -> dict:
    return {
        "themes": tax.list_themes(session=db),
        "touchpoints": db.execute(
            select(Touchpoint.code, Touchpoint.name).order_by(Touchpoint.name)
        ).all(),
        "sentiments": SENTIMENTS,
        "comment_languages": ("ru", "en", "other"),
        "segments": db.scalars(
            select(Customer.segment).where(Customer.segment.is_not(None)).distinct()
        ).all(),
    }


@router.get("/comments", response_class=HTMLResponse)
def comments_page(
    request: Request, db: SessionDep, user: CurrentUser, theme: Text = None,
    sentiment: Text = None, touchpoint: Text = None, language: Text = None, since: Text = None,
    until: Text = None, q: Text = None, segment: Text = None, attribute: Text = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> HTMLResponse:  # fmt: skip
    f = filters_from(theme, sentiment, touchpoint, language, since, until, q, segment, attribute)
    state = {"theme": theme, "sentiment": sentiment, "touchpoint": touchpoint,
             "language": language, "since": since, "until": until, "q": q, "segment": segment,
             "attribute": attribute}  # fmt: skip
    result = explorer.explore(session=db, filters=f, page=page)
    keywords = keyword_report(session=db, filters=f)
    end = keywords.until
    ranges = [(d, (end - timedelta(days=d - 1)).isoformat(), end.isoformat()) for d in (7, 30, 90)]

    def link(**change) -> str:
        merged = {**state, **change}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    ctx = {"result": result, "keywords": keywords, "kw_ranges": ranges,
           "max_comments": MAX_COMMENTS, "state": state, "link": link, **_choices(db)}  # fmt: skip
    return render(request, "comments/explorer.html", ctx)


@router.get("/comments/themes", response_class=HTMLResponse)
def themes_page(
    request: Request, db: SessionDep, user: CurrentUser, touchpoint: Text = None,
    language: Text = None, since: Text = None, until: Text = None,
) -> HTMLResponse:  # fmt: skip
    f = filters_from(None, None, touchpoint, language, since, until, None)
    trend = explorer.theme_trend(session=db, filters=f)
    heat = explorer.theme_touchpoint(session=db, filters=f)
    clusters = db.scalars(select(TextCluster).order_by(TextCluster.size.desc())).all()
    state = {"touchpoint": touchpoint, "language": language, "since": since, "until": until}
    choices = _choices(db)
    lang = request_language(request)
    names = {th.key: th.name_ru if lang == "ru" else th.name_en for th in choices["themes"]}
    ctx = {"trend": trend, "heat": heat, "clusters": clusters, "state": state,
           "charts": trend_charts(trend, names), "names": names, "net_sentiment": net_sentiment,
           "net_min": NET_MIN_MENTIONS, **choices}  # fmt: skip
    return render(request, "comments/themes.html", ctx)


NET_MIN_MENTIONS = 3  # net sentiment of fewer mentions is noise, not a trend


def net_sentiment(positive: int, negative: int, n: int) -> float | None:
    """% positive − % negative mentions (−100 … +100), None below NET_MIN_MENTIONS."""
    return round(100 * (positive - negative) / n) if n >= NET_MIN_MENTIONS else None


def trend_charts(trend: dict, names: dict[str, str]) -> dict[str, LineChart]:
    """The theme trend as two server-drawn charts: share of comments, net sentiment."""
    totals = trend["totals"]
    order = sorted(trend["themes"], key=lambda k: -sum(trend["themes"][k]["count"]))
    share, net = [], []
    for key in order:
        s, label = trend["themes"][key], names.get(key, key)
        cells = list(zip(s["count"], s["negative"], s["positive"], totals, strict=True))
        share.append((label, [round(100 * c / t, 1) if t else None for c, _, _, t in cells]))
        net.append((label, [net_sentiment(p, n, c) for c, n, p, _ in cells]))
    return {
        "share": line_chart(trend["months"], share, y_min=0, suffix="%"),
        "net": line_chart(trend["months"], net, y_min=-100, y_max=100),
    }


@router.get("/comments/taxonomy", response_class=HTMLResponse)
def taxonomy_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    ctx = {"themes": tax.list_themes(session=db), "missing": tax.missing_defaults(session=db)}
    return render(request, "comments/taxonomy.html", ctx)


def _back(request: Request, default: str) -> RedirectResponse:
    # Only a local path: never redirect elsewhere.
    target = request.headers.get("referer", "")
    path = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else default
    return RedirectResponse(path if path.startswith("/comments") else default, status_code=303)


def _error(request: Request, db, exc: ValidationFailed) -> HTMLResponse:
    ctx = {"themes": tax.list_themes(session=db), "missing": [], "error": str(exc)}
    return render(request, "comments/taxonomy.html", ctx, status_code=422)


@router.post("/comments/taxonomy", dependencies=WRITE)
async def taxonomy_create(request: Request, db: SessionDep, user: User = Editor):
    form = await request.form()
    try:
        tax.create_theme(
            session=db, key=str(form.get("key", "")), name_ru=str(form.get("name_ru", "")),
            name_en=str(form.get("name_en", "")), keywords=str(form.get("keywords", "")),
        )  # fmt: skip
    except ValidationFailed as exc:
        db.rollback()
        return _error(request, db, exc)
    db.commit()
    return RedirectResponse("/comments/taxonomy", status_code=303)


@router.post("/comments/taxonomy/defaults", dependencies=WRITE)
async def taxonomy_defaults(request: Request, db: SessionDep, user: User = Editor):
    tax.add_defaults(session=db)
    db.commit()
    return RedirectResponse("/comments/taxonomy", status_code=303)


@router.post("/comments/taxonomy/{theme_id}", dependencies=WRITE)
async def taxonomy_update(request: Request, theme_id: int, db: SessionDep, user: User = Editor):
    form = await request.form()
    try:
        tax.update_theme(
            session=db, theme_id=theme_id, name_ru=str(form.get("name_ru", "")),
            name_en=str(form.get("name_en", "")), keywords=str(form.get("keywords", "")),
            active=form.get("active") == "on",
        )  # fmt: skip
    except ValidationFailed as exc:
        db.rollback()
        return _error(request, db, exc)
    db.commit()
    return RedirectResponse("/comments/taxonomy", status_code=303)


@router.post("/comments/{response_id}/labels", dependencies=WRITE)
async def correct(request: Request, response_id: int, db: SessionDep, user: User = Editor):
    form = await request.form()
    sentiment = str(form.get("sentiment", "")) or None
    themes = [str(k) for k in form.getlist("themes")] if form.get("themes_sent") else None
    tax.correct_labels(
        session=db, response_id=response_id, user_id=user.id, sentiment=sentiment, themes=themes
    )
    db.commit()
    return _back(request, "/comments")


@router.post("/comments/discover", dependencies=WRITE)
async def discover(request: Request, db: SessionDep, user: User = Editor):
    discovery.discover_themes(session=db)
    return RedirectResponse("/comments/themes#clusters", status_code=303)


@router.post("/comments/clusters/{cluster_id}/promote", dependencies=WRITE)
async def promote(request: Request, cluster_id: int, db: SessionDep, user: User = Editor):
    form = await request.form()
    discovery.promote_cluster(
        session=db, cluster_id=cluster_id, key=str(form.get("key", "")),
        name_ru=str(form.get("name_ru", "")), name_en=str(form.get("name_en", "")),
        keywords=tax.parse_keywords(str(form.get("keywords", ""))),
    )  # fmt: skip
    return RedirectResponse("/comments/taxonomy", status_code=303)
