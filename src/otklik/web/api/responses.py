"""Response ingestion API: one response, a batch, and reading one back.

Thin by design: the body is validated against :class:`ResponseIn`, the route calls
:mod:`otklik.listen.ingest` and renders the result.

The database driver is synchronous, yet the routes are ``async``. A single response goes
through group commit (``store/group_commit.py``): on SQLite it is written on the event
loop with whatever else arrived in the same loop iteration, on PostgreSQL by the writer
thread. The batch and read routes make one thread-pool call, which opens a session, does
the work and closes it. A plain ``def`` route with ``SessionDep`` costs four more hops
per request (session enter and exit, the key check, response validation), measured as
the larger part of the ingestion time. Responses are serialised once, straight to JSON
bytes (orjson for the single response, pydantic otherwise).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Path, Request
from fastapi import Response as HttpResponse
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from otklik.access.apikeys import ApiPrincipal
from otklik.listen.ingest import (
    MAX_BATCH,
    get_response,
    ingest_batch,
    ingest_response_grouped,
)
from otklik.listen.schemas import ResponseIn, ResponsePublic
from otklik.web.deps import ApiPrincipalDep, principal_for_key

INGEST_SCOPE = "ingest"
# Far above any valid response (comment ≤ 20k chars, ≤ 200 answers) and far below memory limits.
MAX_BODY_BYTES = 1 << 20


def _check_ingest_scope(principal: ApiPrincipal) -> None:
    """Keys made for other jobs (e.g. a BI tool reading metrics) may not write responses."""
    if INGEST_SCOPE not in principal.scopes:
        raise HTTPException(403, f"this API key lacks the {INGEST_SCOPE!r} scope")


async def _require_ingest_scope(principal: ApiPrincipalDep) -> None:
    _check_ingest_scope(principal)


router = APIRouter(prefix="/api/v1/responses", tags=["responses"])
IngestScope = [Depends(_require_ingest_scope)]

_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
IDEMPOTENCY_HEADER_DOC = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (e.g. a UUID), 1–200 printable ASCII characters without "
    "spaces. A retry with the same key and body returns the stored response instead of a "
    "duplicate.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"},
}


def idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header, checked by hand: as a ``Header()`` parameter FastAPI's
    per-request parameter machinery cost more than storing the response."""
    return _checked_idempotency_key(request.headers.get("idempotency-key"))


def _checked_idempotency_key(key: str | None) -> str | None:
    if key is not None and not _KEY_PATTERN.match(key):
        raise RequestValidationError(
            [
                {
                    "loc": ("header", "Idempotency-Key"),
                    "msg": "must be 1–200 printable ASCII characters without spaces",
                    "type": "value_error",
                }
            ]
        )
    return key


class ErrorDetail(BaseModel):
    """A plain error message."""

    detail: str = Field(description="What went wrong, for the integrator to act on.")


class ValidationErrorItem(BaseModel):
    """One broken rule."""

    loc: list[str | int] = Field(description='Where: e.g. ["body", "nps"].')
    msg: str = Field(description="What is wrong.")
    type: str = Field(description="Machine-readable kind of error.")


class ValidationErrorBody(BaseModel):
    """422: the request broke one or more rules; each names its field."""

    detail: list[ValidationErrorItem] = Field(description="Every broken rule.")


class BatchItemResult(BaseModel):
    """The outcome of one item of a batch."""

    index: int = Field(description="Position of the item in the request (from 0).")
    status: Literal["created", "replayed", "error"] = Field(
        description="created: stored now; replayed: already stored by an earlier request; "
        "error: not stored, see errors."
    )
    id: int | None = Field(None, description="The response id (created or replayed).")
    errors: list[ValidationErrorItem] | None = Field(
        None, description="Why the item was not stored; loc is relative to the item."
    )


class BatchResultPublic(BaseModel):
    """Per-item results in request order, and how many items had each outcome."""

    created: int = Field(description="Items stored by this request.")
    replayed: int = Field(description="Items that were already stored (idempotent retry).")
    failed: int = Field(description="Items not stored.")
    items: list[BatchItemResult] = Field(description="One result per item, in request order.")


def _in_session(app: FastAPI, func, /, **kwargs):
    """Run a domain function with its own session (in the worker thread that calls this)."""
    with app.state.sessionmaker() as session:
        return func(session=session, **kwargs)


