"""Read side of comment analytics: the explorer's page of comments, the theme
trend and the theme × touchpoint heat-map. One data function per view, shared
by the HTML pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from otklik.listen.models import Customer, Response, Touchpoint
from otklik.understand.comments.models import ResponseText, ResponseTheme, TextTheme
from otklik.understand.sqlfuncs import json_text

PER_PAGE = 50


@dataclass(frozen=True)
class CommentFilter:
    theme: str | None = None
    sentiment: str | None = None
    touchpoint: str | None = None  # touchpoint code
    language: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    q: str | None = None
    segment: str | None = None  # the customer's segment
    attribute: tuple[str, str] | None = None  # a customer attribute: (name, value as text)

    def conditions(self, session: Session) -> list:
        cond = []
        if self.segment or self.attribute:
            who = select(Customer.id)
            if self.segment:
                who = who.where(Customer.segment == self.segment)
            if self.attribute:
                name, value = self.attribute
                who = who.where(json_text(Customer.attributes, name) == value)
            cond.append(Response.customer_id.in_(who))
        if self.sentiment:
            cond.append(ResponseText.sentiment == self.sentiment)
        if self.language:
            cond.append(ResponseText.language == self.language)
        if self.since:
            cond.append(Response.submitted_at >= datetime.combine(self.since, time(), UTC))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            cond.append(Response.submitted_at < end)
        if self.touchpoint:
            cond.append(
                Response.touchpoint_id.in_(
                    select(Touchpoint.id).where(Touchpoint.code == self.touchpoint)
                )
            )
        if self.theme:
            cond.append(
                ResponseText.response_id.in_(
                    select(ResponseTheme.response_id)
                    .join(TextTheme, TextTheme.id == ResponseTheme.theme_id)
                    .where(TextTheme.key == self.theme)
                )
            )
        if self.q and self.q.strip():
            # LIKE folds only ASCII case in SQLite: try the text as typed, lower and capitalised.
            q = self.q.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            variants = {q, q.lower(), q.capitalize()}
            cond.append(
                or_(*(ResponseText.redacted_text.like(f"%{v}%", escape="\\") for v in variants))
            )
        return cond


@dataclass
class CommentRow:
    id: int
    submitted_at: datetime
    touchpoint: str | None
    language: str
    sentiment: str
    score: float
    text: str
    corrected: bool
    themes: list[dict] = field(default_factory=list)  # key, name_ru, name_en, sentiment


@dataclass
class CommentPage:
    items: list[CommentRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def explore(
    *, session: Session, filters: CommentFilter, page: int = 1, per_page: int = PER_PAGE
) -> CommentPage:
    base = (
        select(ResponseText, Response.submitted_at, Touchpoint.name)
        .join(Response, Response.id == ResponseText.response_id)
        .outerjoin(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .where(*filters.conditions(session))
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        base.order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        CommentRow(
            rt.response_id,
            at,
            tp,
            rt.language,
            rt.sentiment,
            rt.sentiment_score,
            rt.redacted_text,
            rt.corrected,
        )
        for rt, at, tp in rows
    ]
    by_id = {i.id: i for i in items}
    if by_id:
        for rid, key, ru, en, sent in session.execute(
            select(
                ResponseTheme.response_id,
                TextTheme.key,
                TextTheme.name_ru,
                TextTheme.name_en,
                ResponseTheme.sentiment,
            )
            .join(TextTheme, TextTheme.id == ResponseTheme.theme_id)
            .where(ResponseTheme.response_id.in_(list(by_id)))
            .order_by(TextTheme.id)
        ):
            by_id[rid].themes.append({"key": key, "name_ru": ru, "name_en": en, "sentiment": sent})
    return CommentPage(items, total, page, per_page)


def _month(d: datetime) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def theme_trend(*, session: Session, filters: CommentFilter) -> dict:
    """Per month: analysed comments, and per theme the mentions, negative and positive ones.

    Positive mentions are there for improvement: when a fixed problem turns
    complaints into praise, the negative count alone barely moves (mixed comments
    keep complaining), but net sentiment (positive − negative) does.
    """
    cond = filters.conditions(session)
    totals: dict[str, int] = {}
    for (at,) in session.execute(
        select(Response.submitted_at)
        .join(ResponseText, ResponseText.response_id == Response.id)
        .where(*cond)
    ):
        totals[_month(at)] = totals.get(_month(at), 0) + 1
    series: dict[str, dict[str, list[int]]] = {}
    for key, at, sent in session.execute(
        select(TextTheme.key, Response.submitted_at, ResponseTheme.sentiment)
        .join(ResponseTheme, ResponseTheme.theme_id == TextTheme.id)
        .join(Response, Response.id == ResponseTheme.response_id)
        .join(ResponseText, ResponseText.response_id == Response.id)
        .where(*cond)
    ):
        cell = series.setdefault(key, {}).setdefault(_month(at), [0, 0, 0])
        cell[0] += 1
        cell[1] += sent == "negative"
        cell[2] += sent == "positive"
    months = sorted(totals)
    return {
        "months": months,
        "totals": [totals[m] for m in months],
        "themes": {
            k: {
                name: [v.get(m, [0, 0, 0])[i] for m in months]
                for i, name in enumerate(("count", "negative", "positive"))
            }
            for k, v in series.items()
        },
    }


def theme_touchpoint(*, session: Session, filters: CommentFilter) -> dict:
    """Theme × touchpoint: mentions, negative mentions and mean aspect sentiment."""
    rows = session.execute(
        select(
            TextTheme.key,
            Touchpoint.code,
            Touchpoint.name,
            func.count(),
            func.sum(case((ResponseTheme.sentiment == "negative", 1), else_=0)),
            func.avg(ResponseTheme.sentiment_score),
        )
        .join(ResponseTheme, ResponseTheme.theme_id == TextTheme.id)
        .join(Response, Response.id == ResponseTheme.response_id)
        .join(ResponseText, ResponseText.response_id == Response.id)
        .join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .where(*filters.conditions(session))
        .group_by(TextTheme.key, Touchpoint.code, Touchpoint.name)
    ).all()
    touchpoints = sorted({(code, name) for _, code, name, *_ in rows})
    cells = {
        (key, code): {"n": int(n), "negative": int(neg or 0), "score": round(float(avg or 0), 3)}
        for key, code, _, n, neg, avg in rows
    }
    return {"touchpoints": [{"code": c, "name": n} for c, n in touchpoints], "cells": cells}
