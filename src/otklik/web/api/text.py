"""Comment analytics API (/api/v1/text/...): the explorer's comments and key phrases,
theme trend, theme × touchpoint heat-map, taxonomy, corrections, discovered clusters.

Reads: a logged-in user or an API key with ``metrics:read``. Writes: a logged-in
admin or analyst (JSON bodies only, so a cross-site form cannot post them).
Same domain functions as the /comments pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from otklik.access.models import User
from otklik.understand.comments import discovery, explorer
from otklik.understand.comments import taxonomy as tax
from otklik.understand.comments.keywords import keyword_report
from otklik.understand.comments.models import TextCluster, TextTheme
from otklik.web.deps import MetricsReader, SessionDep, require_role
from otklik.web.ui.comments import filters_from

router = APIRouter(prefix="/api/v1/text", tags=["text analytics"])
Editor = require_role("admin", "analyst")
Text = Annotated[str | None, Query(max_length=100)]
Sentiment = Literal["negative", "neutral", "positive"]
Since = Annotated[str | None, Query(max_length=100, description="Period start, ISO date")]
Until = Annotated[
    str | None,
    Query(max_length=100, description="Period end, inclusive (default: newest comment's day)"),
]
Segment = Annotated[str | None, Query(max_length=100, description="The customer's segment")]
Attribute = Annotated[
    str | None,
    Query(max_length=100, description="A customer attribute as name=value, e.g. age_band=18-24"),
]


class ThemeOut(BaseModel):
    id: int
    key: str
    name_ru: str
    name_en: str
    keywords: list[str]
    active: bool
    origin: str


class ThemeIn(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,48}$")
    name_ru: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(min_length=1, max_length=200)


class ThemeUpdate(BaseModel):
    name_ru: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(min_length=1, max_length=200)
    active: bool = True


class LabelsIn(BaseModel):
    sentiment: Sentiment | None = None
    themes: list[str] | None = None


class PromoteIn(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,48}$")
    name_ru: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(default_factory=list, max_length=200)


class KeywordChangeOut(BaseModel):
    phrase: str = Field(description="The most frequent written form")
    lemma: str = Field(description="Dictionary forms: the key that groups word forms")
    documents: int = Field(description="Comments in the period that use the phrase")
    share: float = Field(description="documents / comments in the period (0..1)")
    previous_documents: int
    previous_share: float | None = Field(description="None when the previous period is empty")
    lift: float | None = Field(description="share / previous share, each smoothed by ½ comment")
    log_odds: float | None = Field(description="Log odds ratio now vs before (effect size)")
    z: float | None = Field(description="Two-proportion z test (pooled) of the shares")
    q: float | None = Field(description="p-value, Benjamini–Hochberg adjusted over all phrases")
    significant: bool = Field(description="q < 0.05")


class KeywordReportOut(BaseModel):
    since: date
    until: date = Field(description="Inclusive")
    previous_since: date
    previous_until: date
    comments: int
    previous_comments: int
    sampled: bool = Field(description="A period had too many comments; the newest were used")
    top: list[KeywordChangeOut] = Field(description="Most used phrases now, with their change")
    rising: list[KeywordChangeOut] = Field(description="Significantly more used, strongest first")
    falling: list[KeywordChangeOut] = Field(description="Significantly less used")


def _theme(t: TextTheme) -> ThemeOut:
    return ThemeOut(
        id=t.id, key=t.key, name_ru=t.name_ru, name_en=t.name_en,
        keywords=list(t.keywords), active=t.active, origin=t.origin,
    )  # fmt: skip


@router.get("/comments", summary="Analysed comments (redacted), filtered and paginated")
def list_comments(
    db: SessionDep, reader: MetricsReader, theme: Text = None, sentiment: Sentiment | None = None,
    touchpoint: Text = None, language: Text = None, since: Text = None, until: Text = None,
    q: Text = None, segment: Text = None, attribute: Text = None,
    page: Annotated[int, Query(ge=1)] = 1, per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:  # fmt: skip
    f = filters_from(theme, sentiment, touchpoint, language, since, until, q, segment, attribute)
    result = explorer.explore(session=db, filters=f, page=page, per_page=per_page)
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": [vars(i) for i in result.items],
    }


@router.get(
    "/keywords",
    summary="Key phrases of the filtered comments: top, rising and falling vs the period before",
)
def keywords(
    db: SessionDep, reader: MetricsReader, theme: Text = None, sentiment: Sentiment | None = None,
    touchpoint: Text = None, language: Text = None, since: Since = None, until: Until = None,
    q: Text = None, segment: Segment = None, attribute: Attribute = None,
    top_k: Annotated[int, Query(ge=1, le=50)] = 15,
) -> KeywordReportOut:  # fmt: skip
    """The period is ``since``…``until`` (30 days up to the newest matching comment when
    neither is given); the previous period is as many days just before it, with the other
    filters unchanged. Phrases are counted once per comment, by lemma."""
    f = filters_from(theme, sentiment, touchpoint, language, since, until, q, segment, attribute)
    return KeywordReportOut.model_validate(
        keyword_report(session=db, filters=f, top_k=top_k).to_dict()
    )


@router.get("/trend", summary="Theme mentions per month, with negative and positive ones")
def trend(
    db: SessionDep, reader: MetricsReader, touchpoint: Text = None, language: Text = None,
    since: Text = None, until: Text = None,
) -> dict:  # fmt: skip
    f = filters_from(None, None, touchpoint, language, since, until, None)
    return explorer.theme_trend(session=db, filters=f)


@router.get("/heatmap", summary="Theme × touchpoint: mentions, negative mentions, mean score")
def heatmap(
    db: SessionDep, reader: MetricsReader, language: Text = None, since: Text = None,
    until: Text = None,
) -> dict:  # fmt: skip
    f = filters_from(None, None, None, language, since, until, None)
    data = explorer.theme_touchpoint(session=db, filters=f)
    cells = [{"theme": k, "touchpoint": tp, **v} for (k, tp), v in data["cells"].items()]
    return {"touchpoints": data["touchpoints"], "cells": cells}


@router.get("/themes", summary="The taxonomy")
def themes(db: SessionDep, reader: MetricsReader) -> list[ThemeOut]:
    return [_theme(t) for t in tax.list_themes(session=db)]


@router.post("/themes", status_code=201, summary="Add a theme")
def create_theme(body: ThemeIn, db: SessionDep, user: User = Editor) -> ThemeOut:
    t = tax.create_theme(session=db, **body.model_dump())
    db.commit()
    return _theme(t)


@router.put("/themes/{theme_id}", summary="Edit a theme (names, keywords, active)")
def update_theme(theme_id: int, body: ThemeUpdate, db: SessionDep, user: User = Editor) -> ThemeOut:
    t = tax.update_theme(session=db, theme_id=theme_id, **body.model_dump())
    db.commit()
    return _theme(t)


@router.post("/comments/{response_id}/labels", summary="Correct a comment's sentiment/themes")
def correct(response_id: int, body: LabelsIn, db: SessionDep, user: User = Editor) -> dict:
    c = tax.correct_labels(
        session=db, response_id=response_id, user_id=user.id, sentiment=body.sentiment,
        themes=body.themes,
    )  # fmt: skip
    db.commit()
    return {"id": c.id, "response_id": response_id, "sentiment": c.sentiment, "themes": c.themes}


@router.get("/clusters", summary="Discovered clusters of comments that match no theme")
def clusters(db: SessionDep, reader: MetricsReader) -> list[dict]:
    rows = db.scalars(select(TextCluster).order_by(TextCluster.size.desc()))
    return [
        {"id": c.id, "label": c.label, "size": c.size, "terms": c.terms, "examples": c.examples,
         "promoted_theme_id": c.promoted_theme_id}
        for c in rows
    ]  # fmt: skip


@router.post("/clusters/{cluster_id}/promote", status_code=201, summary="Cluster → theme")
def promote(cluster_id: int, body: PromoteIn, db: SessionDep, user: User = Editor) -> ThemeOut:
    t = discovery.promote_cluster(session=db, cluster_id=cluster_id, **body.model_dump())
    return _theme(t)
