"""Editing journeys: journeys, stages (with their backstage) and touchpoints (with targets)
— create, update, reorder, remove. Personas and opportunities live next door
(journey_personas.py, journey_opportunities.py) and share the lookups below.

One set of keyword-only functions serves the editor pages, the API and the
importer. Order is an explicit ``position``; ``move`` swaps with the neighbour,
so the no-JavaScript "up/down" buttons need nothing else. Removing a touchpoint
from a map keeps it (and its responses and surveys): only its stage is cleared.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.errors import Conflict, NotFound, ValidationFailed
from otklik.listen import journey_schemas as js
from otklik.listen.models import Journey, Stage, Touchpoint
from otklik.listen.ordering import Direction, next_position, swap
from otklik.org.models import Unit

# --- lookups -----------------------------------------------------------------------------------


def get_journey(*, session: Session, slug: str) -> Journey:
    journey = session.scalar(select(Journey).where(Journey.slug == slug))
    if journey is None:
        raise NotFound(f"journey {slug!r} does not exist")
    return journey


def get_on_journey(session: Session, model, ident: int, what: str, journey: Journey | None = None):
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
    set_texts(journey, data, ("name", "description"))
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
        position=next_position(session, Stage, Stage.journey_id, journey.id),
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
    stage = get_on_journey(session, Stage, stage_id, "stage", journey)
    set_texts(stage, data, ("name", "description", "backstage"))
    if "backstage_unit" in data.model_fields_set:
        stage.backstage_unit_id = unit_id(session, data.backstage_unit, field="backstage_unit")
    session.flush()
    return stage


def delete_stage(*, session: Session, journey: Journey, stage_id: int) -> None:
    stage = get_on_journey(session, Stage, stage_id, "stage", journey)
    for tp in list(stage.touchpoints):
        tp.stage_id = None
    session.flush()
    session.delete(stage)
    session.flush()


def move_stage(*, session: Session, journey: Journey, stage_id: int, direction: Direction):
    stage = get_on_journey(session, Stage, stage_id, "stage", journey)
    swap(session, stage, list(journey.stages), direction)


# --- touchpoints -------------------------------------------------------------------------------


def add_touchpoint(
    *, session: Session, journey: Journey, stage_id: int, data: js.TouchpointCreate
) -> Touchpoint:
    stage = get_on_journey(session, Stage, stage_id, "stage", journey)
    if session.scalar(select(Touchpoint.id).where(Touchpoint.code == data.code)) is not None:
        raise Conflict(f"a touchpoint with code {data.code!r} already exists")
    tp = Touchpoint(
        code=data.code,
        stage_id=stage.id,
        name=data.name,
        name_i18n=data.name_i18n.as_dict(),
        channel=data.channel,
        description=data.description,
        position=next_position(session, Touchpoint, Touchpoint.stage_id, stage.id),
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
    tp = get_on_journey(session, Touchpoint, touchpoint_id, "touchpoint", journey)
    set_texts(tp, data, ("name", "description"))
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
        target = get_on_journey(session, Stage, data.stage_id, "stage", journey)
        tp.stage_id = target.id
        tp.position = next_position(session, Touchpoint, Touchpoint.stage_id, target.id)
    session.flush()
    return tp


def remove_touchpoint(*, session: Session, journey: Journey, touchpoint_id: int) -> None:
    """Take the touchpoint off the map; it keeps its responses and surveys."""
    tp = get_on_journey(session, Touchpoint, touchpoint_id, "touchpoint", journey)
    tp.stage_id = None
    session.flush()


def move_touchpoint(
    *, session: Session, journey: Journey, touchpoint_id: int, direction: Direction
) -> None:
    tp = get_on_journey(session, Touchpoint, touchpoint_id, "touchpoint", journey)
    swap(session, tp, list(tp.stage.touchpoints), direction)


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


# --- helpers -----------------------------------------------------------------------------------


def set_texts(obj, data, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(data, name, None)
        if value is not None:
            setattr(obj, name, value)
    i18n = getattr(data, "name_i18n", None)
    if i18n is not None:
        obj.name_i18n = i18n.as_dict()


def next_touchpoint_position(session: Session, stage_id: int) -> int:
    return next_position(session, Touchpoint, Touchpoint.stage_id, stage_id)
