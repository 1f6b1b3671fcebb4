"""The live journey map: one data function behind the page, the API and every export.

Every number comes from the metrics engine (``report.breakdown``, the same
function as the dashboard, filtered to the journey): per touchpoint and per
stage, NPS/CSAT/CES with n, interval, change against the comparison period
and Benjamini–Hochberg significance. On top of those numbers:

- the **emotion curve**: each stage's satisfaction on −2…+2 — NPS ÷ 50 when
  the stage has enough NPS answers, else CSAT (top-2 % − 50) ÷ 25, else CES
  (mean − 4) ÷ 1.5 — with the metric's interval mapped the same way;
- **pain points** (``journey_pain``) with driver weights from ``drivers``;
- **what customers say** (``journey_text``);
- **as-is vs to-be**: each touchpoint's targets against today's value.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen import journey_io
from otklik.listen import journey_schemas as js
from otklik.listen import journeys as editing
from otklik.org.models import Unit
from otklik.understand.drivers import relative_weights
from otklik.understand.journey_pain import PainInput, PainPoint, rank_pain_points
from otklik.understand.journey_text import StageVoice, stage_voices
from otklik.understand.metrics import METRICS
from otklik.understand.report import Row, breakdown
from otklik.understand.stats import NpsCounts

DEFAULT_DAYS = 120  # the journey as it is now: four months against the four before
EMOTION = {  # metric → (centre, points per emotion step): maps the metric onto −2…+2
    "nps": (0.0, 50.0),
    "csat": (50.0, 25.0),
    "ces": (4.0, 1.5),
}


class Emotion(BaseModel):
    model_config = ConfigDict(frozen=True)

    basis: str | None = Field(description="nps, csat or ces; null without enough data.")
    value: float | None
    low: float | None
    high: float | None


class TargetGap(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: str
    target: float
    current: float | None
    gap: float | None = Field(description="current − target; negative = below target.")
    met: bool | None


class TouchpointOnMap(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    label: str
    channel: str
    description: str
    owner_unit: str | None
    responses: int
    metrics: dict[str, Row] = Field(description="Metrics with answers in either period.")
    targets: list[TargetGap]
    pain_rank: int | None


class StageOnMap(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    position: int
    label: str
    description: str
    backstage: str
    backstage_unit: str | None
    responses: int
    metrics: dict[str, Row]
    emotion: Emotion
    touchpoints: list[TouchpointOnMap]
    voice: StageVoice


class JourneyMap(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    label: str
    description: str
    since: datetime
    until: datetime
    compare_since: datetime
    compare_until: datetime
    min_n: int
    totals: dict[str, Row]
    channels: list[str] = Field(description="The lanes: channels in first-appearance order.")
    stages: list[StageOnMap]
    personas: list[js.PersonaPublic]
    opportunities: list[js.OpportunityPublic]
    pain_points: list[PainPoint]
    not_ranked: list[PainPoint]
    driver_weights: str = Field(description="drivers, or none (fewer than two touchpoints).")
    text_source: str


def _label(name: str, i18n: dict | None, lang: str) -> str:
    return (i18n or {}).get(lang) or name


def to_emotion(metric: str, x: float | None) -> float | None:
    """A metric's value on the −2…+2 emotion scale (clipped)."""
    if x is None:
        return None
    centre, step = EMOTION[metric]
    return round(max(-2.0, min(2.0, (x - centre) / step)), 3)


def emotion(rows: dict[str, Row]) -> Emotion:
    """A stage's place on −2…+2 from the first metric with enough data (NPS, CSAT, CES)."""
    for metric in METRICS:
        row = rows.get(metric)
        if row is None or not row.metric.enough_data:
            continue
        v = row.metric
        return Emotion(
            basis=metric,
            value=to_emotion(metric, v.value),
            low=to_emotion(metric, v.ci_low),
            high=to_emotion(metric, v.ci_high),
        )
    return Emotion(basis=None, value=None, low=None, high=None)


