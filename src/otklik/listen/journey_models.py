"""What a journey map adds to the journey skeleton: personas and opportunities.

Personas are company-wide (one "young professional" walks several journeys) and
linked to journeys in order. Opportunities are improvement ideas pinned to a
journey (and usually a touchpoint), with an owner and a status; later they
become initiatives with a measured effect.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.store.base import Base, JSONType, UTCDateTime, utcnow

OPPORTUNITY_STATUSES = ("idea", "planned", "in_progress", "done", "dropped")


class Persona(Base):
    __tablename__ = "persona"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_i18n: Mapped[dict] = mapped_column(JSONType, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    description_i18n: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JourneyPersona(Base):
    """A persona walks a journey; ``position`` orders the personas on the map."""

    __tablename__ = "journey_persona"

    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journey.id", ondelete="CASCADE"), primary_key=True
    )
    persona_id: Mapped[int] = mapped_column(
        ForeignKey("persona.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class Opportunity(Base):
    """An improvement idea on the map: what to change, who owns it, how far it got."""

    __tablename__ = "opportunity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journey.id", ondelete="CASCADE"), index=True
    )
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoint.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="idea")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
