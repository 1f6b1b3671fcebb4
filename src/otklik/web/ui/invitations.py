"""Invitation pages: a survey's invitations (counts by status and suppression reason, a
contacts CSV upload, the survey's own fatigue overrides) and the global fatigue policy.

Server-rendered forms with CSRF and POST-redirect-GET; the work is done by
:mod:`otklik.listen.invitations` and :mod:`otklik.listen.fatigue`, the same functions the
API and the CLI call. Any logged-in user can look; admins and analysts invite and edit
a survey's rules; only admins change the global policy.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from otklik.access.models import User
from otklik.errors import OtklikError
from otklik.jobs import enqueue_delivery
from otklik.listen import fatigue
from otklik.listen import invitations as domain
from otklik.listen.contacts import invite_contacts
from otklik.listen.surveys import get_survey
from otklik.web.csrf import CsrfChecked
from otklik.web.deps import CurrentUser, SessionDep, require_role
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)
Editor = require_role("admin", "analyst")
Admin = require_role("admin")
MAX_UPLOAD = 20 * 1024 * 1024
POLICY_FIELDS = (
    "min_days_between", "resurvey_after_response_days", "resurvey_after_no_answer_days",
    "quarterly_cap", "sampling_percent", "quiet_start", "quiet_end", "default_timezone",
)  # fmt: skip


def _flash(request: Request, kind: str, text: str) -> None:
    request.session.setdefault("flash", []).append([kind, text])


def _as_form(data: dict[str, Any]) -> dict[str, str]:
    """Policy values as form field strings (times as HH:MM)."""
    out = {}
    for key, value in data.items():
        if value is None or key not in POLICY_FIELDS:
            continue
        text = value.strftime("%H:%M") if isinstance(value, time) else str(value)
        out[key] = text[:5] if key in ("quiet_start", "quiet_end") else text
    return out


def _policy_from_form(form: Any, *, keep_empty: bool) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in POLICY_FIELDS:
        value = str(form.get(name, "")).strip()
        if value or keep_empty:
            data[name] = value or None
    if "require_consent" in form or keep_empty:
        data["require_consent"] = form.get("require_consent") == "on"
    return {k: v for k, v in data.items() if v is not None}


@router.get("/surveys/{survey_id}/invitations")
def survey_invitations(request: Request, survey_id: int, db: SessionDep, user: CurrentUser):
    survey = get_survey(session=db, survey_id=survey_id)
    return render(
        request,
        "invitations/survey.html",
        {
            "survey": survey,
            "statuses": domain.status_counts(session=db, survey_id=survey.id),
            "reasons": domain.suppression_counts(session=db, survey_id=survey.id),
            "recent": domain.recent_invitations(session=db, survey_id=survey.id),
            "policy": _as_form(fatigue.survey_policy(session=db, survey=survey).model_dump()),
            "overrides": _as_form((survey.settings or {}).get("fatigue") or {}),
            "reminder_days": (survey.settings or {}).get("reminder_days"),
            "default_reminder_days": request.app.state.settings.reminder_days,
            "can_edit": user.role in ("admin", "analyst"),
            "flash": request.session.pop("flash", []),
        },
    )


@router.post("/surveys/{survey_id}/invitations/upload", dependencies=[CsrfChecked])
async def upload_contacts(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    survey = get_survey(session=db, survey_id=survey_id)
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("contacts")
    back = RedirectResponse(f"/surveys/{survey_id}/invitations", status_code=303)
    if not isinstance(upload, UploadFile):
        _flash(request, "error", "contacts: choose a CSV file")
        return back
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        _flash(request, "error", "contacts: the file is larger than 20 MB")
        return back
    try:
        report = invite_contacts(
            session=db, survey=survey, data=data, dry_run=form.get("dry_run") == "on"
        )
    except OtklikError as exc:
        db.rollback()
        _flash(request, "error", str(exc))
        return back
    _flash(request, "error" if report.errors else "ok", report.summary_line())
    if report.queued and not report.dry_run:
        enqueue_delivery(request.app.state)
    return back


@router.post("/surveys/{survey_id}/invitations/policy", dependencies=[CsrfChecked])
async def survey_policy_save(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    survey = get_survey(session=db, survey_id=survey_id)
    form = await request.form()
    try:
        fatigue.save_survey_policy(
            session=db, survey=survey, data=_policy_from_form(form, keep_empty=False)
        )
        raw = str(form.get("reminder_days", "")).strip()
        settings = dict(survey.settings or {})
        if raw:
            if not raw.isdigit() or int(raw) > 60:
                raise OtklikError("reminder_days: a whole number of days from 0 to 60")
            settings["reminder_days"] = int(raw)
        else:
            settings.pop("reminder_days", None)
        survey.settings = settings
    except OtklikError as exc:
        db.rollback()
        _flash(request, "error", str(exc))
    else:
        db.commit()
        _flash(request, "ok", "saved")
    return RedirectResponse(f"/surveys/{survey_id}/invitations", status_code=303)


@router.get("/invitations/policy")
def global_policy_page(request: Request, db: SessionDep, user: CurrentUser):
    return render(
        request,
        "invitations/policy.html",
        {
            "policy": _as_form(fatigue.global_policy(session=db).model_dump()),
            "require_consent": fatigue.global_policy(session=db).require_consent,
            "reasons": domain.suppression_counts(session=db),
            "statuses": domain.status_counts(session=db),
            "can_edit": user.role == "admin",
            "flash": request.session.pop("flash", []),
        },
    )


@router.post("/invitations/policy", dependencies=[CsrfChecked])
async def global_policy_save(request: Request, db: SessionDep, user: User = Admin):
    form = await request.form()
    try:
        fatigue.save_global_policy(session=db, data=_policy_from_form(form, keep_empty=True))
    except OtklikError as exc:
        db.rollback()
        _flash(request, "error", str(exc))
    else:
        db.commit()
        _flash(request, "ok", "saved")
    return RedirectResponse("/invitations/policy", status_code=303)
