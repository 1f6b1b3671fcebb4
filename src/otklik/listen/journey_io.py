"""A journey as a document: its public form (API, editor, map), and as a file (JSON or
YAML): export, validate, import.

The file names units and touchpoints by code, so it moves between
installations. Import is an upsert by slug: the journey's stages and
opportunities are replaced by the file's, personas are saved by slug, and a
touchpoint whose code already exists is updated and moved onto the map —
keeping its responses and surveys, which is what re-importing an edited map
must do. Every validation error names its path (``stages[2].touchpoints[0].channel``).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen import journey_opportunities as opportunities
from otklik.listen import journey_personas as personas
from otklik.listen import journey_schemas as js
from otklik.listen import journeys as domain
from otklik.listen.journey_models import Opportunity
from otklik.listen.models import Journey, Survey, Touchpoint
from otklik.org.models import Unit

Format = Literal["json", "yaml"]


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
    people = [
        js.PersonaPublic(
            id=p.id,
            slug=p.slug,
            name=p.name,
            name_i18n=p.name_i18n or {},
            description=p.description or "",
            description_i18n=p.description_i18n or {},
        )
        for p in personas.journey_personas(session=session, journey=journey)
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
        personas=people,
        stages=stages,
        opportunities=opps,
    )


def export_document(*, session: Session, journey: Journey) -> dict[str, Any]:
    """The journey as a plain dict in the file format (no ids)."""
    pub = journey_public(session=session, journey=journey)
    codes = {tp.code for st in pub.stages for tp in st.touchpoints}

    def i18n(d: dict) -> dict:
        return {k: d[k] for k in ("ru", "en") if d.get(k)}

    doc: dict[str, Any] = {
        "otklik_journey": js.FORMAT_VERSION,
        "slug": pub.slug,
        "name": pub.name,
        "name_i18n": i18n(pub.name_i18n),
        "description": pub.description,
        "personas": [
            {
                "slug": p.slug,
                "name": p.name,
                "name_i18n": i18n(p.name_i18n),
                "description": p.description,
                "description_i18n": i18n(p.description_i18n),
            }
            for p in pub.personas
        ],
        "stages": [
            {
                "name": s.name,
                "name_i18n": i18n(s.name_i18n),
                "description": s.description,
                "backstage": s.backstage,
                "backstage_unit": s.backstage_unit,
                "touchpoints": [
                    {
                        "code": t.code,
                        "name": t.name,
                        "name_i18n": i18n(t.name_i18n),
                        "channel": t.channel,
                        "description": t.description,
                        "owner_unit": t.owner_unit,
                        "targets": t.targets.model_dump(exclude_none=True),
                    }
                    for t in s.touchpoints
                ],
            }
            for s in pub.stages
        ],
        "opportunities": [
            {
                "title": o.title,
                "description": o.description,
                "owner": o.owner,
                "owner_unit": o.owner_unit,
                "status": o.status,
                "touchpoint": o.touchpoint if o.touchpoint in codes else None,
            }
            for o in pub.opportunities
        ],
    }
    return doc


def dump(doc: dict[str, Any], fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def parse(text: str, fmt: Format) -> js.JourneyDocument:
    """File text → a validated document; ValidationFailed names the path of the first error."""
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"file: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            field="file",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ValidationFailed(f"file: not valid YAML{where}", field="file") from None
    return validate(data)


def validate(data: Any) -> js.JourneyDocument:
    if not isinstance(data, dict):
        raise ValidationFailed(
            "file: the top level must be a mapping (slug, name, stages …)", field="file"
        )
    try:
        return js.JourneyDocument.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = error_path(err["loc"]) or "file"
        raise ValidationFailed(f"{path}: {err['msg']}", field=path) from None


def error_path(loc) -> str:
    """pydantic's ``('stages', 2, 'touchpoints', 0, 'channel')`` →
    ``stages[2].touchpoints[0].channel``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def import_document(*, session: Session, doc: js.JourneyDocument) -> Journey:
    """Create or replace the journey ``doc.slug``; the caller commits."""
    _check_references(session, doc)
    journey = session.scalar(select(Journey).where(Journey.slug == doc.slug))
    if journey is None:
        journey = domain.create_journey(
            session=session,
            data=js.JourneyCreate(
                slug=doc.slug, name=doc.name, name_i18n=doc.name_i18n, description=doc.description
            ),
        )
    else:
        domain.update_journey(
            session=session,
            journey=journey,
            data=js.JourneyUpdate(
                name=doc.name, name_i18n=doc.name_i18n, description=doc.description
            ),
        )
        for stage in list(journey.stages):
            domain.delete_stage(session=session, journey=journey, stage_id=stage.id)
        for opp in session.scalars(select(Opportunity).where(Opportunity.journey_id == journey.id)):
            session.delete(opp)
        session.flush()
        session.refresh(journey)
    for link in personas.journey_personas(session=session, journey=journey):
        personas.unlink_persona(session=session, journey=journey, persona_id=link.id)
    for p in doc.personas:
        persona = personas.save_persona(session=session, data=p)
        personas.link_persona(session=session, journey=journey, persona=persona)
    for s in doc.stages:
        stage = domain.add_stage(
            session=session,
            journey=journey,
            data=js.StageCreate(**s.model_dump(exclude={"touchpoints"})),
        )
        for t in s.touchpoints:
            existing = session.scalar(select(Touchpoint).where(Touchpoint.code == t.code))
            if existing is None:
                domain.add_touchpoint(session=session, journey=journey, stage_id=stage.id, data=t)
                continue
            existing.stage_id = stage.id
            existing.position = domain.next_touchpoint_position(session, stage.id)
            session.flush()
            session.expire(existing, ["stage"])
            domain.update_touchpoint(
                session=session,
                journey=journey,
                touchpoint_id=existing.id,
                data=js.TouchpointUpdate(**t.model_dump(exclude={"code"})),
            )
    session.flush()
    session.refresh(journey)
    for o in doc.opportunities:
        opportunities.add_opportunity(session=session, journey=journey, data=o)
    session.flush()
    return journey


def _check_references(session: Session, doc: js.JourneyDocument) -> None:
    """Unknown unit codes and opportunities on touchpoints outside the file, by path —
    before anything is written."""
    for i, s in enumerate(doc.stages):
        domain.unit_id(session, s.backstage_unit, field=f"stages[{i}].backstage_unit")
        for k, t in enumerate(s.touchpoints):
            domain.unit_id(session, t.owner_unit, field=f"stages[{i}].touchpoints[{k}].owner_unit")
    codes = {t.code for s in doc.stages for t in s.touchpoints}
    for i, o in enumerate(doc.opportunities):
        domain.unit_id(session, o.owner_unit, field=f"opportunities[{i}].owner_unit")
        if o.touchpoint and o.touchpoint not in codes:
            raise ValidationFailed(
                f"opportunities[{i}].touchpoint: {o.touchpoint!r} is not a touchpoint of this "
                "journey",
                field=f"opportunities[{i}].touchpoint",
            )
