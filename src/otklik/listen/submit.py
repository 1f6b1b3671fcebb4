"""Answers from a survey page or the widget become a response: validate, store once, thank.

Both ways in call :func:`submit_answers`, which validates the answers against the live
definition, fills the typed metric columns, and stores the response through
:func:`otklik.listen.ingest.ingest_response` — the one path every response takes, so it
is committed before it is acknowledged and a retried submission (same idempotency
key) finds the original instead of storing a second row. For a personal link the
key is the invitation's, so one invitation yields at most one response.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import Conflict, ValidationFailed
from otklik.listen.answers import AnswerError, metric_fields, thank_you_text, validate_answers
from otklik.listen.definition import SurveyDefinition
from otklik.listen.ingest import ingest_response
from otklik.listen.links import TokenUsed, invitation_key, link_response
from otklik.listen.models import Invitation, Response, Survey, Touchpoint
from otklik.listen.schemas import ResponseIn


class AnswersRefused(ValidationFailed):
    """Some answers broke the definition; ``errors`` maps question id → AnswerError."""

    def __init__(self, errors: dict[str, AnswerError]) -> None:
        self.errors = errors
        first = next(iter(errors.values()))
        super().__init__(f"answers.{first.question}: {first.message('en')}", field=first.question)


class NothingAnswered(ValidationFailed):
    """Every question was left empty: there is nothing to store."""


@dataclass(frozen=True)
class Submitted:
    response_id: int
    created: bool
    answers: dict[str, Any]
    thank_you: str


def stored_answers(*, session: Session, idempotency_key: str) -> tuple[int, dict] | None:
    """(id, answers) of the response already stored under this key, if any."""
    row = session.execute(
        select(Response.id, Response.answers).where(Response.idempotency_key == idempotency_key)
    ).first()
    session.commit()  # end the read snapshot (SQLite cannot upgrade a stale one to a write)
    return (row[0], row[1]) if row else None


def submit_answers(
    *,
    session: Session,
    survey: Survey,
    definition: SurveyDefinition,
    answers: Mapping[str, Any],
    lang: str,
    source: str,
    idempotency_key: str,
    invitation: Invitation | None = None,
    check_required: Collection[str] | None = None,
    channel: str | None = None,
    started_at: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Submitted:
    """Validate and store one respondent's answers; replays return the stored response.

    Raises :class:`AnswersRefused` (bad answers), :class:`NothingAnswered`, or
    :class:`~otklik.listen.links.TokenUsed` when an invitation was already answered
    with other answers.
    """
    clean, errors = validate_answers(definition, answers, check_required=check_required)
    if errors:
        raise AnswersRefused(errors)
    if not clean:
        raise NothingAnswered("answer at least one question", field="answers")
    key = invitation_key(invitation.id) if invitation is not None else idempotency_key
    previous = stored_answers(session=session, idempotency_key=key)
    if previous is not None:
        return _replay(session, previous, clean, invitation, definition, lang)
    fields = metric_fields(definition, clean)
    attributes = dict(attributes or {})
    if started_at is not None:
        attributes["started_at"] = started_at.isoformat()
    try:
        data = ResponseIn(
            survey=survey.slug,
            touchpoint=_touchpoint_code(session, invitation),
            channel=channel or (invitation.channel if invitation is not None else None),
            nps=fields["nps"],
            csat=fields["csat"],
            ces=fields["ces"],
            comment=fields["comment"],
            language=lang,
            answers=clean,
            attributes=attributes,
            source=source,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed(first["msg"], field=".".join(map(str, first["loc"]))) from None
    try:
        stored, created = ingest_response(session=session, data=data, idempotency_key=key)
    except Conflict:  # a concurrent submission with this key won: replay it
        previous = stored_answers(session=session, idempotency_key=key)
        if previous is None:
            raise
        return _replay(session, previous, clean, invitation, definition, lang)
    if invitation is not None:
        link_response(session=session, invitation=invitation, response_id=stored.id)
    return Submitted(stored.id, created, clean, thank_you_text(definition, clean, lang))


def _replay(
    session: Session,
    previous: tuple[int, dict],
    clean: dict[str, Any],
    invitation: Invitation | None,
    definition: SurveyDefinition,
    lang: str,
) -> Submitted:
    response_id, answers = previous
    if invitation is not None:
        if answers != clean:  # another answer through an already used personal link
            raise TokenUsed(
                "this survey was already answered through this link", invitation=invitation
            )
        link_response(session=session, invitation=invitation, response_id=response_id)
    return Submitted(response_id, False, answers, thank_you_text(definition, answers, lang))


def _touchpoint_code(session: Session, invitation: Invitation | None) -> str | None:
    if invitation is None or invitation.touchpoint_id is None:
        return None
    tp = session.get(Touchpoint, invitation.touchpoint_id)
    return tp.code if tp is not None else None
