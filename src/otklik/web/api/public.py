"""The public widget API and ``/widget.js``: no API key, cross-origin, rate-limited per address.

The embeddable widget (``static/widget.js``) runs on a customer's site, so these routes
answer cross-origin requests themselves instead of through an app-wide CORS middleware
(the rest of the API must stay same-origin). A survey's ``settings.allowed_origins``
lists the sites that may embed it; empty means any site. Credentials are never allowed:
the widget sends no cookies and the answers are anonymous.

- ``GET  /api/v1/public/surveys/{slug}/widget?lang=&nps=`` — the NPS question and, given a
  score, the follow-up question the survey asks for it (show-if and piping applied here);
- ``POST /api/v1/public/surveys/{slug}/responses`` — ``{"answers": {...}, "lang": "ru"}``
  with an ``Idempotency-Key`` header the script generates, validated by the definition.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from otklik.errors import OtklikError
from otklik.listen.answers import render_questions
from otklik.listen.definition import SurveyDefinition
from otklik.listen.models import Survey
from otklik.listen.schemas import AnswerValue, reject_nul
from otklik.listen.submit import AnswersRefused, NothingAnswered, submit_answers
from otklik.web.deps import SessionDep
from otklik.web.ui.i18n import translate
from otklik.web.ui.public_edge import PageError, open_survey, pick_language, rate_wait

router = APIRouter(tags=["public"])
WIDGET_JS = Path(__file__).parents[1] / "ui" / "static" / "widget.js"
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_BODY = 64 * 1024
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST",
    "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
    "Access-Control-Max-Age": "600",
}
LABELS = ("close", "next", "send", "skip", "error", "choose")


class WidgetAnswers(BaseModel):
    """What the widget posts: the NPS score and the follow-up text by question id."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Annotated[str, Field(max_length=64)], AnswerValue] = Field(max_length=10)
    lang: Literal["ru", "en"] | None = None
    page: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="Path of the page the widget was shown on."
    )


def _cors(request: Request, survey: Survey | None) -> dict[str, str] | None:
    """CORS headers for this origin, or None when the survey does not allow it."""
    origin = request.headers.get("origin")
    allowed = list((survey.settings or {}).get("allowed_origins") or []) if survey else []
    if not allowed:
        return {"Access-Control-Allow-Origin": "*"}
    if origin is None:
        return {"Vary": "Origin"}  # not a cross-origin browser request
    if origin.rstrip("/") not in [a.rstrip("/") for a in allowed]:
        return None
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _error(status: int, detail: Any, headers: dict[str, str], **extra: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers={**headers, **extra})


def _open(db: Session, slug: str) -> tuple[Survey, int, SurveyDefinition] | JSONResponse:
    try:
        return open_survey(db, slug)
    except PageError as error:
        text = "survey not found" if error.status == 404 else "the survey is closed"
        return _error(error.status, text, {"Access-Control-Allow-Origin": "*"})


def widget_questions(
    definition: SurveyDefinition, lang: str, nps: int | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the first NPS question, the text question it leads to for score ``nps``)."""
    first = next((q for q in definition.questions if q.type == "nps"), None)
    if first is None:
        return None, None
    answers = {first.id: nps} if nps is not None else {}
    items = render_questions(definition, lang, answers)
    ids = [item["id"] for item in items]
    question = items[ids.index(first.id)] if first.id in ids else None
    follow = None
    if nps is not None and question is not None:
        after = items[ids.index(first.id) + 1 :]
        follow = next((item for item in after if item["type"] == "text"), None)
    return question, follow


@router.options("/api/v1/public/surveys/{slug}/{what}", include_in_schema=False)
def preflight(request: Request, slug: str, what: str, db: SessionDep) -> Response:
    """Answer the browser's CORS preflight for the widget's JSON POST."""
    if what not in ("widget", "responses"):
        return Response(status_code=404)
    opened = _open(db, slug)
    headers = _cors(request, None if isinstance(opened, JSONResponse) else opened[0])
    if headers is None:
        return Response(status_code=403)
    return Response(status_code=204, headers={**headers, **PREFLIGHT})


@router.get("/api/v1/public/surveys/{slug}/widget")
def widget_config(
    request: Request, slug: str, db: SessionDep, lang: str | None = None, nps: int | None = None
) -> Response:
    """Texts the widget shows, in the visitor's language; ``nps`` selects the follow-up."""
    opened = _open(db, slug)
    if isinstance(opened, JSONResponse):
        return opened
    survey, version, definition = opened
    headers = _cors(request, survey)
    if headers is None:
        return _error(403, "this site may not embed the survey", {})
    wait = rate_wait(request, "page")
    if wait is not None:
        return _error(429, "too many requests", headers, **{"Retry-After": str(wait)})
    lang = pick_language(request, lang)
    if nps is not None and not 0 <= nps <= 10:
        return _error(422, [{"loc": ["query", "nps"], "msg": "0 to 10"}], headers)
    question, follow = widget_questions(definition, lang, nps)
    if question is None:
        return _error(404, "this survey has no NPS question for the widget", headers)
    body = {
        "survey": survey.slug,
        "version": version,
        "lang": lang,
        "title": definition.title.get(lang),
        "question": question,
        "follow_up": follow,
        "notice": definition.notice.text.get(lang),
        "privacy_url": definition.notice.privacy_url,
        "labels": {
            **{k: translate(f"widget.{k}", lang) for k in LABELS},
            "privacy": translate("public.privacy", lang),
        },
    }
    return JSONResponse(body, headers={**headers, "Cache-Control": "no-store"})


