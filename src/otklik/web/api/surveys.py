"""Surveys API: the same operations as the builder (create, edit, reorder, publish, close,
reopen, attach to a touchpoint), the standard templates, and the definition's JSON Schema.

Access: reads need a logged-in user (any role) or an API key; writes need a logged-in
admin or analyst, or an API key with the ``surveys:write`` scope. Session writes are
JSON-only (a cross-site form cannot send ``application/json`` without a CORS preflight,
and the session cookie is SameSite=Lax), so they need no CSRF token.
The schema at ``/api/v1/surveys/schema`` is public: it documents a file format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from otklik.access.apikeys import authenticate_api_key
from otklik.access.users import session_user
from otklik.errors import NotFound
from otklik.listen import surveys as domain
from otklik.listen.definition import DefinitionInvalid, definition_json_schema
from otklik.listen.models import SURVEY_STATUSES, Survey
from otklik.listen.survey_templates import TEMPLATES
from otklik.web.deps import Forbidden, LoginRequired, SessionDep

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])

WRITE_ROLES = ("admin", "analyst")
WRITE_SCOPE = "surveys:write"
DEFINITION_DOC = "Survey definition JSON; its schema is at GET /api/v1/surveys/schema."


def _access(request: Request, db: Session, *, write: bool) -> None:
    user = session_user(
        session=db, user_id=request.session.get("uid"), version=request.session.get("sv")
    )
    if user is not None:
        request.state.user = user
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


Read = Depends(can_read)
Write = Depends(can_write)


class SurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Internal name shown in the builder."
    )
    slug: str | None = Field(None, description="URL name (/s/{slug}); derived from the title.")
    template: Literal[tuple(TEMPLATES)] | None = Field(  # type: ignore[valid-type]
        None, description="Start from a standard template (see GET /api/v1/surveys/templates)."
    )
    definition: dict[str, Any] | None = Field(None, description=DEFINITION_DOC)
    touchpoint_id: int | None = None


class SurveyUpdate(BaseModel):
    """Changes to the working copy; a published survey keeps its live version until publish."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    slug: str | None = Field(None, description="Only before the first publish.")
    definition: dict[str, Any] | None = Field(None, description=DEFINITION_DOC)


class AttachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    touchpoint_id: int | None = Field(description="Touchpoint id, or null to detach.")


class ReorderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: list[str] = Field(description="Every question id, once, in the new order.")


class SurveyPublic(BaseModel):
    id: int
    slug: str
    title: str
    status: str = Field(description="draft, published or closed.")
    version: int = Field(description="The live (last published) version; responses record it.")
    published_versions: list[int]
    has_unpublished_changes: bool
    touchpoint_id: int | None
    touchpoint_code: str | None
    definition: dict[str, Any] = Field(description="The working copy.")
    created_at: datetime
    updated_at: datetime


class SurveyVersionPublic(BaseModel):
    survey_id: int
    version: int
    published_at: datetime
    definition: dict[str, Any]


class TemplatePublic(BaseModel):
    key: str
    name: dict[str, str]
    description: dict[str, str]
    definition: dict[str, Any]


def survey_public(db: Session, survey: Survey) -> SurveyPublic:
    frozen = domain.versions(session=db, survey=survey)
    return SurveyPublic(
        id=survey.id,
        slug=survey.slug,
        title=survey.title,
        status=survey.status,
        version=survey.version,
        published_versions=[v.version for v in frozen],
        has_unpublished_changes=not frozen or frozen[-1].definition != survey.definition,
        touchpoint_id=survey.touchpoint_id,
        touchpoint_code=survey.touchpoint.code if survey.touchpoint else None,
        definition=survey.definition,
        created_at=survey.created_at,
        updated_at=survey.updated_at,
    )


def _definition_errors(exc: DefinitionInvalid) -> RequestValidationError:
    """One 422 entry per problem, located inside the body's ``definition``."""
    return RequestValidationError(
        [
            {"loc": ("body", "definition", path), "msg": msg, "type": "value_error"}
            for path, msg in exc.problems
        ]
    )


@router.get("/schema", summary="JSON Schema of a survey definition (public)")
def schema() -> dict[str, Any]:
    return definition_json_schema()


