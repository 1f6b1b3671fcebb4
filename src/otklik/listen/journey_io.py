"""A journey as a file (JSON or YAML): export, validate, import.

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
from otklik.listen import journey_schemas as js
from otklik.listen import journeys as domain
from otklik.listen.journey_models import Opportunity
from otklik.listen.models import Journey, Touchpoint

Format = Literal["json", "yaml"]


def export_document(*, session: Session, journey: Journey) -> dict[str, Any]:
    """The journey as a plain dict in the file format (no ids)."""
    pub = domain.journey_public(session=session, journey=journey)
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
    for link in domain.journey_personas(session=session, journey=journey):
        domain.unlink_persona(session=session, journey=journey, persona_id=link.id)
    for p in doc.personas:
        persona = domain.save_persona(session=session, data=p)
        domain.link_persona(session=session, journey=journey, persona=persona)
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
        domain.add_opportunity(session=session, journey=journey, data=o)
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
