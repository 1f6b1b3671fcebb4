"""Personas on a journey: company-wide people the map is drawn for, linked in order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import NotFound
from otklik.listen import journey_schemas as js
from otklik.listen.journey_models import JourneyPersona, Persona
from otklik.listen.journeys import set_texts
from otklik.listen.models import Journey
from otklik.listen.ordering import Direction, next_position, swap


def journey_personas(*, session: Session, journey: Journey) -> list[Persona]:
    return list(
        session.scalars(
            select(Persona)
            .join(JourneyPersona, JourneyPersona.persona_id == Persona.id)
            .where(JourneyPersona.journey_id == journey.id)
            .order_by(JourneyPersona.position, Persona.id)
        )
    )


def save_persona(*, session: Session, data: js.PersonaCreate) -> Persona:
    """Create the persona, or update the one with this slug (personas are company-wide)."""
    persona = session.scalar(select(Persona).where(Persona.slug == data.slug))
    if persona is None:
        persona = Persona(slug=data.slug)
        session.add(persona)
    persona.name, persona.description = data.name, data.description
    persona.name_i18n = data.name_i18n.as_dict()
    persona.description_i18n = data.description_i18n.as_dict()
    session.flush()
    return persona


def update_persona(*, session: Session, persona_id: int, data: js.PersonaUpdate) -> Persona:
    persona = session.get(Persona, persona_id)
    if persona is None:
        raise NotFound(f"persona {persona_id} does not exist")
    set_texts(persona, data, ("name", "description"))
    if data.description_i18n is not None:
        persona.description_i18n = data.description_i18n.as_dict()
    session.flush()
    return persona


def link_persona(*, session: Session, journey: Journey, persona: Persona) -> None:
    if session.get(JourneyPersona, (journey.id, persona.id)) is None:
        position = next_position(session, JourneyPersona, JourneyPersona.journey_id, journey.id)
        session.add(JourneyPersona(journey_id=journey.id, persona_id=persona.id, position=position))
        session.flush()


def unlink_persona(*, session: Session, journey: Journey, persona_id: int) -> None:
    link = session.get(JourneyPersona, (journey.id, persona_id))
    if link is None:
        raise NotFound(f"persona {persona_id} is not on this journey")
    session.delete(link)
    session.flush()


def move_persona(*, session: Session, journey: Journey, persona_id: int, direction: Direction):
    links = list(
        session.scalars(
            select(JourneyPersona)
            .where(JourneyPersona.journey_id == journey.id)
            .order_by(JourneyPersona.position, JourneyPersona.persona_id)
        )
    )
    link = next((lk for lk in links if lk.persona_id == persona_id), None)
    if link is None:
        raise NotFound(f"persona {persona_id} is not on this journey")
    swap(session, link, links, direction)
