"""Partial answers kept on the server, so a respondent who leaves a survey can continue it.

A draft belongs to one survey and one respondent key: ``inv:<invitation id>`` for a
personal link, ``c:<random id>`` from a signed cookie for a public link. It holds the
answers given so far and the current step of a step-by-step survey, and is deleted
when the response is stored. :func:`purge_drafts` removes abandoned drafts (a job or
retention policy calls it); a respondent's draft never leaves the server.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from otklik.store import Base, JSONType, UTCDateTime, utcnow, write_lock

DRAFT_TTL = timedelta(days=30)


class SurveyDraft(Base):
    """Answers given so far by one respondent to one survey (not yet a response)."""

    __tablename__ = "survey_draft"
    __table_args__ = (
        Index("uq_survey_draft_respondent", "survey_id", "respondent_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    respondent_key: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    step: Mapped[str | None] = mapped_column(String(48))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def load_draft(*, session: Session, survey_id: int, respondent_key: str) -> SurveyDraft | None:
    return session.scalar(
        select(SurveyDraft).where(
            SurveyDraft.survey_id == survey_id, SurveyDraft.respondent_key == respondent_key
        )
    )


def save_draft(
    *,
    session: Session,
    survey_id: int,
    respondent_key: str,
    answers: dict[str, Any],
    step: str | None = None,
) -> SurveyDraft:
    """Create or replace the respondent's draft and commit (two tabs racing: the last wins)."""
    engine = session.get_bind()
    for attempt in range(2):
        with write_lock(engine):
            try:
                draft = load_draft(
                    session=session, survey_id=survey_id, respondent_key=respondent_key
                )
                if draft is None:
                    draft = SurveyDraft(survey_id=survey_id, respondent_key=respondent_key)
                    session.add(draft)
                draft.answers = dict(answers)
                draft.step = step
                draft.updated_at = utcnow()
                session.commit()
                return draft
            except IntegrityError:
                session.rollback()
                if attempt:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


def discard_draft(*, session: Session, survey_id: int, respondent_key: str) -> None:
    """Forget the draft once its response is stored (commits)."""
    with write_lock(session.get_bind()):
        session.execute(
            delete(SurveyDraft).where(
                SurveyDraft.survey_id == survey_id, SurveyDraft.respondent_key == respondent_key
            )
        )
        session.commit()


def purge_drafts(*, session: Session, older_than: timedelta = DRAFT_TTL) -> int:
    """Delete drafts untouched for ``older_than``; returns how many (commits)."""
    cutoff = utcnow() - older_than
    with write_lock(session.get_bind()):
        result = session.execute(delete(SurveyDraft).where(SurveyDraft.updated_at < cutoff))
        session.commit()
    return result.rowcount or 0
