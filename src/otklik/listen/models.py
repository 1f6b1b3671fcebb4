"""Customers, the journey skeleton (journey → stage → touchpoint), surveys, invitations, responses.

A response enters once and is stored once here; the typed ``nps``/``csat``/``ces``
columns let every engine aggregate the standard metrics with ``GROUP BY``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.org.models import Unit  # noqa: F401  (FK target: gives unit_id its type)
from otklik.store.base import Base, JSONType, UTCDateTime, utcnow

CHANNELS = ("web", "app", "branch", "phone", "email", "chat", "sms", "social", "partner", "other")
RESPONSE_SOURCES = ("survey", "widget", "api", "import", "email", "review", "interview", "webhook")
SURVEY_STATUSES = ("draft", "published", "closed")


class Customer(Base):
    """Who answered. Responses may also be anonymous (no customer)."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64), index=True)
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    # Consent to be contacted for feedback; None = unknown: emailed unless the contact policy
    # requires consent (see listen/fatigue.py), False = never emailed.
    contact_consent: Mapped[bool | None] = mapped_column(Boolean)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    churned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Journey(Base):
    __tablename__ = "journey"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_i18n: Mapped[dict] = mapped_column(JSONType, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="journey", order_by="Stage.position", cascade="all, delete-orphan"
    )


class Stage(Base):
    __tablename__ = "stage"
    __table_args__ = (Index("ix_stage_journey_position", "journey_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journey.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    name_i18n: Mapped[dict] = mapped_column(JSONType, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    # The backstage: the internal process behind the stage and the unit that runs it.
    backstage: Mapped[str] = mapped_column(Text, default="")
    backstage_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL")
    )

    journey: Mapped[Journey] = relationship(back_populates="stages")
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        back_populates="stage", order_by="Touchpoint.position"
    )


class Touchpoint(Base):
    """A moment where the customer meets the company, through one channel."""

    __tablename__ = "touchpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    name_i18n: Mapped[dict] = mapped_column(JSONType, default=dict)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    # The to-be: target scores the journey map sets against today's (None = no target).
    target_nps: Mapped[float | None] = mapped_column(Float)
    target_csat: Mapped[float | None] = mapped_column(Float)
    target_ces: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stage: Mapped[Stage | None] = relationship(back_populates="touchpoints")


class Survey(Base):
    """A questionnaire. ``definition`` is the current version's JSON; published
    versions are frozen in ``survey_version`` and each response records its version."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoint.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    definition: Mapped[dict] = mapped_column(JSONType, default=dict)
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    touchpoint: Mapped[Touchpoint | None] = relationship()


class SurveyVersion(Base):
    __tablename__ = "survey_version"
    __table_args__ = (Index("uq_survey_version", "survey_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSONType)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Base):
    """One ask of one customer; the denominator of response rate and the unit of fatigue."""

    __tablename__ = "invitation"
    __table_args__ = (
        Index("ix_invitation_customer_created", "customer_id", "created_at"),
        Index("ix_invitation_status_send_at", "status", "send_at"),
        Index("uq_invitation_idempotency_key", "idempotency_key", unique=True),
        Index("uq_invitation_event_id", "event_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoint.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(20), default="email")
    # pending (queued, due at send_at) → sending → sent → responded; or bounced / failed;
    # or suppressed with a reason (see otklik.listen.invitations).
    status: Mapped[str] = mapped_column(String(20), default="pending")
    suppression_reason: Mapped[str | None] = mapped_column(String(64))
    token_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Not before this time (quiet hours, or a caller's send_at); None = as soon as possible.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # First view of the survey page through the personal link (time-to-complete starts here).
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # The trigger API's retry keys (its Idempotency-Key header, its body's event_id), unique:
    # a retried call finds this row instead of inviting twice; request_hash tells a retry
    # (same body) from a reused key (another body).
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    event_id: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))


class Response(Base):
    """One customer's answers. Typed metric columns + the full answers as JSON.

    ``idempotency_key`` and ``external_id`` are unique: a retried submission
    finds the original row instead of creating a second one.
    """

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("nps IS NULL OR (nps BETWEEN 0 AND 10)", name="nps_range"),
        CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="csat_range"),
        CheckConstraint("ces IS NULL OR (ces BETWEEN 1 AND 7)", name="ces_range"),
        Index("ix_response_submitted", "submitted_at"),
        Index("ix_response_touchpoint_submitted", "touchpoint_id", "submitted_at"),
        Index("ix_response_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id", ondelete="SET NULL"))
    survey_version: Mapped[int | None] = mapped_column(Integer)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL")
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoint.id", ondelete="SET NULL")
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    channel: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="api")
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    nps: Mapped[int | None] = mapped_column(SmallInteger)
    csat: Mapped[int | None] = mapped_column(SmallInteger)
    ces: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # SHA-256 of the canonical request body: a reused key with other data is a conflict.
    payload_hash: Mapped[str | None] = mapped_column(String(64))