async def raw_body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            break
    return body


@router.post("/api/v1/public/surveys/{slug}/responses", status_code=201)
def widget_response(
    request: Request, slug: str, db: SessionDep, body: bytes = Depends(raw_body)
) -> Response:
    """Store a widget answer (source ``widget``); a retry with the same key replays it."""
    opened = _open(db, slug)
    if isinstance(opened, JSONResponse):
        return opened
    survey, _version, definition = opened
    headers = _cors(request, survey)
    if headers is None:
        return _error(403, "this site may not embed the survey", {})
    wait = rate_wait(request, "widget")
    if wait is not None:
        return _error(429, "too many requests", headers, **{"Retry-After": str(wait)})
    if len(body) > MAX_BODY:
        return _error(413, "the body is larger than 64 KB", headers)
    try:
        data = WidgetAnswers.model_validate(reject_nul(orjson.loads(body or b"null")))
    except (orjson.JSONDecodeError, ValueError) as exc:
        errors = (
            exc.errors() if isinstance(exc, ValidationError) else [{"loc": [], "msg": str(exc)}]
        )
        detail = [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in errors]
        return _error(422, detail, headers)
    key = request.headers.get("idempotency-key")
    if key is not None and not KEY_RE.match(key):
        return _error(
            422, [{"loc": ["header", "Idempotency-Key"], "msg": "8–64 of A-Z a-z 0-9 _ -"}], headers
        )
    lang = pick_language(request, data.lang)
    nps_q, _ = widget_questions(definition, lang)
    nps_value = data.answers.get(nps_q["id"]) if nps_q else None
    score = nps_value if isinstance(nps_value, int) and not isinstance(nps_value, bool) else None
    _, follow = widget_questions(
        definition, lang, score if score is not None and 0 <= score <= 10 else None
    )
    asked = {q["id"] for q in (nps_q, follow) if q}
    for qid in data.answers:
        if qid not in asked:
            return _error(
                422,
                [{"loc": ["body", "answers", qid], "msg": "the widget does not ask this question"}],
                headers,
            )
    try:
        done = submit_answers(
            session=db,
            survey=survey,
            definition=definition,
            answers=data.answers,
            lang=lang,
            source="widget",
            channel="web",
            check_required=asked,
            idempotency_key=f"widget:{survey.id}:{key or secrets.token_urlsafe(16)}",
            attributes={"page": data.page} if data.page else None,
        )
    except AnswersRefused as refused:
        detail = [
            {"loc": ["body", "answers", qid], "msg": e.message(lang)}
            for qid, e in refused.errors.items()
        ]
        return _error(422, detail, headers)
    except NothingAnswered:
        return _error(
            422, [{"loc": ["body", "answers"], "msg": "answer the NPS question"}], headers
        )
    except OtklikError as exc:
        return _error(400, str(exc), headers)
    return JSONResponse(
        {"id": done.response_id, "thank_you": done.thank_you},
        status_code=201 if done.created else 200,
        headers=headers,
    )


@router.get("/widget.js", include_in_schema=False)
def widget_script(request: Request) -> Response:
    """The embeddable script; cached for an hour, then revalidated by ETag (304)."""
    stat = WIDGET_JS.stat()
    etag = (
        '"'
        + hashlib.md5(
            f"{stat.st_mtime_ns}-{stat.st_size}".encode(), usedforsecurity=False
        ).hexdigest()
        + '"'
    )
    headers = {
        "Cache-Control": "public, max-age=3600",
        "ETag": etag,
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return FileResponse(WIDGET_JS, media_type="text/javascript; charset=utf-8", headers=headers)
