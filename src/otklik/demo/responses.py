"""Demo responses: when, where, who, what score, which answers, what comment.

Each score is a latent 0–10 value — touchpoint base + segment + the customer's
disposition + planted effects + noise — turned into NPS, CSAT (1–5) and CES
(1–7, 7 = easy). Comments follow the score and the touchpoint's topics, so the
text agrees with the numbers (see the package docstring for the planted effects).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate

from otklik.demo import company as co
from otklik.demo.comments import CommentContext, compose, sentiment_of
from otklik.demo.customers import CustomerTraits, pick_customer
from otklik.demo.journey import TOUCHPOINTS, TouchpointSpec
from otklik.demo.org import Org, StaffMember

HISTORY_DAYS = 548  # 18 months
NEW_CUSTOMER_STAGES = {"awareness", "application", "onboarding"}
_BRANCH_HOURS = [0] * 9 + [4, 7, 8, 9, 10, 9, 8, 8, 8, 6, 3] + [0] * 4
_REMOTE_HOURS = [1, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 8, 7, 7, 6, 6, 6, 7, 8, 9, 8, 6, 3]
_HOURS = range(24)
_BRANCH_HOURS = list(accumulate(_BRANCH_HOURS))
_REMOTE_HOURS = list(accumulate(_REMOTE_HOURS))
_COMMENT_RATE = {"neg": 0.52, "mix": 0.30, "pos": 0.40}


@dataclass
class Generated:
    """Response rows plus what the churn step and the summary need."""

    rows: list[dict] = field(default_factory=list)
    customer_index: list[int | None] = field(default_factory=list)
    # customer index -> (first detractor answer, last answer)
    history: dict[int, tuple[datetime | None, datetime]] = field(default_factory=dict)
    praise: dict[int, int] = field(default_factory=dict)  # employee id -> named praises


def generate_responses(
    rng: random.Random,
    *,
    count: int,
    anchor: datetime,
    org: Org,
    traits: list[CustomerTraits],
    acquired: list[datetime],
    progress: Callable[[int], None] = lambda n: None,
) -> Generated:
    """``count`` responses over the 18 months before ``anchor``, in time order."""
    specs = TOUCHPOINTS
    branches = co.BRANCHES
    branch_by_key = {b.key: b for b in branches}
    branch_cum = list(accumulate(b.weight for b in branches))
    start = anchor - timedelta(days=HISTORY_DAYS)
    worse_from = anchor - timedelta(days=co.WORSENING_DAYS_AGO)
    better_from = anchor - timedelta(days=co.IMPROVING_DAYS_AGO)
    # Traffic grows over time and dips at weekends.
    day_weights = []
    for d in range(HISTORY_DAYS):
        weekday = (start + timedelta(days=d)).weekday()
        day_weights.append(
            (0.75 + 0.5 * d / HISTORY_DAYS)
            * (0.6 if weekday == 6 else 0.8 if weekday == 5 else 1.0)
        )
    days = rng.choices(range(HISTORY_DAYS), weights=day_weights, k=count)
    tps = rng.choices(specs, weights=[s.weight for s in specs], k=count)
    moments = []
    for day, spec in zip(days, tps, strict=True):
        hours = _BRANCH_HOURS if spec.channel == "branch" else _REMOTE_HOURS
        hour = rng.choices(_HOURS, cum_weights=hours)[0]
        at = start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        if at >= anchor:
            at -= timedelta(days=1)
        moments.append((at, spec))
    moments.sort(key=lambda m: (m[0], m[1].code))
    out = Generated()
    for n, (at, spec) in enumerate(moments, start=1):
        idx: int | None = None
        if not (spec.code == "web-card-page" and rng.random() < 0.7):  # mostly anonymous widget
            since = at - timedelta(days=60) if spec.stage in NEW_CUSTOMER_STAGES else None
            idx = pick_customer(rng, acquired, at, joined_since=since)
        trait = traits[idx] if idx is not None else None
        lang = trait.language if trait else ("en" if rng.random() < 0.15 else "ru")
        segment = trait.segment if trait else None
        if spec.owner == "branch":
            home = trait.branch if trait and rng.random() < 0.88 else None
            branch = (
                branch_by_key[home] if home else rng.choices(branches, cum_weights=branch_cum)[0]
            )
            unit_key = branch.key
        else:
            branch = None
            unit_key = spec.owner
        # Latent score and the planted effects.
        mu = spec.base + (trait.disposition if trait else 0.0)
        if segment:
            mu += co.SEGMENTS[segment][1]
            if segment == "youth":
                mu += 0.4 if spec.channel == "app" else -0.3 if spec.channel == "branch" else 0
        answers: dict = {}
        if spec.code == co.WORSENING_TOUCHPOINT and at >= worse_from:
            mu += co.WORSENING_SHIFT
        if spec.code == co.IMPROVING_TOUCHPOINT and at >= better_from:
            ramp = min(1.0, (at - better_from).days / co.IMPROVING_RAMP_DAYS)
            mu += co.IMPROVING_SHIFT * ramp
        resolved = None
        if spec.driver == "issue_resolved":
            resolved = rng.random() < (0.64 if spec.channel == "chat" else 0.72)
            answers["issue_resolved"] = "yes" if resolved else "no"
            if not resolved:
                mu += co.UNRESOLVED_SHIFT
        wait = None
        if spec.driver == "wait_minutes":
            busy = (1.3 if branch and branch.region == "msk" else 1.0) * (
                1.3 if 12 <= at.hour <= 14 else 1.0
            )
            wait = min(180, int(rng.lognormvariate(math.log(8 * busy), 0.65)))
            answers["wait_minutes"] = wait
            mu += co.WAIT_SHIFT_PER_MINUTE * max(0, wait - 5) + 0.3
        score = mu + rng.gauss(0.0, 1.9)
        nps = _clamp(round(score), 0, 10) if "nps" in spec.metrics else None
        csat = (
            _clamp(round(1 + 0.4 * score + rng.gauss(0, 0.45)), 1, 5)
            if "csat" in spec.metrics
            else None
        )
        ces = (
            _clamp(round(1 + 0.6 * score + rng.gauss(0, 0.6)), 1, 7)
            if "ces" in spec.metrics
            else None
        )
        sentiment = sentiment_of(nps, csat, ces)
        aspect = _aspect(
            rng,
            spec,
            sentiment,
            at=at,
            worse_from=worse_from,
            better_from=better_from,
            resolved=resolved,
            wait=wait,
        )
        comment = None
        if rng.random() < _COMMENT_RATE[sentiment]:
            comment = _comment(
                rng,
                spec,
                sentiment,
                aspect,
                lang=lang,
                trait=trait,
                branch=branch,
                unit_key=unit_key,
                wait=wait,
                org=org,
                out=out,
            )
        for key, value in (("nps", nps), ("csat", csat), ("ces", ces)):
            if value is not None:
                answers[key] = value
        answers["main_reason"] = aspect if aspect in spec.aspects else next(iter(spec.aspects))
        if comment:
            answers["comment"] = comment
        attributes: dict = {"segment": segment} if segment else {}
        if spec.channel == "app":
            attributes["platform"] = "ios" if rng.random() < 0.45 else "android"
            attributes["app_version"] = _app_version(at, better_from)
        elif spec.channel == "web":
            attributes["browser"] = rng.choice(("chrome", "chrome", "safari", "yandex", "firefox"))
        out.rows.append(
            {
                "survey_id": org.survey_ids[spec.code],
                "survey_version": 1,
                "touchpoint_id": org.touchpoint_ids[spec.code],
                "unit_id": org.unit_ids[unit_key],
                "channel": spec.channel,
                "source": "survey",
                "answers": answers,
                "attributes": attributes,
                "nps": nps,
                "csat": csat,
                "ces": ces,
                "comment": comment,
                "language": lang,
                "submitted_at": at,
                "received_at": at + timedelta(seconds=rng.randint(1, 90)),
                "external_id": f"demo-{n:07d}",
            }
        )
        out.customer_index.append(idx)
        if idx is not None:
            first_bad, _ = out.history.get(idx, (None, at))
            if first_bad is None and nps is not None and nps <= 6:
                first_bad = at
            out.history[idx] = (first_bad, at)
        if n % 5000 == 0:
            progress(5000)
    progress(len(moments) % 5000)
    return out


@cache
def _topics(code: str, exclude: str | None) -> tuple[list[str], list[float]]:
    aspects = next(s.aspects for s in TOUCHPOINTS if s.code == code)
    names = [a for a in aspects if a != exclude]
    return names, list(accumulate(aspects[a] for a in names))


def _topic(rng: random.Random, spec: TouchpointSpec, exclude: str | None) -> str | None:
    """A weighted pick among the touchpoint's comment topics (other than ``exclude``)."""
    names, cum = _topics(spec.code, exclude)
    return rng.choices(names, cum_weights=cum)[0] if names else None