def _json(model: BaseModel, status_code: int, headers: dict[str, str] | None = None):
    return HttpResponse(
        model.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


RESPONSE_IN_REF = "#/components/schemas/ResponseIn"
UNAUTHORIZED = {"model": ErrorDetail, "description": "Missing, unknown or revoked API key."}
FORBIDDEN = {"model": ErrorDetail, "description": "The API key lacks the `ingest` scope."}
UNPROCESSABLE = {
    "model": ValidationErrorBody,
    "description": "Invalid input, or an unknown survey, touchpoint or unit; "
    "`loc` names the field.",
}


@router.post(
    "",
    status_code=201,
    summary="Submit one response",
    description="Store one response (answers to a survey at a touchpoint). Answered with 201 "
    "once it is committed. Retrying with the same `Idempotency-Key` header or body "
    "`external_id` returns the stored response with 200 and `Idempotent-Replayed: true` — "
    "also for a response first stored by a file import, when it says the same thing.",
    response_description="The stored response.",
    responses={
        200: {"model": ResponsePublic, "description": "Replay of an earlier identical request."},
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        409: {
            "model": ErrorDetail,
            "description": "The key was used before for a response that says something else "
            "(other answers, comment, time, touchpoint or customer).",
        },
        422: UNPROCESSABLE,
    },
    # The hot path reads the key, headers and body by hand (FastAPI's parameter machinery
    # cost more than storing the response); the contract is documented here instead.
    openapi_extra={
        "parameters": [IDEMPOTENCY_HEADER_DOC],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": RESPONSE_IN_REF}}},
        },
        "security": [{"bearer": []}, {"apiKey": []}],
    },
)
async def create_response(request: Request) -> ResponsePublic:
    return await ingest_one(request)


_HOT_HEADERS = frozenset((b"x-api-key", b"authorization", b"idempotency-key", b"content-length"))


def _hot_headers(scope) -> dict[bytes, str]:
    """The headers ingestion reads, found in one pass (the first of repeated ones, as
    Starlette's ``Headers.get`` answers); four ``request.headers.get`` calls cost 4 µs."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _HOT_HEADERS and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _api_key(headers: dict[bytes, str]) -> str | None:
    """:func:`otklik.web.deps.presented_key` on the pre-read headers (same rule)."""
    key = headers.get(b"x-api-key")
    if key is None:
        authorization = headers.get(b"authorization")
        if authorization and authorization[:7].lower() == "bearer ":
            key = authorization[7:].strip()
    return key


def _too_large() -> HTTPException:
    return HTTPException(413, f"a response body may be at most {MAX_BODY_BYTES} bytes")


async def _read_body(receive) -> bytes:
    """The request body, refused as soon as it passes MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def ingest_one(request: Request) -> HttpResponse:
    """The one implementation of ``POST /api/v1/responses``; also served by the fast path
    (``web/fastpath.py``), which skips the middleware stack and router for it."""
    headers = _hot_headers(request.scope)
    principal = await principal_for_key(request, _api_key(headers))
    _check_ingest_scope(principal)
    key = _checked_idempotency_key(headers.get(b"idempotency-key"))
    length = headers.get(b"content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise _too_large()
    body = await _read_body(request.receive)
    try:
        data = ResponseIn.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    public, created = await ingest_response_grouped(
        committer=request.app.state.group_committer, data=data, idempotency_key=key
    )
    # orjson with OPT_UTC_Z writes the same bytes as ResponsePublic.model_dump_json().
    body = orjson.dumps(public, option=orjson.OPT_UTC_Z)
    if created:
        return HttpResponse(body, status_code=201, media_type="application/json")
    return HttpResponse(
        body, media_type="application/json", headers={"Idempotent-Replayed": "true"}
    )


@router.post(
    "/batch",
    summary="Submit up to 1000 responses",
    description="Each item is validated on its own: valid items are stored (in one "
    "transaction), invalid ones are reported with their errors, and one bad item never "
    f"rejects the rest. At most {MAX_BATCH} items; a larger or non-list body is a 422. "
    "With an `Idempotency-Key` header, item i uses the key `<key>:<i>`, so retrying the "
    "whole batch replays instead of duplicating.",
    response_description="Per-item results with counts.",
    responses={401: UNAUTHORIZED, 403: FORBIDDEN, 422: UNPROCESSABLE},
    dependencies=IngestScope,
    # The body is read as raw items so one bad item cannot fail the request; document
    # what each item should look like.
    openapi_extra={
        "parameters": [IDEMPOTENCY_HEADER_DOC],
        "requestBody": {
            "content": {"application/json": {"schema": {"items": {"$ref": RESPONSE_IN_REF}}}}
        },
    },
)
async def create_responses_batch(
    items: Annotated[
        list[Any],
        Body(
            min_length=1,
            max_length=MAX_BATCH,
            description=f"A JSON array of 1–{MAX_BATCH} responses.",
        ),
    ],
    request: Request,
) -> BatchResultPublic:
    app = request.app
    result = await run_in_threadpool(
        _in_session,
        app,
        ingest_batch,
        engine=app.state.engine,
        items=items,
        idempotency_key=idempotency_key(request),
    )
    public = BatchResultPublic.model_validate(result, from_attributes=True)
    return HttpResponse(public.model_dump_json(exclude_none=True), media_type="application/json")


@router.get(
    "/{response_id}",
    summary="Read one response",
    description="A stored response by its id.",
    response_description="The stored response.",
    responses={
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: {"model": ErrorDetail, "description": "No such response."},
    },
    dependencies=IngestScope,
)
async def read_response(
    response_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The response id.")],
    request: Request,
) -> ResponsePublic:
    public = await run_in_threadpool(
        _in_session, request.app, get_response, response_id=response_id
    )
    return _json(public, 200)
