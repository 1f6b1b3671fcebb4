"""The journey editor: plain HTML forms with CSRF and POST-redirect-GET (no JavaScript):
journeys, stages and their backstage, touchpoints and targets, personas, opportunities;
up/down buttons reorder; JSON/YAML import and export.

Every form calls the same domain functions as the API (``listen.journeys``,
``listen.journey_io``); a refused change comes back as a message naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.access.models import User
from otklik.errors import OtklikError
from otklik.listen import journey_io
from otklik.listen import journey_opportunities as opportunities
from otklik.listen import journey_personas as personas
from otklik.listen import journey_schemas as js
from otklik.listen import journeys as domain
from otklik.listen.journey_models import OPPORTUNITY_STATUSES
from otklik.listen.models import CHANNELS, Journey
from otklik.org.models import Unit
from otklik.web.csrf import CsrfChecked
from otklik.web.deps import CurrentUser, SessionDep, require_role
from otklik.web.ui.templating import render

router = APIRouter(prefix="/journeys", include_in_schema=False)
Editor = require_role("admin", "analyst")
WRITE = [CsrfChecked]
MAX_FILE = 1024 * 1024


def _flash(request: Request, kind: str, text: str) -> None:
    request.session.setdefault("flash", []).append([kind, text])


def _i18n(form, prefix: str) -> dict[str, str | None]:
    return {"ru": _s(form, f"{prefix}_ru") or None, "en": _s(form, f"{prefix}_en") or None}


def _s(form, name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _num(form, name: str) -> float | None:
    value = _s(form, name).replace(",", ".")
    return float(value) if value else None


async def _apply(request: Request, db: Session, slug: str | None, change: Callable) -> Any:
    """Run ``change(form)``; commit and go back to the editor, or flash why not."""
    form = await request.form()
    target = f"/journeys/{slug}/edit" if slug else "/journeys"
    try:
        result = change(form)
    except ValidationError as exc:
        db.rollback()
        err = exc.errors()[0]
        _flash(request, "error", f"{journey_io.error_path(err['loc'])}: {err['msg']}")
    except (OtklikError, ValueError) as exc:
        db.rollback()
        _flash(request, "error", str(exc))
    else:
        db.commit()
        _flash(request, "ok", "saved")
        if isinstance(result, Journey):
            target = f"/journeys/{result.slug}/edit"
    return RedirectResponse(target, status_code=303)


# --- journeys, import and export ---------------------------------------------------------------


@router.post("", dependencies=WRITE)
async def journey_create(request: Request, db: SessionDep, user: User = Editor):
    def change(form):
        data = js.JourneyCreate(
            slug=_s(form, "slug"),
            name=_s(form, "name"),
            name_i18n=_i18n(form, "name"),
            description=_s(form, "description"),
        )
        return domain.create_journey(session=db, data=data)

    return await _apply(request, db, None, change)


@router.post("/import", dependencies=WRITE)
async def journey_import(request: Request, db: SessionDep, user: User = Editor):
    form = await request.form()
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        _flash(request, "error", "file: choose a JSON or YAML file")
        return RedirectResponse("/journeys", status_code=303)
    raw = await upload.read(MAX_FILE + 1)
    name = (upload.filename or "").lower()
    fmt: Literal["json", "yaml"] = "json" if name.endswith(".json") else "yaml"

    def change(_form):
        if len(raw) > MAX_FILE:
            raise ValueError("file: larger than 1 MiB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("file: not UTF-8 text") from None
        return journey_io.import_document(session=db, doc=journey_io.parse(text, fmt))

    return await _apply(request, db, None, change)


@router.get("/{slug}/export.{fmt}")
def journey_export(db: SessionDep, user: CurrentUser, slug: str, fmt: Literal["json", "yaml"]):
    doc = journey_io.export_document(session=db, journey=domain.get_journey(session=db, slug=slug))
    media = "application/json" if fmt == "json" else "application/yaml"
    return Response(
        journey_io.dump(doc, fmt),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}.{fmt}"'},
    )


@router.get("/{slug}/edit", response_class=HTMLResponse)
def journey_edit(request: Request, db: SessionDep, user: CurrentUser, slug: str):
    journey = domain.get_journey(session=db, slug=slug)
    units = db.execute(select(Unit.code, Unit.name).order_by(Unit.path, Unit.code)).all()
    ctx = {
        "j": journey_io.journey_public(session=db, journey=journey),
        "units": units,
        "channels": CHANNELS,
        "statuses": OPPORTUNITY_STATUSES,
        "flash": request.session.pop("flash", []),
        "can_edit": user.role in ("admin", "analyst"),
    }
    return render(request, "journeys/edit.html", ctx)


@router.post("/{slug}/edit", dependencies=WRITE)
async def journey_update(request: Request, db: SessionDep, slug: str, user: User = Editor):
    def change(form):
        data = js.JourneyUpdate(
            slug=_s(form, "slug") or None,
            name=_s(form, "name"),
            name_i18n=_i18n(form, "name"),
            description=_s(form, "description"),
        )
        return domain.update_journey(session=db, journey=_j(db, slug), data=data)

    return await _apply(request, db, slug, change)


@router.post("/{slug}/delete", dependencies=WRITE)
async def journey_delete(request: Request, db: SessionDep, slug: str, user: User = Editor):
    await _apply(
        request, db, slug, lambda form: domain.delete_journey(session=db, journey=_j(db, slug))
    )
    return RedirectResponse("/journeys", status_code=303)


def _j(db: Session, slug: str) -> Journey:
    return domain.get_journey(session=db, slug=slug)


# --- stages, touchpoints, personas, opportunities ---------------------------------------------


def _stage(form) -> dict:
    return dict(
        name=_s(form, "name"),
        name_i18n=_i18n(form, "name"),
        description=_s(form, "description"),
        backstage=_s(form, "backstage"),
        backstage_unit=_s(form, "backstage_unit") or None,
    )


def _touchpoint(form) -> dict:
    return dict(
        name=_s(form, "name"),
        name_i18n=_i18n(form, "name"),
        channel=_s(form, "channel") or "web",
        description=_s(form, "description"),
        owner_unit=_s(form, "owner_unit") or None,
        targets={
            "nps": _num(form, "target_nps"),
            "csat": _num(form, "target_csat"),
            "ces": _num(form, "target_ces"),
        },
    )


def _persona(form) -> dict:
    return dict(
        name=_s(form, "name"),
        name_i18n=_i18n(form, "name"),
        description=_s(form, "description"),
        description_i18n=_i18n(form, "description"),
    )


def _opportunity(form) -> dict:
    return dict(
        title=_s(form, "title"),
        description=_s(form, "description"),
        owner=_s(form, "owner"),
        owner_unit=_s(form, "owner_unit") or None,
        status=_s(form, "status") or "idea",
        touchpoint=_s(form, "touchpoint") or None,
    )


def _direction(form) -> Literal["up", "down"]:
    return "up" if _s(form, "direction") == "up" else "down"


@router.post("/{slug}/stages", dependencies=WRITE)
async def stage_add(request: Request, db: SessionDep, slug: str, user: User = Editor):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.add_stage(
            session=db, journey=_j(db, slug), data=js.StageCreate(**_stage(f))
        ),
    )


@router.post("/{slug}/stages/{sid}", dependencies=WRITE)
async def stage_update(request: Request, db: SessionDep, slug: str, sid: int, user: User = Editor):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.update_stage(
            session=db, journey=_j(db, slug), stage_id=sid, data=js.StageUpdate(**_stage(f))
        ),
    )


@router.post("/{slug}/stages/{sid}/move", dependencies=WRITE)
async def stage_move(request: Request, db: SessionDep, slug: str, sid: int, user: User = Editor):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.move_stage(
            session=db, journey=_j(db, slug), stage_id=sid, direction=_direction(f)
        ),
    )


@router.post("/{slug}/stages/{sid}/delete", dependencies=WRITE)
async def stage_delete(request: Request, db: SessionDep, slug: str, sid: int, user: User = Editor):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.delete_stage(session=db, journey=_j(db, slug), stage_id=sid),
    )


@router.post("/{slug}/stages/{sid}/touchpoints", dependencies=WRITE)
async def touchpoint_add(
    request: Request, db: SessionDep, slug: str, sid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.add_touchpoint(
            session=db,
            journey=_j(db, slug),
            stage_id=sid,
            data=js.TouchpointCreate(code=_s(f, "code"), **_touchpoint(f)),
        ),
    )


@router.post("/{slug}/touchpoints/{tid}", dependencies=WRITE)
async def touchpoint_update(
    request: Request, db: SessionDep, slug: str, tid: int, user: User = Editor
):
    def change(f):
        stage_id = _s(f, "stage_id")
        data = js.TouchpointUpdate(**_touchpoint(f), stage_id=int(stage_id) if stage_id else None)
        return domain.update_touchpoint(
            session=db, journey=_j(db, slug), touchpoint_id=tid, data=data
        )

    return await _apply(request, db, slug, change)


@router.post("/{slug}/touchpoints/{tid}/move", dependencies=WRITE)
async def touchpoint_move(
    request: Request, db: SessionDep, slug: str, tid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.move_touchpoint(
            session=db, journey=_j(db, slug), touchpoint_id=tid, direction=_direction(f)
        ),
    )


@router.post("/{slug}/touchpoints/{tid}/remove", dependencies=WRITE)
async def touchpoint_remove(
    request: Request, db: SessionDep, slug: str, tid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: domain.remove_touchpoint(session=db, journey=_j(db, slug), touchpoint_id=tid),
    )


@router.post("/{slug}/personas", dependencies=WRITE)
async def persona_add(request: Request, db: SessionDep, slug: str, user: User = Editor):
    def change(f):
        persona = personas.save_persona(
            session=db, data=js.PersonaCreate(slug=_s(f, "slug"), **_persona(f))
        )
        personas.link_persona(session=db, journey=_j(db, slug), persona=persona)

    return await _apply(request, db, slug, change)


@router.post("/{slug}/personas/{pid}", dependencies=WRITE)
async def persona_update(
    request: Request, db: SessionDep, slug: str, pid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: personas.update_persona(
            session=db, persona_id=pid, data=js.PersonaUpdate(**_persona(f))
        ),
    )


@router.post("/{slug}/personas/{pid}/move", dependencies=WRITE)
async def persona_move(request: Request, db: SessionDep, slug: str, pid: int, user: User = Editor):
    return await _apply(
        request,
        db,
        slug,
        lambda f: personas.move_persona(
            session=db, journey=_j(db, slug), persona_id=pid, direction=_direction(f)
        ),
    )


@router.post("/{slug}/personas/{pid}/remove", dependencies=WRITE)
async def persona_remove(
    request: Request, db: SessionDep, slug: str, pid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: personas.unlink_persona(session=db, journey=_j(db, slug), persona_id=pid),
    )


@router.post("/{slug}/opportunities", dependencies=WRITE)
async def opportunity_add(request: Request, db: SessionDep, slug: str, user: User = Editor):
    return await _apply(
        request,
        db,
        slug,
        lambda f: opportunities.add_opportunity(
            session=db, journey=_j(db, slug), data=js.OpportunityCreate(**_opportunity(f))
        ),
    )


@router.post("/{slug}/opportunities/{oid}", dependencies=WRITE)
async def opportunity_update(
    request: Request, db: SessionDep, slug: str, oid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: opportunities.update_opportunity(
            session=db,
            journey=_j(db, slug),
            opportunity_id=oid,
            data=js.OpportunityUpdate(**_opportunity(f)),
        ),
    )


@router.post("/{slug}/opportunities/{oid}/move", dependencies=WRITE)
async def opportunity_move(
    request: Request, db: SessionDep, slug: str, oid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: opportunities.move_opportunity(
            session=db, journey=_j(db, slug), opportunity_id=oid, direction=_direction(f)
        ),
    )


@router.post("/{slug}/opportunities/{oid}/delete", dependencies=WRITE)
async def opportunity_delete(
    request: Request, db: SessionDep, slug: str, oid: int, user: User = Editor
):
    return await _apply(
        request,
        db,
        slug,
        lambda f: opportunities.delete_opportunity(
            session=db, journey=_j(db, slug), opportunity_id=oid
        ),
    )