def _clamp(value: int, lo: int, hi: int) -> int:
    return lo if value < lo else hi if value > hi else value


def _aspect(
    rng: random.Random,
    spec: TouchpointSpec,
    sentiment: str,
    *,
    at: datetime,
    worse_from: datetime,
    better_from: datetime,
    resolved: bool | None,
    wait: int | None,
) -> str:
    """What the comment is about: the touchpoint's topics, bent by the planted effects."""
    r = rng.random()
    if (
        spec.code == co.WORSENING_TOUCHPOINT
        and at >= worse_from
        and sentiment != "pos"
        and r < 0.85
    ):
        return "delivery"
    if (
        spec.code == co.IMPROVING_TOUCHPOINT
        and at >= better_from
        and sentiment == "pos"
        and r < 0.6
    ):
        return "app_fixed"
    if resolved is not None and r < 0.7 and (sentiment == "pos") == resolved:
        return "resolution"
    if (
        wait is not None
        and r < 0.7
        and ((sentiment != "pos" and wait >= 20) or (sentiment == "pos" and wait <= 8))
    ):
        return "queue"
    return _topic(rng, spec, None)


def _comment(
    rng: random.Random,
    spec: TouchpointSpec,
    sentiment: str,
    aspect: str,
    *,
    lang: str,
    trait: CustomerTraits | None,
    branch: co.Branch | None,
    unit_key: str,
    wait: int | None,
    org: Org,
    out: Generated,
) -> str:
    ctx = CommentContext(
        lang=lang,
        customer_gender=trait.gender if trait else "f",
        wait_minutes=wait,
        email=trait.email if trait else None,
        phone=trait.phone if trait else None,
    )
    if branch:
        ctx.where = branch.where_ru if lang == "ru" else branch.where_en
        ctx.origin = (
            f"из отделения {branch.where_ru}"
            if lang == "ru"
            else f"at the {branch.where_en} branch"
        )
    elif unit_key == "contact-centre":
        ctx.origin = (
            rng.choice(("с горячей линии", "из поддержки", "из контакт-центра"))
            if lang == "ru"
            else rng.choice(("from the hotline", "from support"))
        )
    # Customers thank people they met: branch staff and contact-centre agents.
    meets_people = branch is not None or unit_key == "contact-centre"
    employee = None
    if sentiment == "pos" and meets_people:
        star_rate = 0.45 if branch is not None else 0.2
        employee = _praised(rng, org.staff.get(unit_key, []), lang, star_rate)
    if employee:
        ctx.employee_forms = employee.forms(lang, rng)
        ctx.employee_gender = employee.gender
        out.praise[employee.employee_id] = out.praise.get(employee.employee_id, 0) + 1
    second = _topic(rng, spec, aspect)
    return compose(
        rng,
        sentiment=sentiment,
        aspect=aspect,
        second_aspect=second,
        ctx=ctx,
        praise=employee is not None,
    )


def _praised(
    rng: random.Random, staff: list[StaffMember], lang: str, star_rate: float
) -> StaffMember | None:
    """Who a happy customer thanks by name, if anyone: stars are thanked far more often."""
    if not staff:
        return None
    # Russian comments name Russian-speaking staff; English ones may name anyone.
    speakable = [s for s in staff if s.first_ru or lang == "en"]
    stars = [s for s in speakable if s.star]
    if stars and rng.random() < star_rate:
        return rng.choice(stars)
    if rng.random() < 0.06 and speakable:
        return rng.choice(speakable)
    return None


def _app_version(at: datetime, release: datetime) -> str:
    """Release train every six weeks; 6.0 is the release that fixed login."""
    sprints = math.floor((at - release).days / 42)
    return f"6.{sprints}" if sprints >= 0 else f"5.{max(0, 12 + sprints)}"
