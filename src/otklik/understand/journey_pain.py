"""Pain points: which touchpoints hurt the journey most, and why — a pure ranking.

impact = driver weight × share of unhappy customers × volume

- **driver weight**: the touchpoint's share of the explained variance of NPS
  in the key-driver model (``understand.drivers``, Johnson's relative weights),
  as a fraction — counted only when the touchpoint pulls NPS *down* (negative
  sign): a touchpoint that lifts the score is not a pain point, however many
  detractors it has. Without a driver model (too few answers) every weight is
  1 and the page says so.
- **share of unhappy customers**: detractors (NPS 0–6) / NPS answers.
- **volume**: responses at the touchpoint in the period (how many customers
  pass through it, as far as feedback shows).

Example: weight 0.30, 120 detractors of 400 answers, 500 responses →
0.30 × 0.30 × 500 = 45.0.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class PainInput:
    """What the ranking needs about one touchpoint."""

    code: str
    label: str
    stage: str
    weight: float | None  # signed driver share as a fraction (−1…1); None = no driver column
    unhappy: int  # detractors
    answers: int  # NPS answers
    volume: int  # responses
    reason: str | None = None  # why ``weight`` is None


class PainPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    rank: int | None = Field(description="1 = hurts most; null when not ranked.")
    code: str
    label: str
    stage: str
    driver_weight: float | None = Field(description="Fraction of explained NPS variance, ≥ 0.")
    driver_sign: str | None = Field(description="down (pulls NPS down), up, or null.")
    unhappy_share: float | None = Field(description="Detractors / NPS answers (0…1).")
    unhappy: int
    answers: int
    volume: int
    impact: float | None = Field(description="weight × unhappy share × volume.")
    reason: str | None = Field(description="Why a touchpoint is not ranked.")


def rank_pain_points(inputs: list[PainInput], *, min_n: int) -> tuple[list[PainPoint], list]:
    """(ranked pain points, hurt most first; the rest with the reason they are not ranked).

    Ties break on volume, then code, so the order is stable.
    """
    ranked: list[PainPoint] = []
    rest: list[PainPoint] = []
    for x in inputs:
        share = x.unhappy / x.answers if x.answers else None
        sign = None if x.weight is None else ("down" if x.weight < 0 else "up")
        base = dict(
            code=x.code,
            label=x.label,
            stage=x.stage,
            unhappy=x.unhappy,
            answers=x.answers,
            volume=x.volume,
            unhappy_share=share,
            driver_sign=sign,
            driver_weight=None if x.weight is None else abs(x.weight),
        )
        reason = x.reason
        if x.answers < min_n:
            reason = "not_enough_data"
        elif x.weight is None:
            reason = reason or "no_driver_weight"
        elif x.weight >= 0:
            reason = "lifts_nps"
        elif x.unhappy == 0:
            reason = "no_unhappy"
        if reason is not None:
            rest.append(PainPoint(rank=None, impact=None, reason=reason, **base))
            continue
        impact = abs(x.weight) * share * x.volume  # type: ignore[operator]
        ranked.append(PainPoint(rank=0, impact=impact, reason=None, **base))
    ranked.sort(key=lambda p: (-(p.impact or 0.0), -p.volume, p.code))
    ranked = [p.model_copy(update={"rank": i}) for i, p in enumerate(ranked, start=1)]
    rest.sort(key=lambda p: (p.reason or "", p.code))
    return ranked, rest
