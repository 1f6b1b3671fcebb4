"""The overview a CX lead sees first: NPS with its uncertainty, overall and per touchpoint.

One data function, two renderings: the home page template and
``GET /api/v1/metrics/overview`` both render ``build_overview``'s result.
Values below ``min_n`` answers are withheld (``enough_data`` false, value
null) so that nobody acts on noise; the counts stay visible.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import Journey, Stage, Touchpoint
from otklik.understand.metrics import nps_counts
from otklik.understand.stats import DEFAULT_CONFIDENCE, NpsCounts, enough_data, nps

CI_METHOD = "adjusted-wald"  # sane at NPS ±100 and small n; see stats.nps
MAX_DAYS = 3660


class NpsSummary(BaseModel):
    """NPS of one group: the counts, and the value with its 95 % interval when n ≥ min_n."""

    model_config = ConfigDict(frozen=True)

    n: int = Field(description="Answers to the NPS question.")
    promoters: int = Field(description="Answers 9–10.")
    passives: int = Field(description="Answers 7–8.")
    detractors: int = Field(description="Answers 0–6.")
    enough_data: bool = Field(description="n ≥ min_n; when false the value is withheld.")
    value: float | None = Field(description="NPS, −100…100, one decimal.")
    ci_low: float | None = Field(description="Lower end of the confidence interval.")
    ci_high: float | None = Field(description="Upper end of the confidence interval.")


class TouchpointRow(BaseModel):
    """One touchpoint (or, with ``code`` null, the responses that name no touchpoint)."""

    model_config = ConfigDict(frozen=True)

    code: str | None
    name: str | None = Field(description="In the requested language when translated.")
    journey: str | None
    stage: str | None
    channel: str | None
    responses: int = Field(description="All responses, with or without an NPS answer.")
    nps: NpsSummary


class Overview(BaseModel):
    model_config = ConfigDict(frozen=True)

    days: int
    since: datetime = Field(description="Start of the period (inclusive).")
    until: datetime = Field(description="End of the period (exclusive).")
    min_n: int
    confidence: float
    ci_method: str
    responses: int
    nps: NpsSummary
    touchpoints: list[TouchpointRow] = Field(description="In journey order: stage, then position.")


def summarise_nps(counts: NpsCounts, *, min_n: int) -> NpsSummary:
    """Counts → the summary shown to people: value and interval only when there is enough data."""
    shown = enough_data(counts.n, min_n)
    est = nps(counts, method=CI_METHOD, confidence=DEFAULT_CONFIDENCE) if shown else None
    return NpsSummary(
        n=counts.n,
        promoters=counts.promoters,
        passives=counts.passives,
        detractors=counts.detractors,
        enough_data=shown,
        value=round(est.value, 1) if est else None,
        ci_low=round(est.ci_low, 1) if est else None,
        ci_high=round(est.ci_high, 1) if est else None,
    )


def build_overview(
    *,
    session: Session,
    now: datetime,
    days: int = 90,
    lang: str = "en",
    min_n: int = 30,
    engine=None,
) -> Overview:
    """NPS and responses over the last ``days`` days up to ``now``, overall and per touchpoint.

    Every touchpoint is listed, even without responses, so gaps in listening show.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"days: must be between 1 and {MAX_DAYS}", field="days")
    since = now - timedelta(days=days)
    # One scan: the overall counts are the sum of the touchpoints' (and of "no touchpoint").
    groups = {
        g.key: g
        for g in nps_counts(session=session, since=since, until=now, by="touchpoint", engine=engine)
    }
    overall_nps = sum((g.nps for g in groups.values()), NpsCounts())
    overall_responses = sum(g.responses for g in groups.values())

    rows = []
    stmt = (
        select(Touchpoint, Stage, Journey)
        .outerjoin(Stage, Touchpoint.stage_id == Stage.id)
        .outerjoin(Journey, Stage.journey_id == Journey.id)
        .order_by(
            Journey.id.is_(None),
            Journey.id,
            Stage.position,
            Stage.id,
            Touchpoint.position,
            Touchpoint.code,
        )
    )
    for tp, stage, journey in session.execute(stmt):
        group = groups.pop(tp.id, None)
        rows.append(
            TouchpointRow(
                code=tp.code,
                name=_localised(tp.name, tp.name_i18n, lang),
                journey=_localised(journey.name, journey.name_i18n, lang) if journey else None,
                stage=_localised(stage.name, stage.name_i18n, lang) if stage else None,
                channel=tp.channel,
                responses=group.responses if group else 0,
                nps=summarise_nps(group.nps if group else NpsCounts(), min_n=min_n),
            )
        )
    # Responses without a touchpoint (or whose touchpoint vanished) — keep the table summing up.
    leftover = [g for g in groups.values()]
    if leftover:
        counts = sum((g.nps for g in leftover), NpsCounts())
        rows.append(
            TouchpointRow(
                code=None,
                name=None,
                journey=None,
                stage=None,
                channel=None,
                responses=sum(g.responses for g in leftover),
                nps=summarise_nps(counts, min_n=min_n),
            )
        )
    return Overview(
        days=days,
        since=since,
        until=now,
        min_n=min_n,
        confidence=DEFAULT_CONFIDENCE,
        ci_method=CI_METHOD,
        responses=overall_responses,
        nps=summarise_nps(overall_nps, min_n=min_n),
        touchpoints=rows,
    )


def _localised(name: str, name_i18n: dict | None, lang: str) -> str:
    return (name_i18n or {}).get(lang) or name