def resolve_periods(
    *, now: datetime, days: int, since=None, until=None, compare_since=None, compare_until=None
) -> tuple[datetime, datetime, datetime, datetime]:
    """The current period (default: ``days`` up to ``now``) and the one it is compared with
    (default: the equally long period just before)."""
    if not 1 <= days <= 3660:
        raise ValidationFailed("days: must be between 1 and 3660", field="days")
    until = until or now
    since = since or until - timedelta(days=days)
    if since >= until:
        raise ValidationFailed("from must be before to", field="from")
    compare_until = compare_until or since
    compare_since = compare_since or compare_until - (until - since)
    if compare_since >= compare_until:
        raise ValidationFailed("compare_from must be before compare_to", field="compare_from")
    return since, until, compare_since, compare_until


def build_journey_map(
    *,
    session: Session,
    slug: str,
    now: datetime,
    days: int = DEFAULT_DAYS,
    since: datetime | None = None,
    until: datetime | None = None,
    compare_since: datetime | None = None,
    compare_until: datetime | None = None,
    engine=None,
    min_n: int = 30,
    lang: str = "en",
) -> JourneyMap:
    """The map of journey ``slug`` over ``[since, until)`` against the comparison period."""
    journey = editing.get_journey(session=session, slug=slug)
    since, until, c_since, c_until = resolve_periods(
        now=now,
        days=days,
        since=since,
        until=until,
        compare_since=compare_since,
        compare_until=compare_until,
    )
    common = dict(
        session=session,
        since=since,
        until=until,
        filters={"journey": [slug]},
        compare_since=c_since,
        compare_until=c_until,
        engine=engine,
        min_n=min_n,
        lang=lang,
    )
    by_tp: dict[str, dict[str, Row]] = {}
    by_stage: dict[str, dict[str, Row]] = {}
    totals: dict[str, Row] = {}
    for metric in METRICS:
        tp_table = breakdown(metric=metric, by=("touchpoint",), **common)
        for row in tp_table.rows:
            by_tp.setdefault(row.keys["touchpoint"], {})[metric] = row
        totals[metric] = tp_table.total
        for row in breakdown(metric=metric, by=("stage",), **common).rows:
            by_stage.setdefault(row.keys["stage"], {})[metric] = row

    pub = journey_io.journey_public(session=session, journey=journey)
    units = {
        r.code: _label(r.name, r.name_i18n, lang)
        for r in session.execute(select(Unit.code, Unit.name, Unit.name_i18n))
    }
    tp_labels = {t.id: _label(t.name, t.name_i18n, lang) for s in pub.stages for t in s.touchpoints}
    voices = stage_voices(
        session=session,
        stages={s.id: [t.id for t in s.touchpoints] for s in pub.stages},
        touchpoint_labels=tp_labels,
        since=since,
        until=until,
        lang=lang,
    )
    stage_labels = {s.id: _label(s.name, s.name_i18n, lang) for s in pub.stages}
    ranked, rest, weights_source = _pain(pub, by_tp, tp_labels, stage_labels, min_n)
    ranks = {p.code: p.rank for p in ranked}

    channels: list[str] = []
    stages = []
    for s in pub.stages:
        tps = []
        for t in s.touchpoints:
            if t.channel not in channels:
                channels.append(t.channel)
            rows = {
                m: r
                for m, r in by_tp.get(t.code, {}).items()
                if r.metric.n or (r.change and r.change.previous.n)
            }
            tps.append(
                TouchpointOnMap(
                    id=t.id,
                    code=t.code,
                    label=tp_labels[t.id],
                    channel=t.channel,
                    description=t.description,
                    owner_unit=units.get(t.owner_unit) if t.owner_unit else None,
                    responses=max((r.responses for r in rows.values()), default=0),
                    metrics=rows,
                    targets=_targets(t.targets, rows),
                    pain_rank=ranks.get(t.code),
                )
            )
        srows = by_stage.get(str(s.id), {})
        stages.append(
            StageOnMap(
                id=s.id,
                position=s.position,
                label=stage_labels[s.id],
                description=s.description,
                backstage=s.backstage,
                backstage_unit=units.get(s.backstage_unit) if s.backstage_unit else None,
                responses=max((r.responses for r in srows.values()), default=0),
                metrics=srows,
                emotion=emotion(srows),
                touchpoints=tps,
                voice=voices[s.id],
            )
        )
    return JourneyMap(
        slug=journey.slug,
        label=_label(journey.name, journey.name_i18n, lang),
        description=journey.description or "",
        since=since,
        until=until,
        compare_since=c_since,
        compare_until=c_until,
        min_n=min_n,
        totals=totals,
        channels=channels,
        stages=stages,
        personas=pub.personas,
        opportunities=pub.opportunities,
        pain_points=ranked,
        not_ranked=rest,
        driver_weights=weights_source,
        text_source="analysis"
        if any(v.source == "analysis" for v in voices.values())
        else "keywords",
    )


