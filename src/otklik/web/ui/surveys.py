"""The survey builder: list, create from a template, edit, reorder, preview, publish, close,
attach to a touchpoint. Server-rendered forms with CSRF and POST-redirect-GET, so it works
without JavaScript; every change goes through the same domain functions as the API.

Any logged-in user can look (list, edit page read-only, preview); admins and analysts change.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.access.models import User
from otklik.errors import NotFound, OtklikError
from otklik.listen import surveys as domain
from otklik.listen.answers import (
    render_questions,
    thank_you_text,
    validate_answers,
    visible_questions,
)
from otklik.listen.definition import (
    LANGS,
    OPS,
    QUESTION_TYPES,
    DefinitionInvalid,
    parse_definition,
)
from otklik.listen.models import Survey, Touchpoint
from otklik.listen.survey_templates import TEMPLATES
from otklik.web.csrf import CsrfChecked
from otklik.web.deps import CurrentUser, SessionDep, require_role
from otklik.web.ui import survey_forms as forms
from otklik.web.ui.templating import render

router = APIRouter(prefix="/surveys", include_in_schema=False)
Editor = require_role("admin", "analyst")
WRITE = [CsrfChecked]


def _can_edit(user: User) -> bool:
    return user.role in ("admin", "analyst")


def _flash(request: Request, kind: str, text: str) -> None:
    request.session.setdefault("flash", []).append([kind, text])


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _problems(exc: OtklikError) -> list[str]:
    if isinstance(exc, DefinitionInvalid):
        return [f"{path}: {msg}" for path, msg in exc.problems]
    return [str(exc)]


def _touchpoints(db: Session) -> list[Touchpoint]:
    return list(db.scalars(select(Touchpoint).order_by(Touchpoint.name)))


@router.get("")
def survey_list(request: Request, db: SessionDep, user: CurrentUser):
    rows = domain.list_surveys(session=db)
    pending = {s.id: domain.has_unpublished_changes(session=db, survey=s) for s in rows}
    return render(
        request,
        "surveys/list.html",
        {
            "surveys": rows,
            "pending": pending,
            "templates": TEMPLATES,
            "touchpoints": _touchpoints(db),
            "can_edit": _can_edit(user),
            "flash": request.session.pop("flash", []),
        },
    )


@router.post("", dependencies=WRITE)
async def survey_create(request: Request, db: SessionDep, user: User = Editor):
    form = await request.form()
    template = str(form.get("template", "")) or None
    touchpoint = str(form.get("touchpoint_id", ""))
    try:
        survey = domain.create_survey(
            session=db,
            title=str(form.get("title", "")),
            template=template,
            touchpoint_id=int(touchpoint) if touchpoint.isdigit() else None,
        )
    except OtklikError as exc:
        db.rollback()
        for problem in _problems(exc):
            _flash(request, "error", problem)
        return _back("/surveys")
    db.commit()
    return _back(f"/surveys/{survey.id}")


def _edit_context(db: Session, survey: Survey, user: User) -> dict[str, Any]:
    definition = survey.definition
    questions = definition.get("questions", [])
    frozen = domain.versions(session=db, survey=survey)
    return {
        "survey": survey,
        "d": definition,
        "questions": questions,
        "conditions": {q["id"]: forms.describe_condition(q.get("show_if")) for q in questions},
        "question_types": QUESTION_TYPES,
        "touchpoints": _touchpoints(db),
        "versions": frozen,
        "pending": not frozen or frozen[-1].definition != definition,
        "can_edit": _can_edit(user),
        "json_text": json.dumps(definition, ensure_ascii=False, indent=2),
        "errors": [],
    }


@router.get("/{survey_id}")
def survey_edit(request: Request, survey_id: int, db: SessionDep, user: CurrentUser):
    survey = domain.get_survey(session=db, survey_id=survey_id)
    ctx = _edit_context(db, survey, user)
    ctx["flash"] = request.session.pop("flash", [])
    return render(request, "surveys/edit.html", ctx)


async def _form_edit(request: Request, db: Session, survey_id: int, user: User, change) -> Any:
    """Apply ``change(survey, form)``; on a refusal show the edit page again with the input."""
    survey = domain.get_survey(session=db, survey_id=survey_id)
    form = await request.form()
    try:
        change(survey, form)
    except OtklikError as exc:
        db.rollback()
        survey = domain.get_survey(session=db, survey_id=survey_id)
        ctx = _edit_context(db, survey, user)
        ctx["errors"] = _problems(exc)
        if "definition" in form:
            ctx["json_text"] = str(form["definition"])
        return render(request, "surveys/edit.html", ctx, status_code=422)
    db.commit()
    _flash(request, "ok", "saved")
    return _back(f"/surveys/{survey_id}")


@router.post("/{survey_id}/settings", dependencies=WRITE)
async def survey_settings(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    def change(survey: Survey, form: Any) -> None:
        slug = str(form.get("slug", "")).strip() or None
        domain.update_draft(
            session=db,
            survey=survey,
            title=str(form.get("name", survey.title)),
            slug=slug,
            definition=forms.settings_from_form(form, survey.definition),
        )

    return await _form_edit(request, db, survey_id, user, change)


@router.post("/{survey_id}/json", dependencies=WRITE)
async def survey_json(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    def change(survey: Survey, form: Any) -> None:
        try:
            data = json.loads(str(form.get("definition", "")))
        except json.JSONDecodeError as exc:
            raise DefinitionInvalid([("definition", f"not valid JSON: {exc}")]) from None
        domain.update_draft(session=db, survey=survey, definition=data)

    return await _form_edit(request, db, survey_id, user, change)


async def _action(request: Request, db: Session, survey_id: int, fn: Any, **kwargs: Any):
    survey = domain.get_survey(session=db, survey_id=survey_id)
    try:
        fn(session=db, survey=survey, **kwargs)
    except OtklikError as exc:
        db.rollback()
        for problem in _problems(exc):
            _flash(request, "error", problem)
    else:
        db.commit()
    return _back(f"/surveys/{survey_id}")


@router.post("/{survey_id}/publish", dependencies=WRITE)
async def survey_publish(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    return await _action(request, db, survey_id, domain.publish_survey)


@router.post("/{survey_id}/close", dependencies=WRITE)
async def survey_close(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    return await _action(request, db, survey_id, domain.close_survey)


@router.post("/{survey_id}/reopen", dependencies=WRITE)
async def survey_reopen(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    return await _action(request, db, survey_id, domain.reopen_survey)


@router.post("/{survey_id}/attach", dependencies=WRITE)
async def survey_attach(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    raw = str((await request.form()).get("touchpoint_id", ""))
    touchpoint_id = int(raw) if raw.isdigit() else None
    return await _action(
        request, db, survey_id, domain.attach_touchpoint, touchpoint_id=touchpoint_id
    )


@router.post("/{survey_id}/questions", dependencies=WRITE)
async def question_add(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    survey = domain.get_survey(session=db, survey_id=survey_id)
    qtype = str((await request.form()).get("type", ""))
    try:
        qid = domain.add_question(session=db, survey=survey, qtype=qtype)
    except OtklikError as exc:
        db.rollback()
        _flash(request, "error", str(exc))
        return _back(f"/surveys/{survey_id}")
    db.commit()
    return _back(f"/surveys/{survey_id}/questions/{qid}")


@router.post("/{survey_id}/questions/{qid}/move", dependencies=WRITE)
async def question_move(
    request: Request, survey_id: int, qid: str, db: SessionDep, user: User = Editor
):
    offset = -1 if (await request.form()).get("direction") == "up" else 1
    return await _action(
        request, db, survey_id, domain.move_question, question_id=qid, offset=offset
    )


@router.post("/{survey_id}/questions/{qid}/delete", dependencies=WRITE)
async def question_delete(
    request: Request, survey_id: int, qid: str, db: SessionDep, user: User = Editor
):
    return await _action(request, db, survey_id, domain.remove_question, question_id=qid)


def _question_page(
    request: Request,
    survey: Survey,
    question: dict[str, Any],
    user: User,
    *,
    fields: dict[str, str] | None = None,
    errors: list[str] | None = None,
):
    questions = survey.definition.get("questions", [])
    ids = [q["id"] for q in questions]
    index = ids.index(question["id"]) if question["id"] in ids else len(ids)
    return render(
        request,
        "surveys/question.html",
        {
            "survey": survey,
            "q": question,
            "earlier": questions[:index],
            "question_types": QUESTION_TYPES,
            "ops": OPS,
            "choices_text": forms.choices_to_text(question.get("choices", [])),
            "cond": fields or forms.condition_fields(question.get("show_if")),
            "can_edit": _can_edit(user),
            "errors": errors or [],
        },
        status_code=422 if errors else 200,
    )


@router.get("/{survey_id}/questions/{qid}")
def question_edit(request: Request, survey_id: int, qid: str, db: SessionDep, user: CurrentUser):
    survey = domain.get_survey(session=db, survey_id=survey_id)
    question = next((q for q in survey.definition.get("questions", []) if q["id"] == qid), None)
    if question is None:
        raise NotFound(f"question '{qid}' is not in this survey")
    return _question_page(request, survey, question, user)


@router.post("/{survey_id}/questions/{qid}", dependencies=WRITE)
async def question_save(
    request: Request, survey_id: int, qid: str, db: SessionDep, user: User = Editor
):
    survey = domain.get_survey(session=db, survey_id=survey_id)
    current = next((q for q in survey.definition.get("questions", []) if q["id"] == qid), None)
    if current is None:
        raise NotFound(f"question '{qid}' is not in this survey")
    form = await request.form()
    types = {q["id"]: q["type"] for q in survey.definition.get("questions", [])}
    submitted = current
    try:
        submitted = forms.question_from_form(form, current, types)
        domain.replace_question(session=db, survey=survey, question_id=qid, question=submitted)
    except OtklikError as exc:
        db.rollback()
        survey = domain.get_survey(session=db, survey_id=survey_id)
        fields = {
            k: str(form.get(k, "")) for k in ("show_q", "show_op", "show_value", "show_if_json")
        }
        page = _question_page(
            request, survey, {**submitted, "id": qid}, user, fields=fields, errors=_problems(exc)
        )
        return page
    db.commit()
    _flash(request, "ok", "saved")
    return _back(f"/surveys/{survey_id}#q-{submitted['id']}")


@router.get("/{survey_id}/preview")
def survey_preview(request: Request, survey_id: int, db: SessionDep, user: CurrentUser):
    """The questions as a respondent sees them, in RU or EN; submitting the preview form
    (GET, nothing is stored) shows follow-up questions, errors and the thank-you text."""
    survey = domain.get_survey(session=db, survey_id=survey_id)
    params = request.query_params
    plang = params.get("plang") if params.get("plang") in LANGS else "ru"
    definition = parse_definition(survey.definition)
    ids = {q.id for q in definition.questions}
    submitted = "check" in params
    answers: dict[str, Any] = {}
    for key in ids:
        values = params.getlist(key)
        if values:
            q = definition.question(key)
            answers[key] = values if q is not None and q.type == "multi_choice" else values[-1]
    # Without JavaScript a follow-up appears after a submit: while answers reveal questions
    # that were not on the submitted form, show the form again instead of finishing.
    shown = set(params.get("shown", "").split(","))
    clean, errors = (
        validate_answers(definition, answers, check_required=shown) if submitted else ({}, {})
    )
    revealed = {q.id for q in visible_questions(definition, clean)} - shown
    finished = submitted and not errors and not revealed
    return render(
        request,
        "surveys/preview.html",
        {
            "survey": survey,
            "d": definition,
            "plang": plang,
            "questions": render_questions(definition, plang, {**answers, **clean}),
            "errors": {k: e.message(plang) for k, e in errors.items()},
            "thanks": thank_you_text(definition, clean, plang) if finished else None,
            "notice": definition.notice.text.get(plang),
            "privacy_url": definition.notice.privacy_url,
        },
    )
