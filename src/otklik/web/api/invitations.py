"""Invitations API: the transactional trigger ("customer X just passed touchpoint Y"),
reading an invitation back, counts by status and suppression reason, response rate and
response quality (drop-off, time to complete).

The trigger needs an API key (a CRM, a call centre). It finds or creates the customer,
picks the survey (named, or the published survey of the touchpoint), applies the
contact-fatigue rules and answers with the invitation: ``queued`` (email, sent by the
worker, possibly at ``send_at`` after quiet hours), ``sent`` with the personal ``url``
(channel ``link``: the caller delivers it), or ``suppressed`` with the rule's name. A CRM
retries: the ``Idempotency-Key`` header or the body's ``event_id`` makes a retry return the
original invitation (200, ``Idempotent-Replayed: true``) instead of inviting twice.
Reads accept a logged-in user or an API key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from otklik.jobs import enqueue_delivery
from otklik.listen import invitations as domain
from otklik.listen.contacts import known_zone
from otklik.listen.fatigue import REASONS
from otklik.listen.models import Invitation, Survey, Touchpoint
from otklik.listen.response_rate import drop_off, response_rates, time_to_complete
from otklik.listen.schemas import reject_nul
from otklik.listen.surveys import get_survey
from otklik.web.api.surveys import Read
from otklik.web.deps import ApiPrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["invitations"])


class InviteeIn(BaseModel):
    """Who to ask: found by external_id, else by email; created if new."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = (
        None
    )
    name: Annotated[str, Field(max_length=200)] | None = None
    language: Literal["ru", "en"] | None = None
    timezone: Annotated[str, Field(max_length=64)] | None = Field(
        None, description="IANA zone, e.g. Europe/Moscow (quiet hours use it)."
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and not known_zone(value):
            raise ValueError(f"unknown time zone '{value}'")
        return value


class InvitationIn(BaseModel):
    """A customer just passed a touchpoint: ask them about it (if the rules allow)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"customer": {"external_id": "crm-1042", "email": "anna@example.com"},
                 "touchpoint": "branch-visit", "channel": "email"}
            ]
        },
    )  # fmt: skip

    customer: InviteeIn
    touchpoint: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="Touchpoint code; its published survey is used."
    )
    survey: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="Survey slug (instead of, or besides, the touchpoint)."
    )
    channel: Literal["email", "link"] = Field(
        "email", description="email: Otklik sends it; link: you get the personal URL to send."
    )
    send_at: AwareDatetime | None = Field(None, description="Not before this time.")
    language: Literal["ru", "en"] | None = None
    event_id: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None,
        description="Your id of the event (the visit, call or order): a retry with the same "
        "event_id returns the original invitation instead of inviting twice.",
    )

    def model_post_init(self, _: Any) -> None:
        reject_nul(self.model_dump())


class InvitationPublic(BaseModel):
    id: int
    survey: str
    touchpoint: str | None
    customer_id: int | None
    channel: str
    status: str = Field(description="queued, sent, responded, bounced, failed or suppressed.")
    suppression_reason: str | None = Field(description=f"One of {', '.join(REASONS)}.")
    language: str | None
    send_at: datetime | None = Field(description="Scheduled time (quiet hours, or yours).")
    created_at: datetime
    sent_at: datetime | None
    responded_at: datetime | None
    url: str | None = Field(description="The personal survey link (channel link only).")


def _public(request: Request, db, inv: Invitation) -> InvitationPublic:
    survey = db.get(Survey, inv.survey_id)
    tp = db.get(Touchpoint, inv.touchpoint_id) if inv.touchpoint_id else None
    url = None
    if inv.channel == "link" and inv.status != "suppressed":
        settings = request.app.state.settings
        url = domain.invitation_url(session=db, invitation=inv, base_url=settings.base_url,
                                    secret=settings.resolved_secret_key())  # fmt: skip
    return InvitationPublic(
        id=inv.id, survey=survey.slug, touchpoint=tp.code if tp else None,
        customer_id=inv.customer_id, channel=inv.channel, status=domain.public_status(inv.status),
        suppression_reason=inv.suppression_reason, language=inv.language, send_at=inv.send_at,
        created_at=inv.created_at, sent_at=inv.sent_at, responded_at=inv.responded_at, url=url,
    )  # fmt: skip


@router.post(
    "/invitations",
    status_code=201,
    summary="Invite a customer who just passed a touchpoint",
    description="Answered with 201 once the invitation is committed. Retrying with the same "
    "`Idempotency-Key` header or body `event_id` returns the original invitation with 200 and "
    "`Idempotent-Replayed: true`, and never invites twice; the same key with another body is "
    "a 409.",
    response_description="The invitation: queued, sent (link) or suppressed with the reason.",
    responses={
        200: {"model": InvitationPublic, "description": "Replay of an earlier identical call."},
        409: {"description": "The Idempotency-Key or event_id was used before with another body."},
    },
)
def create_invitation(
    body: InvitationIn,
    request: Request,
    response: Response,
    db: SessionDep,
    _key: ApiPrincipalDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="Any unique string (e.g. a UUID), 1–200 printable ASCII characters "
            "without spaces. A retry with the same key and body returns the original invitation.",
        ),
    ] = None,
) -> InvitationPublic:
    trigger = domain.Trigger(
        contact=domain.Contact(**body.customer.model_dump()), survey=body.survey,
        touchpoint=body.touchpoint, channel=body.channel, send_at=body.send_at,
        language=body.language, event_id=body.event_id,
    )  # fmt: skip
    inv, created = domain.trigger_invitation(
        session=db, trigger=trigger, idempotency_key=idempotency_key
    )
    out = _public(request, db, inv)
    db.commit()
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    elif inv.status == "pending":
        enqueue_delivery(request.app.state)
    return out


@router.get("/invitations/{invitation_id}", summary="One invitation")
def read_invitation(
    invitation_id: int, request: Request, db: SessionDep, _key: ApiPrincipalDep
) -> InvitationPublic:
    out = _public(request, db, domain.get_invitation(session=db, invitation_id=invitation_id))
    db.commit()
    return out


class InvitationCounts(BaseModel):
    statuses: dict[str, int] = Field(description="Invitations by status.")
    suppressed_by_reason: dict[str, int] = Field(description="Suppressed invitations by rule.")


@router.get("/invitations-summary", summary="Invitations by status and suppression reason",
            dependencies=[Read])  # fmt: skip
def invitation_counts(db: SessionDep, survey_id: int | None = None) -> InvitationCounts:
    return InvitationCounts(
        statuses=domain.status_counts(session=db, survey_id=survey_id),
        suppressed_by_reason=domain.suppression_counts(session=db, survey_id=survey_id),
    )


class RatePublic(BaseModel):
    key: str
    label: str
    invitations: int
    suppressed: int
    queued: int
    bounced: int
    failed: int
    delivered: int = Field(description="sent + responded (not suppressed, bounced or failed).")
    completes: int = Field(description="Invitations answered.")
    rate: float | None = Field(description="RR1 = completes / delivered.")
    ci_low: float | None
    ci_high: float | None


@router.get("/response-rate", summary="Response rate (AAPOR RR1) by survey, touchpoint or channel",
            dependencies=[Read])  # fmt: skip
def response_rate(
    db: SessionDep,
    by: Literal["survey", "touchpoint", "channel"] = "survey",
    survey_id: int | None = None,
    since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> list[RatePublic]:
    rows = response_rates(session=db, by=by, survey_id=survey_id, since=since, until=until)
    return [
        RatePublic(**{k: v for k, v in vars(r).items() if k != "ci"},
                   ci_low=r.ci[0] if r.ci else None, ci_high=r.ci[1] if r.ci else None)
        for r in rows
    ]  # fmt: skip


class QuestionDropOff(BaseModel):
    id: str
    text: dict[str, str]
    reached: int = Field(description="Respondents who got to this question.")
    answered: int
    abandoned: int = Field(description="Respondents who left at this question.")
    drop_rate: float | None = Field(description="abandoned / reached.")


class QualityPublic(BaseModel):
    survey_id: int
    started: int = Field(description="Completed responses + abandoned partial answers.")
    completed: int
    abandoned: int
    in_progress: int = Field(description="Partial answers touched in the last 30 minutes.")
    abandoned_at_submit: int = Field(description="Answered everything but never sent.")
    questions: list[QuestionDropOff]
    timed_responses: int = Field(description="Responses with a recorded first view.")
    median_seconds: float | None = Field(description="Median time from first view to submit.")
    p25_seconds: float | None
    p75_seconds: float | None


def survey_quality(db, survey: Survey) -> QualityPublic:
    d = drop_off(session=db, survey=survey)
    t = time_to_complete(session=db, survey_id=survey.id)
    return QualityPublic(
        survey_id=survey.id, started=d.started, completed=d.completed, abandoned=d.abandoned,
        in_progress=d.in_progress, abandoned_at_submit=d.abandoned_at_submit,
        questions=[QuestionDropOff(**vars(q)) for q in d.questions],
        timed_responses=t.n, median_seconds=t.median_seconds, p25_seconds=t.p25_seconds,
        p75_seconds=t.p75_seconds,
    )  # fmt: skip


@router.get("/surveys/{survey_id}/quality", summary="Drop-off per question, time to complete",
            dependencies=[Read])  # fmt: skip
def quality(survey_id: int, db: SessionDep) -> QualityPublic:
    return survey_quality(db, get_survey(session=db, survey_id=survey_id))
