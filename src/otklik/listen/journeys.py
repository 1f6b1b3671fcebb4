"""Editing journeys: journeys, stages (with their backstage), touchpoints (with targets),
personas and opportunities — create, update, reorder, remove.

One set of keyword-only functions serves the editor pages, the API and the
importer. Order is an explicit ``position``; ``move`` swaps with the neighbour,
so the no-JavaScript "up/down" buttons need nothing else. Removing a touchpoint
from a map keeps it (and its responses and surveys): only its stage is cleared.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.errors import Conflict, NotFound, ValidationFailed
from otklik.listen import journey_schemas as js
from otklik.listen.journey_models import JourneyPersona, Opportunity, Persona
from otklik.listen.models import Journey, Stage, Survey, Touchpoint
from otklik.org.models import Unit

Direction = Literal["up", "down"]


# --- lookups -----------------------------------------------------------------------------------


def get_journey(*, session: Session, slug: str) -> Journey:
    journey = session.scalar(select(Journey).where(Journey.slug == slug))
    if journey is None:
        raise NotFound(f"journey {slug!r} does not exist")
    return journey


def _get(session: Session, model, ident: int, what: str, journey: Journey | None = None):
    obj = session.get(model, ident)
    owner = getattr(obj, "journey_id", None)
    if isinstance(obj, Touchpoint):
        owner = obj.stage.journey_id if obj.stage else None
    if obj is None or (journey is not None and owner != journey.id):
        raise NotFound(f"{what} {ident} is not on this journey")
    return obj


def unit_id(session: Session, code: str | None, *, field: str) -> int | None:
    """A unit code → its id; None/"" clears. Unknown codes name the field."""
    if not code:
        return None
    found = session.scalar(select(Unit.id).where(Unit.code == code))
    if found is None:
        raise ValidationFailed(f"{field}: unknown unit {code!r}", field=field)
    return found


# --- journeys ----------------------------------------------------------------------------------


def list_journeys(*, session: Session) -> list[js.JourneySummary]:
    stages = dict(
        session.execute(select(Stage.journey_id, func.count()).group_by(Stage.journey_id)).all()
    )
    tps = dict(
        session.execute(
            select(Stage.journey_id, func.count(Touchpoint.id))
            .join(Touchpoint, Touchpoint.stage_id == Stage.id)
            .group_by(Stage.journey_id)
        ).all()
    )
    return [
        js.JourneySummary(
            id=j.id,
            slug=j.slug,
            name=j.name,
            name_i18n=j.name_i18n or {},
            description=j.description or "",
            stages=stages.get(j.id, 0),
            touchpoints=tps.get(j.id, 0),
        )
        for j in session.scalars(select(Journey).order_by(Journey.name, Journey.id))
    ]


def create_journey(*, session: Session, data: js.JourneyCreate) -> Journey:
    if session.scalar(select(Journey.id).where(Journey.slug == data.slug)) is not None:
        raise Conflict(f"a journey with slug {data.slug!r} already exists")
    journey = Journey(
        slug=data.slug,
        name=data.name,
        name_i18n=data.name_i18n.as_dict(),
        description=data.description,
    )
    session.add(journey)
    session.flush()
    return journey


def update_journey(*, session: Session, journey: Journey, data: js.JourneyUpdate) -> Journey:
    if data.slug and data.slug != journey.slug:
        if session.scalar(select(Journey.id).where(Journey.slug == data.slug)) is not None:
            raise Conflict(f"a journey with slug {data.slug!r} already exists")
        journey.slug = data.slug
    _set_texts(journey, data, ("name", "description"))
    session.flush()
    return journey


def delete_journey(*, session: Session, journey: Journey) -> None:
    """Delete the map; its touchpoints stay (with responses), detached from any stage."""
    for stage in journey.stages:
        for tp in list(stage.touchpoints):
            tp.stage_id = None
    session.flush()
    session.delete(journey)
    session.flush()


# --- stages ------------------------------------------------------------------------------------


def add_stage(*, session: Session, journey: Journey, data: js.StageCreate) -> Stage:
    stage = Stage(
        journey_id=journey.id,
        position=_next_position(session, Stage, Stage.journey_id, journey.id),
        name=data.name,
        name_i18n=data.name_i18n.as_dict(),
        description=data.description,
        backstage=data.backstage,
        backstage_unit_id=unit_id(session, data.backstage_unit, field="backstage_unit"),
    )
    session.add(stage)
    session.flush()
    return stage


def update_stage(*, session: Session, journey: Journey, stage_id: int, data: js.StageUpdate):
    stage = _get(session, Stage, stage_id, "stage", journey)
    _set_texts(stage, data, ("name", "description", "backstage"))
    if "backstage_unit" in data.model_fields_set:
        stage.backstage_unit_id = unit_id(session, data.backstage_unit, field="backstage_unit")
    session.flush()
    return stage


def delete_stage(*, session: Session, journey: Journey, stage_id: int) -> None:
    stage = _get(session, Stage, stage_id, "stage", journey)
    for tp in list(stage.touchpoints):
        tp.stage_id = None
    session.flush()
    session.delete(stage)
    session.flush()


def move_stage(*, session: Session, journey: Journey, stage_id: int, direction: Direction):
    stage = _get(session, Stage, stage_id, "stage", journey)
    _swap(session, stage, list(journey.stages), direction)


# --- touchpoints -------------------------------------------------------------------------------


def add_touchpoint(
    *, session: Session, journey: Journey, stage_id: int, data: js.TouchpointCreate
) -> Touchpoint:
    stage = _get(session, Stage, stage_id, "stage", journey)
    if session.scalar(select(Touchpoint.id).where(Touchpoint.code == data.code)) is not None:
        raise Conflict(f"a touchpoint with code {data.code!r} already exists")
    tp = Touchpoint(
        code=data.code,
        stage_id=stage.id,
        name=data.name,
        name_i18n=data.name_i18n.as_dict(),
        channel=data.channel,
        description=data.description,
        position=_next_position(session, Touchpoint, Touchpoint.stage_id, stage.id),
        owner_unit_id=unit_id(session, data.owner_unit, field="owner_unit"),
        target_nps=data.targets.nps,
        target_csat=data.targets.csat,
        target_ces=data.targets.ces,
    )
    session.add(tp)
    session.flush()
    return tp


def update_touchpoint(
    *, session: Session, journey: Journey, touchpoint_id: int, data: js.TouchpointUpdate
) -> Touchpoint:
    tp = _get(session, Touchpoint, touchpoint_id, "touchpoint", journey)
    _set_texts(tp, data, ("name", "description"))
    if data.channel is not None:
        tp.channel = data.channel
    if "owner_unit" in data.model_fields_set:
        tp.owner_unit_id = unit_id(session, data.owner_unit, field="owner_unit")
    if data.targets is not None:
        tp.target_nps, tp.target_csat, tp.target_ces = (
            data.targets.nps,
            data.targets.csat,
            data.targets.ces,
        )
    if data.stage_id is not None and data.stage_id != tp.stage_id:
        target = _get(session, Stage, data.stage_id, "stage", journey)
        tp.stage_id = target.id
        tp.position = _next_position(session, Touchpoint, Touchpoint.stage_id, target.id)
    session.flush()
    return tp


def remove_touchpoint(*, session: Session, journey: Journey, touchpoint_id: int) -> None:
    """Take the touchpoint off the map; it keeps its responses and surveys."""
    tp = _get(session, Touchpoint, touchpoint_id, "touchpoint", journey)
    tp.stage_id = None
    session.flush()


def move_touchpoint(
    *, session: Session, journey: Journey, touchpoint_id: int, direction: Direction
) -> None:
    tp = _get(session, Touchpoint, touchpoint_id, "touchpoint", journey)
    _swap(session, tp, list(tp.stage.touchpoints), direction)


# --- personas ----------------------------------------------------------------------------------


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
    _set_texts(persona, data, ("name", "description"))
    if data.description_i18n is not None:
        persona.description_i18n = data.description_i18n.as_dict()
    session.flush()
    return persona


def link_persona(*, session: Session, journey: Journey, persona: Persona) -> None:
    if session.get(JourneyPersona, (journey.id, persona.id)) is None:
        position = _next_position(session, JourneyPersona, JourneyPersona.journey_id, journey.id)
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
    _swap(session, link, links, direction)


# --- opportunities -----------------------------------------------------------------------------


def add_opportunity(
    *, session: Session, journey: Journey, data: js.OpportunityCreate
) -> Opportunity:
    opp = Opportunity(
        journey_id=journey.id,
        position=_next_position(session, Opportunity, Opportunity.journey_id, journey.id),
    )
    _fill_opportunity(session, journey, opp, data)
    session.add(opp)
    session.flush()
    return opp


def update_opportunity(
    *, session: Session, journey: Journey, opportunity_id: int, data: js.OpportunityUpdate
) -> Opportunity:
    opp = _get(session, Opportunity, opportunity_id, "opportunity", journey)
    _fill_opportunity(session, journey, opp, data)
    session.flush()
    return opp


def delete_opportunity(*, session: Session, journey: Journey, opportunity_id: int) -> None:
    session.delete(_get(session, Opportunity, opportunity_id, "opportunity", journey))
    session.flush()


def move_opportunity(
    *, session: Session, journey: Journey, opportunity_id: int, direction: Direction
) -> None:
    opp = _get(session, Opportunity, opportunity_id, "opportunity", journey)
    siblings = session.scalars(
        select(Opportunity)
        .where(Opportunity.journey_id == journey.id)
        .order_by(Opportunity.position, Opportunity.id)
    )
    _swap(session, opp, list(siblings), direction)


def _fill_opportunity(session, journey, opp: Opportunity, data) -> None:
    fields = data.model_fields_set if isinstance(data, js.OpportunityUpdate) else None
    for name in ("title", "description", "owner", "status"):
        value = getattr(data, name)
        if value is not None and (fields is None or name in fields):
            setattr(opp, name, value)
    if fields is None or "owner_unit" in fields:
        opp.owner_unit_id = unit_id(session, data.owner_unit, field="owner_unit")
    if fields is None or "touchpoint" in fields:
        opp.touchpoint_id = touchpoint_on_journey(session, journey, data.touchpoint)


def touchpoint_on_journey(session: Session, journey: Journey, code: str | None) -> int | None:
    if not code:
        return None
    found = session.scalar(
        select(Touchpoint.id)
        .join(Stage, Stage.id == Touchpoint.stage_id)
        .where(Touchpoint.code == code, Stage.journey_id == journey.id)
    )
    if found is None:
        raise ValidationFailed(f"touchpoint: {code!r} is not on this journey", field="touchpoint")
    return found


# --- the public shape --------------------------------------------------------------------------


def journey_public(*, session: Session, journey: Journey) -> js.JourneyPublic:
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    surveys: dict[int, list[str]] = {}
    for tp_id, slug in session.execute(
        select(Survey.touchpoint_id, Survey.slug).order_by(Survey.slug)
    ):
        surveys.setdefault(tp_id, []).append(slug)
    codes = {}
    stages = []
    for stage in journey.stages:
        tps = []
        for tp in stage.touchpoints:
            codes[tp.id] = tp.code
            tps.append(
                js.TouchpointPublic(
                    id=tp.id,
                    code=tp.code,
                    position=tp.position,
                    name=tp.name,
                    name_i18n=tp.name_i18n or {},
                    channel=tp.channel,
                    description=tp.description or "",
                    owner_unit=units.get(tp.owner_unit_id),
                    targets=js.Targets(nps=tp.target_nps, csat=tp.target_csat, ces=tp.target_ces),
                    surveys=surveys.get(tp.id, []),
                )
            )
        stages.append(
            js.StagePublic(
                id=stage.id,
                position=stage.position,
                name=stage.name,
                name_i18n=stage.name_i18n or {},
                description=stage.description or "",
                backstage=stage.backstage or "",
                backstage_unit=units.get(stage.backstage_unit_id),
                touchpoints=tps,
            )
        )
    personas = [
        js.PersonaPublic(
            id=p.id,
            slug=p.slug,
            name=p.name,
            name_i18n=p.name_i18n or {},
            description=p.description or "",
            description_i18n=p.description_i18n or {},
        )
        for p in journey_personas(session=session, journey=journey)
    ]
    opps = [
        js.OpportunityPublic(
            id=o.id,
            position=o.position,
            title=o.title,
            description=o.description or "",
            owner=o.owner or "",
            owner_unit=units.get(o.owner_unit_id),
            status=o.status,
            touchpoint=codes.get(o.touchpoint_id),
        )
        for o in session.scalars(
            select(Opportunity)
            .where(Opportunity.journey_id == journey.id)
            .order_by(Opportunity.position, Opportunity.id)
        )
    ]
    return js.JourneyPublic(
        id=journey.id,
        slug=journey.slug,
        name=journey.name,
        name_i18n=journey.name_i18n or {},
        description=journey.description or "",
        personas=personas,
        stages=stages,
        opportunities=opps,
    )


# --- helpers -----------------------------------------------------------------------------------


def _set_texts(obj, data, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(data, name, None)
        if value is not None:
            setattr(obj, name, value)
    i18n = getattr(data, "name_i18n", None)
    if i18n is not None:
        obj.name_i18n = i18n.as_dict()


def next_touchpoint_position(session: Session, stage_id: int) -> int:
    return _next_position(session, Touchpoint, Touchpoint.stage_id, stage_id)


def _next_position(session: Session, model, column, value) -> int:
    current = session.scalar(select(func.max(model.position)).where(column == value))
    return 1 if current is None else current + 1


def _swap(session: Session, item, siblings: list, direction: Direction) -> None:
    """Swap ``item`` with its neighbour; positions are renumbered 1…n first, so duplicates
    and gaps left by imports or deletions never make a move a no-op."""
    siblings.sort(key=lambda s: (s.position, getattr(s, "id", 0) or 0))
    for i, sib in enumerate(siblings, start=1):
        sib.position = i
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        item.position, siblings[other].position = siblings[other].position, item.position
    session.flush()
