"""Response rate and response quality: who answered, where people stopped, how long it took.

**Response rate** (AAPOR RR1 style, for invitations):

    RR1 = completes / delivered invitations

- *completes*: invitations answered through their personal link (``responded``);
- *delivered*: invitations that reached the customer — ``sent`` or ``responded``.
  Suppressed invitations (never sent), bounced ones (the address refused them), failed
  ones (the server never took them) and ones still queued are **not** delivered, so they
  are in neither count. An email accepted by the mail server counts as delivered until
  it bounces; a ``link`` invitation counts from the moment the link was handed to the
  caller. Responses that came without an invitation (public link, widget, API) are not
  completes: RR1 measures invitations.

The rate comes with a 95% Wilson interval (honest for small counts and rates near 0/1).

**Drop-off per question** comes from the partial answers the survey page keeps
(:mod:`otklik.listen.drafts`): a respondent *started* if they have a response or a draft;
a draft idle for :data:`IDLE` is *abandoned* at its current step (step-by-step surveys)
or at the first visible question it has not answered (one-page surveys).

**Time to complete**: from the first view (the form the respondent first received, or
the first open of their personal link) to the submit, recorded by the survey page in
``attributes.started_at``; the median and quartiles over the latest responses.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.errors import OtklikError
from otklik.listen.answers import visible_questions
from otklik.listen.definition import parse_definition
from otklik.listen.drafts import SurveyDraft
from otklik.listen.models import Invitation, Response, Survey, Touchpoint
from otklik.listen.surveys import live_definition
from otklik.store import utcnow

DELIVERED = ("sent", "responded")
Dimension = Literal["survey", "touchpoint", "channel"]
IDLE = timedelta(minutes=30)
TIMING_SAMPLE = 10_000


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    invitations: int
    suppressed: int
    queued: int
    bounced: int
    failed: int
    delivered: int
    completes: int
    rate: float | None
    ci: tuple[float, float] | None


def response_rates(
    *,
    session: Session,
    by: Dimension = "survey",
    survey_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[RateRow]:
    """RR1 per survey, touchpoint or channel (invitations created in [since, until))."""
    column = {"survey": Invitation.survey_id, "touchpoint": Invitation.touchpoint_id,
              "channel": Invitation.channel}[by]  # fmt: skip
    query = select(column, Invitation.status, func.count()).group_by(column, Invitation.status)
    if survey_id is not None:
        query = query.where(Invitation.survey_id == survey_id)
    if since is not None:
        query = query.where(Invitation.created_at >= since)
    if until is not None:
        query = query.where(Invitation.created_at < until)
    counts: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, status, n in session.execute(query):
        counts[key][status] += n
    labels = _labels(session, by, [k for k in counts if k is not None])
    rows = []
    for key, c in counts.items():
        delivered = sum(c[s] for s in DELIVERED)
        completes = c["responded"]
        rows.append(
            RateRow(
                key=str(key) if key is not None else "",
                label=labels.get(key, str(key) if key is not None else "—"),
                invitations=sum(c.values()),
                suppressed=c["suppressed"],
                queued=c["pending"] + c["sending"],
                bounced=c["bounced"],
                failed=c["failed"],
                delivered=delivered,
                completes=completes,
                rate=completes / delivered if delivered else None,
                ci=wilson(completes, delivered),
            )
        )
    return sorted(rows, key=lambda r: (-r.delivered, r.label))


def _labels(session: Session, by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "survey" and keys:
        rows = session.execute(select(Survey.id, Survey.title).where(Survey.id.in_(keys)))
        return {k: v for k, v in rows}
    if by == "touchpoint" and keys:
        rows = session.execute(
            select(Touchpoint.id, Touchpoint.code).where(Touchpoint.id.in_(keys))
        )
        return {k: v for k, v in rows}
    return {k: str(k) for k in keys}


# ---- drop-off ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFunnel:
    id: str
    text: dict[str, str]
    reached: int
    answered: int
    abandoned: int
    drop_rate: float | None


@dataclass(frozen=True)
class DropOff:
    started: int
    completed: int
    abandoned: int
    in_progress: int
    abandoned_at_submit: int
    questions: list[QuestionFunnel]


def drop_off(*, session: Session, survey: Survey, now: datetime | None = None) -> DropOff:
    """Where respondents of the survey's live version stopped, question by question."""
    now = now or utcnow()
    live = live_definition(session=session, survey=survey)
    data = live[1] if live else survey.definition
    try:
        definition = parse_definition(data)
    except OtklikError:
        return DropOff(0, 0, 0, 0, 0, [])
    ids = [q.id for q in definition.questions]
    answered: dict[str, int] = dict.fromkeys(ids, 0)
    completed = 0
    for (answers,) in session.execute(
        select(Response.answers).where(Response.survey_id == survey.id)
    ):
        completed += 1
        for key in answers or {}:
            if key in answered:
                answered[key] += 1
    stops: dict[str, int] = defaultdict(int)
    abandoned = in_progress = 0
    drafts = session.execute(
        select(SurveyDraft.answers, SurveyDraft.step, SurveyDraft.updated_at).where(
            SurveyDraft.survey_id == survey.id
        )
    )
    for answers, step, updated in drafts:
        if now - updated < IDLE:
            in_progress += 1
            continue
        abandoned += 1
        for key in answers or {}:
            if key in answered:
                answered[key] += 1
        stops[_stop(definition, answers or {}, step)] += 1
    started = completed + abandoned
    reached = started
    funnel = []
    for q in definition.questions:
        here = stops.get(q.id, 0)
        funnel.append(QuestionFunnel(q.id, dict(q.text.model_dump()), reached, answered[q.id],
                                     here, here / reached if reached else None))  # fmt: skip
        reached -= here
    return DropOff(started, completed, abandoned, in_progress, stops.get("", 0), funnel)


def _stop(definition: Any, answers: dict[str, Any], step: str | None) -> str:
    """The question a respondent left at ('' = everything answered, left before sending)."""
    visible = [q.id for q in visible_questions(definition, answers)]
    if step and step in visible:
        return step
    return next((qid for qid in visible if qid not in answers), "")


# ---- time to complete --------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    n: int
    median_seconds: float | None
    p25_seconds: float | None
    p75_seconds: float | None


def time_to_complete(*, session: Session, survey_id: int, sample: int = TIMING_SAMPLE) -> Timing:
    """Median (and quartiles) of submit − first view over the latest responses."""
    rows = session.execute(
        select(Response.submitted_at, Response.attributes)
        .where(Response.survey_id == survey_id)
        .order_by(Response.submitted_at.desc())
        .limit(sample)
    )
    seconds = []
    for submitted, attributes in rows:
        raw = (attributes or {}).get("started_at")
        if not isinstance(raw, str):
            continue
        try:
            started = datetime.fromisoformat(raw)
        except ValueError:
            continue
        if started.tzinfo is None:
            continue
        took = (submitted - started).total_seconds()
        if 0 <= took <= 7 * 86400:
            seconds.append(took)
    if not seconds:
        return Timing(0, None, None, None)
    if len(seconds) == 1:
        return Timing(1, seconds[0], seconds[0], seconds[0])
    q1, _q2, q3 = statistics.quantiles(seconds, n=4, method="inclusive")
    return Timing(len(seconds), statistics.median(seconds), q1, q3)