def _targets(targets: js.Targets, rows: dict[str, Row]) -> list[TargetGap]:
    out = []
    for metric in METRICS:
        target = getattr(targets, metric)
        if target is None:
            continue
        row = rows.get(metric)
        current = row.metric.value if row is not None and row.metric.enough_data else None
        gap = None if current is None else round(current - target, 2)
        # CES: higher is easier, as for the others, so "met" is current ≥ target everywhere.
        met = None if gap is None else gap >= 0
        out.append(TargetGap(metric=metric, target=target, current=current, gap=gap, met=met))
    return out


def touchpoint_driver_weights(counts: dict[str, NpsCounts]) -> dict[str, float]:
    """Signed driver shares (fractions of explained variance, summing to ±1 in absolute value)
    of each touchpoint in a driver model of NPS on "which touchpoint the answer is about".

    The outcome is each answer's NPS contribution (+1 promoter, 0 passive, −1 detractor), so
    every correlation comes from the engine's sufficient statistics (n, promoters,
    detractors) — no row-level read. The indicators are all kept (no reference level);
    ``drivers.relative_weights`` handles their exact collinearity with a pseudo-inverse, so
    each weight is the touchpoint's part of the between-touchpoint variance (R² = η²).
    Empty when fewer than two touchpoints have answers or every answer is alike.
    """
    kept = {code: c for code, c in counts.items() if c.n > 0}
    total = sum(c.n for c in kept.values())
    if len(kept) < 2:
        return {}
    codes = list(kept)
    p = np.array([kept[c].n / total for c in codes])
    means = np.array([(kept[c].promoters - kept[c].detractors) / kept[c].n for c in codes])
    grand = float(p @ means)
    var_y = sum(c.promoters + c.detractors for c in kept.values()) / total - grand**2
    if var_y <= 1e-12:
        return {}
    sd_x = np.sqrt(p * (1 - p))
    rxy = p * (means - grand) / (sd_x * np.sqrt(var_y))
    rxx = -np.outer(p, p) / np.outer(sd_x, sd_x)
    np.fill_diagonal(rxx, 1.0)
    weights, r2, betas = relative_weights(rxx, rxy)
    if r2 <= 0:
        return {}
    return {c: float(np.sign(b) * w / r2) for c, w, b in zip(codes, weights, betas, strict=True)}


def _pain(pub, by_tp, tp_labels, stage_labels, min_n):
    """Driver weights from the NPS counts of the same period, then the ranking."""
    counts = {
        t.code: NpsCounts(n=r.metric.n, promoters=r.metric.promoters or 0,
                          detractors=r.metric.detractors or 0)
        for s in pub.stages for t in s.touchpoints
        if (r := by_tp.get(t.code, {}).get("nps")) is not None
    }  # fmt: skip
    weights = touchpoint_driver_weights(counts)
    inputs = []
    for s in pub.stages:
        for t in s.touchpoints:
            c = counts.get(t.code, NpsCounts())
            volume = max((r.responses for r in by_tp.get(t.code, {}).values()), default=0)
            inputs.append(PainInput(code=t.code, label=tp_labels[t.id],
                                    stage=stage_labels[s.id], weight=weights.get(t.code),
                                    unhappy=c.detractors, answers=c.n, volume=volume))  # fmt: skip
    ranked, rest = rank_pain_points(inputs, min_n=min_n)
    return ranked, rest, "drivers" if weights else "none"
