"""Journeys API: the editor's operations (journeys, stages, touchpoints, personas,
opportunities; create, update, reorder, remove), import/export as JSON or YAML, and the
live map's data.

Access: reads need a logged-in user (any role) or an API key; writes need a
logged-in admin or analyst, or an API key with the ``journeys:write`` scope (JSON
bodies only, so no CSRF token is needed — see the surveys API). The map reads
metrics, so an API key needs ``metrics:read`` for it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from otklik.access.apikeys import authenticate_api_key
from otklik.access.users import session_user
from otklik.listen import journey_io
from otklik.listen import journey_opportunities as opportunities
from otklik.listen import journey_personas as personas
from otklik.listen import journey_schemas as js
from otklik.listen import journeys as domain
from otklik.store.base import utcnow
from otklik.understand.journey import DEFAULT_DAYS, JourneyMap, build_journey_map
from otklik.web.deps import Forbidden, LoginRequired, MetricsReader, SessionDep, SettingsDep
from otklik.web.ui.journey_params import day_range

router = APIRouter(prefix="/api/v1/journeys", tags=["journeys"])

WRITE_ROLES = ("admin", "analyst")
WRITE_SCOPE = "journeys:write"
_DOC = {
    401: {"description": "Neither a session nor an API key."},
    403: {"description": "Role or API key scope does not allow this."},
    404: {"description": "No such journey (or the object is not on it)."},
    422: {"description": "Invalid input; `loc` names the field or file path."},
}


def _access(request: Request, db: Session, *, write: bool) -> None:
    user = session_user(
        session=db, user_id=request.session.get("uid"), version=request.session.get("sv")
    )
    if user is not None:
        if write and user.role not in WRITE_ROLES:
            raise Forbidden()
        return
    key = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if key is None and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    principal = authenticate_api_key(session=db, key=key) if key else None
    if principal is None:
        raise LoginRequired()
    if write and WRITE_SCOPE not in principal.scopes:
        raise Forbidden()


def can_read(request: Request, db: SessionDep) -> None:
    _access(request, db, write=False)


def can_write(request: Request, db: SessionDep) -> None:
    _access(request, db, write=True)


Read = [Depends(can_read)]
Write = [Depends(can_write)]
Direction = Annotated[Literal["up", "down"], Query(description="Swap with the neighbour.")]


def _public(db: Session, slug: str) -> js.JourneyPublic:
    db.commit()
    journey = domain.get_journey(session=db, slug=slug)
    db.refresh(journey)
    return journey_io.journey_public(session=db, journey=journey)


@router.get("", response_model=list[js.JourneySummary], dependencies=Read, responses=_DOC)
def list_journeys(db: SessionDep) -> list[js.JourneySummary]:
    """Every journey of the company."""
    return domain.list_journeys(session=db)


@router.post(
    "", response_model=js.JourneyPublic, status_code=201, dependencies=Write, responses=_DOC
)
def create_journey(db: SessionDep, data: js.JourneyCreate) -> js.JourneyPublic:
    journey = domain.create_journey(session=db, data=data)
    return _public(db, journey.slug)


@router.post("/import", response_model=js.JourneyPublic, dependencies=Write, responses=_DOC)
def import_journey(
    db: SessionDep,
    body: Annotated[str, Body(media_type="text/plain", description="The file's text.")],
    format: Annotated[Literal["json", "yaml"], Query(description="File format.")] = "json",
) -> js.JourneyPublic:
    """Create or replace a journey from a file (the shape `GET …/export` writes). Errors name
    the path in the file, e.g. `stages[1].touchpoints[0].channel`."""
    doc = journey_io.parse(body, format)
    journey = journey_io.import_document(session=db, doc=doc)
    return _public(db, journey.slug)


@router.get("/{slug}", response_model=js.JourneyPublic, dependencies=Read, responses=_DOC)
def get_journey(db: SessionDep, slug: str) -> js.JourneyPublic:
    return _public(db, slug)


@router.patch("/{slug}", response_model=js.JourneyPublic, dependencies=Write, responses=_DOC)
def update_journey(db: SessionDep, slug: str, data: js.JourneyUpdate) -> js.JourneyPublic:
    journey = domain.get_journey(session=db, slug=slug)
    domain.update_journey(session=db, journey=journey, data=data)
    return _public(db, journey.slug)


@router.delete("/{slug}", status_code=204, dependencies=Write, responses=_DOC)
def delete_journey(db: SessionDep, slug: str) -> Response:
    """Delete the map; its touchpoints (and their responses) stay."""
    domain.delete_journey(session=db, journey=domain.get_journey(session=db, slug=slug))
    db.commit()
    return Response(status_code=204)


@router.get("/{slug}/export", dependencies=Read, responses=_DOC)
def export_journey(db: SessionDep, slug: str, format: Literal["json", "yaml"] = "json") -> Response:
    """The journey as a file for `POST /import` (units and touchpoints by code)."""
    doc = journey_io.export_document(session=db, journey=domain.get_journey(session=db, slug=slug))
    media = "application/json" if format == "json" else "application/yaml"
    return Response(
        journey_io.dump(doc, format),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}.{format}"'},
    )


@router.get("/{slug}/map", response_model=JourneyMap, responses=_DOC)
def journey_map(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    reader: MetricsReader,
    slug: str,
    days: Annotated[int, Query(ge=1, le=3660)] = DEFAULT_DAYS,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Inclusive.")] = None,
    compare_from: date | None = None,
    compare_to: date | None = None,
    lang: Literal["ru", "en"] = "en",
) -> JourneyMap:
    """The live map's data: per-touchpoint and per-stage metrics (the metrics engine's numbers,
    with change vs the comparison period), emotion curve, pain points with their factors,
    themes and quotes, opportunities and targets."""
    from otklik.understand.engine import analytics_engine

    since, until = day_range(date_from, date_to)
    c_since, c_until = day_range(compare_from, compare_to)
    return build_journey_map(
        session=db,
        slug=slug,
        now=utcnow(),
        days=days,
        since=since,
        until=until,
        compare_since=c_since,
        compare_until=c_until,
        min_n=settings.min_n,
        lang=lang,
        engine=analytics_engine(data_dir=settings.data_dir, engine=request.app.state.engine),
    )


# --- stages ------------------------------------------------------------------------------------


@router.post(
    "/{slug}/stages",
    response_model=js.JourneyPublic,
    status_code=201,
    dependencies=Write,
    responses=_DOC,
)
def add_stage(db: SessionDep, slug: str, data: js.StageCreate) -> js.JourneyPublic:
    domain.add_stage(session=db, journey=domain.get_journey(session=db, slug=slug), data=data)
    return _public(db, slug)


@router.patch(
    "/{slug}/stages/{stage_id}", response_model=js.JourneyPublic, dependencies=Write, responses=_DOC
)
def update_stage(db: SessionDep, slug: str, stage_id: int, data: js.StageUpdate):
    journey = domain.get_journey(session=db, slug=slug)
    domain.update_stage(session=db, journey=journey, stage_id=stage_id, data=data)
    return _public(db, slug)


@router.delete(
    "/{slug}/stages/{stage_id}", response_model=js.JourneyPublic, dependencies=Write, responses=_DOC
)
def delete_stage(db: SessionDep, slug: str, stage_id: int):
    """Remove a stage; its touchpoints leave the map but keep their responses."""
    journey = domain.get_journey(session=db, slug=slug)
    domain.delete_stage(session=db, journey=journey, stage_id=stage_id)
    return _public(db, slug)


@router.post(
    "/{slug}/stages/{stage_id}/move",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def move_stage(db: SessionDep, slug: str, stage_id: int, direction: Direction):
    journey = domain.get_journey(session=db, slug=slug)
    domain.move_stage(session=db, journey=journey, stage_id=stage_id, direction=direction)
    return _public(db, slug)


# --- touchpoints -------------------------------------------------------------------------------


@router.post(
    "/{slug}/stages/{stage_id}/touchpoints",
    response_model=js.JourneyPublic,
    status_code=201,
    dependencies=Write,
    responses=_DOC,
)
def add_touchpoint(db: SessionDep, slug: str, stage_id: int, data: js.TouchpointCreate):
    journey = domain.get_journey(session=db, slug=slug)
    domain.add_touchpoint(session=db, journey=journey, stage_id=stage_id, data=data)
    return _public(db, slug)


@router.patch(
    "/{slug}/touchpoints/{touchpoint_id}",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def update_touchpoint(db: SessionDep, slug: str, touchpoint_id: int, data: js.TouchpointUpdate):
    journey = domain.get_journey(session=db, slug=slug)
    domain.update_touchpoint(session=db, journey=journey, touchpoint_id=touchpoint_id, data=data)
    return _public(db, slug)


@router.delete(
    "/{slug}/touchpoints/{touchpoint_id}",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def remove_touchpoint(db: SessionDep, slug: str, touchpoint_id: int):
    """Take a touchpoint off the map (it keeps its responses and surveys)."""
    journey = domain.get_journey(session=db, slug=slug)
    domain.remove_touchpoint(session=db, journey=journey, touchpoint_id=touchpoint_id)
    return _public(db, slug)


@router.post(
    "/{slug}/touchpoints/{touchpoint_id}/move",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def move_touchpoint(db: SessionDep, slug: str, touchpoint_id: int, direction: Direction):
    journey = domain.get_journey(session=db, slug=slug)
    domain.move_touchpoint(
        session=db, journey=journey, touchpoint_id=touchpoint_id, direction=direction
    )
    return _public(db, slug)


# --- personas ----------------------------------------------------------------------------------


@router.post(
    "/{slug}/personas",
    response_model=js.JourneyPublic,
    status_code=201,
    dependencies=Write,
    responses=_DOC,
)
def add_persona(db: SessionDep, slug: str, data: js.PersonaCreate):
    """Save a persona (company-wide, by slug) and put it on this journey."""
    journey = domain.get_journey(session=db, slug=slug)
    persona = personas.save_persona(session=db, data=data)
    personas.link_persona(session=db, journey=journey, persona=persona)
    return _public(db, slug)


@router.patch(
    "/{slug}/personas/{persona_id}",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def update_persona(db: SessionDep, slug: str, persona_id: int, data: js.PersonaUpdate):
    domain.get_journey(session=db, slug=slug)
    personas.update_persona(session=db, persona_id=persona_id, data=data)
    return _public(db, slug)


@router.delete(
    "/{slug}/personas/{persona_id}",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def unlink_persona(db: SessionDep, slug: str, persona_id: int):
    """Take the persona off this journey (it stays for other journeys)."""
    journey = domain.get_journey(session=db, slug=slug)
    personas.unlink_persona(session=db, journey=journey, persona_id=persona_id)
    return _public(db, slug)


@router.post(
    "/{slug}/personas/{persona_id}/move",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def move_persona(db: SessionDep, slug: str, persona_id: int, direction: Direction):
    journey = domain.get_journey(session=db, slug=slug)
    personas.move_persona(session=db, journey=journey, persona_id=persona_id, direction=direction)
    return _public(db, slug)


# --- opportunities -----------------------------------------------------------------------------


@router.post(
    "/{slug}/opportunities",
    response_model=js.JourneyPublic,
    status_code=201,
    dependencies=Write,
    responses=_DOC,
)
def add_opportunity(db: SessionDep, slug: str, data: js.OpportunityCreate):
    opportunities.add_opportunity(
        session=db, journey=domain.get_journey(session=db, slug=slug), data=data
    )
    return _public(db, slug)


@router.patch(
    "/{slug}/opportunities/{opportunity_id}",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def update_opportunity(db: SessionDep, slug: str, opportunity_id: int, data: js.OpportunityUpdate):
    journey = domain.get_journey(session=db, slug=slug)
    opportunities.update_opportunity(
        session=db, journey=journey, opportunity_id=opportunity_id, data=data
    )
    return _public(db, slug)


@router.delete(
    "/{slug}/opportunities/{opportunity_id}",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def delete_opportunity(db: SessionDep, slug: str, opportunity_id: int):
    journey = domain.get_journey(session=db, slug=slug)
    opportunities.delete_opportunity(session=db, journey=journey, opportunity_id=opportunity_id)
    return _public(db, slug)


@router.post(
    "/{slug}/opportunities/{opportunity_id}/move",
    response_model=js.JourneyPublic,
    dependencies=Write,
    responses=_DOC,
)
def move_opportunity(db: SessionDep, slug: str, opportunity_id: int, direction: Direction):
    journey = domain.get_journey(session=db, slug=slug)
    opportunities.move_opportunity(
        session=db, journey=journey, opportunity_id=opportunity_id, direction=direction
    )
    return _public(db, slug)