@router.get("/templates", summary="Standard survey templates", dependencies=[Read])
def templates() -> list[TemplatePublic]:
    return [TemplatePublic(key=k, **v) for k, v in TEMPLATES.items()]


@router.get("", summary="List surveys", dependencies=[Read])
def list_surveys(
    db: SessionDep,
    status: Literal[SURVEY_STATUSES] | None = None,  # type: ignore[valid-type]
    touchpoint_id: int | None = None,
) -> list[SurveyPublic]:
    rows = domain.list_surveys(session=db, status=status, touchpoint_id=touchpoint_id)
    return [survey_public(db, s) for s in rows]


@router.post("", status_code=201, summary="Create a draft survey", dependencies=[Write])
def create(body: SurveyCreate, db: SessionDep) -> SurveyPublic:
    try:
        survey = domain.create_survey(session=db, **body.model_dump())
    except DefinitionInvalid as exc:
        raise _definition_errors(exc) from None
    db.commit()
    return survey_public(db, survey)


@router.get("/{survey_id}", summary="One survey", dependencies=[Read])
def get(survey_id: int, db: SessionDep) -> SurveyPublic:
    return survey_public(db, domain.get_survey(session=db, survey_id=survey_id))


@router.patch("/{survey_id}", summary="Edit the working copy", dependencies=[Write])
def update(survey_id: int, body: SurveyUpdate, db: SessionDep) -> SurveyPublic:
    survey = domain.get_survey(session=db, survey_id=survey_id)
    try:
        domain.update_draft(session=db, survey=survey, **body.model_dump(exclude_unset=True))
    except DefinitionInvalid as exc:
        raise _definition_errors(exc) from None
    db.commit()
    return survey_public(db, survey)


@router.delete(
    "/{survey_id}",
    status_code=204,
    summary="Delete a survey without responses",
    dependencies=[Write],
)
def delete(survey_id: int, db: SessionDep) -> Response:
    domain.delete_survey(session=db, survey=domain.get_survey(session=db, survey_id=survey_id))
    db.commit()
    return Response(status_code=204)


@router.get(
    "/{survey_id}/versions/{version}", summary="A frozen published version", dependencies=[Read]
)
def get_version(survey_id: int, version: int, db: SessionDep) -> SurveyVersionPublic:
    survey = domain.get_survey(session=db, survey_id=survey_id)
    for frozen in domain.versions(session=db, survey=survey):
        if frozen.version == version:
            return SurveyVersionPublic(
                survey_id=survey.id,
                version=frozen.version,
                published_at=frozen.published_at,
                definition=frozen.definition,
            )
    raise NotFound(f"survey {survey_id} has no published version {version}")


def _action(survey_id: int, db: Session, fn: Any, **kwargs: Any) -> SurveyPublic:
    survey = domain.get_survey(session=db, survey_id=survey_id)
    try:
        fn(session=db, survey=survey, **kwargs)
    except DefinitionInvalid as exc:
        raise _definition_errors(exc) from None
    db.commit()
    return survey_public(db, survey)


@router.post("/{survey_id}/publish", summary="Publish as the next version", dependencies=[Write])
def publish(survey_id: int, db: SessionDep) -> SurveyPublic:
    return _action(survey_id, db, domain.publish_survey)


@router.post("/{survey_id}/close", summary="Stop accepting answers", dependencies=[Write])
def close(survey_id: int, db: SessionDep) -> SurveyPublic:
    return _action(survey_id, db, domain.close_survey)


@router.post("/{survey_id}/reopen", summary="Accept answers again", dependencies=[Write])
def reopen(survey_id: int, db: SessionDep) -> SurveyPublic:
    return _action(survey_id, db, domain.reopen_survey)


@router.post("/{survey_id}/attach", summary="Attach to a touchpoint", dependencies=[Write])
def attach(survey_id: int, body: AttachIn, db: SessionDep) -> SurveyPublic:
    return _action(survey_id, db, domain.attach_touchpoint, touchpoint_id=body.touchpoint_id)


@router.post("/{survey_id}/reorder", summary="Reorder the questions", dependencies=[Write])
def reorder(survey_id: int, body: ReorderIn, db: SessionDep) -> SurveyPublic:
    return _action(survey_id, db, domain.reorder_questions, order=body.order)
