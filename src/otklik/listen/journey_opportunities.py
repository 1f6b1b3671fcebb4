"""Opportunities on a journey: improvement ideas with an owner and a status, ordered, and
optionally tied to a touchpoint (they become initiatives when the Act part arrives)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.listen import journey_schemas as js
from otklik.listen.journey_models import Opportunity
from otklik.listen.journeys import get_on_journey, touchpoint_on_journey, unit_id
from otklik.listen.models import Journey
from otklik.listen.ordering import Direction, next_position, swap


def add_opportunity(
    *, session: Session, journey: Journey, data: js.OpportunityCreate
) -> Opportunity:
    opp = Opportunity(
        journey_id=journey.id,
        position=next_position(session, Opportunity, Opportunity.journey_id, journey.id),
    )
    _fill_opportunity(session, journey, opp, data)
    session.add(opp)
    session.flush()
    return opp


def update_opportunity(
    *, session: Session, journey: Journey, opportunity_id: int, data: js.OpportunityUpdate
) -> Opportunity:
    opp = get_on_journey(session, Opportunity, opportunity_id, "opportunity", journey)
    _fill_opportunity(session, journey, opp, data)
    session.flush()
    return opp


def delete_opportunity(*, session: Session, journey: Journey, opportunity_id: int) -> None:
    session.delete(get_on_journey(session, Opportunity, opportunity_id, "opportunity", journey))
    session.flush()


def move_opportunity(
    *, session: Session, journey: Journey, opportunity_id: int, direction: Direction
) -> None:
    opp = get_on_journey(session, Opportunity, opportunity_id, "opportunity", journey)
    siblings = session.scalars(
        select(Opportunity)
        .where(Opportunity.journey_id == journey.id)
        .order_by(Opportunity.position, Opportunity.id)
    )
    swap(session, opp, list(siblings), direction)


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
