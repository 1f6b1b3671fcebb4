"""Public survey pages at ``/s/{slug}``: plain HTML forms a customer answers on any phone.

No JavaScript, no login, no third-party assets; a page is one small HTML document with
inline CSS (``templates/public/``, budget 20 KB). Who is answering is either the
invitation of a personal link (``?t=``, see :mod:`otklik.listen.links`) or a random id
in a signed cookie. That identity keys the server-side draft (answers kept between
visits and steps) and is bound, with the survey, into the signed form token that
every POST must return (the anti-forgery check of a page without a session).

Each rendered form carries a fresh submission nonce inside its token; the nonce is the
ingestion idempotency key, so pressing "Send" twice stores one response and shows the
same thank-you page. Steps move by POST-redirect-GET; errors re-render with status 422.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from otklik.errors import OtklikError
from otklik.listen import drafts
from otklik.listen.answers import (
    render_questions,
    thank_you_text,
    validate_answers,
    visible_questions,
)
from otklik.listen.definition import LANGS, SurveyDefinition
from otklik.listen.invitations import mark_opened
from otklik.listen.links import LinkProblem, TokenUsed, invitation_key, read_token
from otklik.listen.models import Invitation, Survey
from otklik.listen.submit import (
    AnswersRefused,
    NothingAnswered,
    stored_answers,
    submit_answers,
)
from otklik.web.deps import SessionDep
from otklik.web.ui.i18n import translate
from otklik.web.ui.public_edge import (
    SECURITY_HEADERS,
    PageError,
    open_survey,
    pick_language,
    rate_wait,
)
from otklik.web.ui.templating import templates

router = APIRouter(include_in_schema=False)

RESPONDENT_COOKIE = "otk_respondent"
RESPONDENT_DAYS = 90
FORM_MAX_AGE = timedelta(days=2)


def _secret(request: Request) -> str:
    state = request.app.state
    if getattr(state, "public_secret", None) is None:
        state.public_secret = state.settings.resolved_secret_key()
    return state.public_secret


# ---- one visit: survey, language, respondent ----------------------------------------------


@dataclass
class Visit:
    survey: Survey
    version: int
    definition: SurveyDefinition
    lang: str
    token: str | None
    invitation: Invitation | None
    respondent: str
    new_cookie: str | None = None

    def url(self, **extra: str) -> str:
        query = {"lang": self.lang, **({"t": self.token} if self.token else {}), **extra}
        return f"/s/{self.survey.slug}?{urlencode(query)}"


def _visit(
    request: Request, db: Session, slug: str, *, lang: str | None, token: str | None
) -> Visit:
    lang = pick_language(request, lang)
    survey, version, definition = open_survey(db, slug)
    invitation = None
    new_cookie = None
    if token:
        try:
            invitation = read_token(
                session=db,
                secret=_secret(request),
                token=token,
                survey_id=survey.id,
                allow_used=True,
            )
        except LinkProblem as problem:
            raise PageError(problem.status, f"link_{problem.reason}") from None
        respondent = f"inv:{invitation.id}"
    else:
        cookies = URLSafeSerializer(_secret(request), salt="otklik.respondent")
        try:
            rid = cookies.loads(request.cookies.get(RESPONDENT_COOKIE, ""))
        except BadSignature:
            rid = None
        if not isinstance(rid, str):
            rid = secrets.token_urlsafe(16)
            new_cookie = cookies.dumps(rid)
        respondent = f"c:{rid}"
    return Visit(survey, version, definition, lang, token, invitation, respondent, new_cookie)


def _forms(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(request), salt="otklik.survey-form")


def _check_form_token(request: Request, visit: Visit, value: str) -> str:
    """The submission nonce of a valid form token for this survey and respondent."""
    try:
        data, issued = _forms(request).loads(
            value, max_age=int(FORM_MAX_AGE.total_seconds()), return_timestamp=True
        )
        request.state.form_issued_at = issued  # when this form was shown: time to complete
    except BadSignature:
        data = None
    if (
        not isinstance(data, dict)
        or data.get("s") != visit.survey.id
        or data.get("r") != visit.respondent
        or not isinstance(data.get("n"), str)
    ):
        raise PageError(400, "form_expired", again=visit.url())
    return data["n"]


# ---- rendering ----------------------------------------------------------------------------


def _render(
    request: Request,
    template: str,
    lang: str,
    context: dict[str, Any],
    status: int = 200,
    visit: Visit | None = None,
) -> HTMLResponse:
    ctx = {"lang": lang, "t": lambda key, **kw: translate(key, lang, **kw), **context}
    if visit is not None:
        notice = visit.definition.notice
        ctx.setdefault("notice", notice.text.get(lang))
        ctx.setdefault("privacy_url", notice.privacy_url)
        ctx.setdefault(
            "switch",
            [(code, visit.url(lang=code)) for code in LANGS],
        )
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    if visit is not None and visit.new_cookie:
        _set_cookie(request, response, visit.new_cookie)
    return response


def _set_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        RESPONDENT_COOKIE,
        value,
        max_age=RESPONDENT_DAYS * 86400,
        path="/s/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )


def message_page(request: Request, error: PageError, lang: str | None = None) -> HTMLResponse:
    lang = pick_language(request, lang or request.query_params.get("lang"))
    text = translate(f"public.{error.key}", lang, **error.params)
    response = _render(
        request,
        "public/message.html",
        lang,
        {
            "heading": translate(f"public.{error.key}_title", lang),
            "text": text,
            "again": error.again,
        },
        status=error.status,
    )
    if error.status == 429:
        response.headers["Retry-After"] = str(error.params.get("seconds", 60))
    return response


def _form_page(
    request: Request,
    visit: Visit,
    answers: dict[str, Any],
    *,
    step: str | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    message_error: bool = False,
    status: int = 200,
) -> HTMLResponse:
    d, lang = visit.definition, visit.lang
    items = render_questions(d, lang, answers)
    progress = last = None
    if d.layout == "steps" and items:
        ids = [item["id"] for item in items]
        step = step if step in ids else _first_open(ids, answers)
        i = ids.index(step)
        items, progress, last = [items[i]], (i + 1, len(ids)), i == len(ids) - 1
    else:
        step = None
    nonce = secrets.token_urlsafe(16)
    token = _forms(request).dumps({"s": visit.survey.id, "r": visit.respondent, "n": nonce})
    context = {
        "title": d.title.get(lang),
        "intro": d.intro.get(lang) if d.intro else "",
        "questions": items,
        "errors": errors or {},
        "message": message,
        "message_error": message_error,
        "progress": progress,
        "last": last,
        "step": step,
        "shown": ",".join(item["id"] for item in items),
        "has_required": any(item["required"] for item in items),
        "form_token": token,
        "token": visit.token,
        "action": f"/s/{visit.survey.slug}",
    }
    return _render(request, "public/survey.html", lang, context, status, visit)


def _first_open(ids: list[str], answers: dict[str, Any]) -> str:
    return next((qid for qid in ids if qid not in answers), ids[-1])


def _thanks_page(request: Request, visit: Visit, text: str) -> HTMLResponse:
    title = visit.definition.title.get(visit.lang)
    return _render(
        request, "public/thanks.html", visit.lang, {"title": title, "thanks": text}, visit=visit
    )


# ---- routes -------------------------------------------------------------------------------


async def form_data(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=300)


@router.get("/s/{slug}")
def survey_page(request: Request, slug: str, db: SessionDep) -> Response:
    """The survey form, continuing the respondent's draft; a closed survey gets 410."""
    params = request.query_params
    try:
        wait = rate_wait(request, "page")
        if wait is not None:
            raise PageError(429, "rate", seconds=wait)
        visit = _visit(request, db, slug, lang=params.get("lang"), token=params.get("t"))
        if visit.invitation is not None and visit.invitation.responded_at is not None:
            raise PageError(410, "link_used")
        if visit.invitation is not None and visit.invitation.opened_at is None:
            mark_opened(session=db, invitation_id=visit.invitation.id)
        draft = drafts.load_draft(
            session=db, survey_id=visit.survey.id, respondent_key=visit.respondent
        )
        answers = dict(draft.answers) if draft else {}
        return _form_page(request, visit, answers, step=draft.step if draft else None)
    except PageError as error:
        return message_page(request, error)


@router.post("/s/{slug}")
def survey_submit(
    request: Request, slug: str, db: SessionDep, form: FormData = Depends(form_data)
) -> Response:
    """Save the answers of the shown questions; move a step, re-ask, or store the response."""
    lang = form.get("lang") if isinstance(form.get("lang"), str) else None
    try:
        wait = rate_wait(request, "submit")
        if wait is not None:
            raise PageError(429, "rate", seconds=wait)
        token = form.get("t")
        visit = _visit(
            request, db, slug, lang=lang, token=token if isinstance(token, str) and token else None
        )
        nonce = _check_form_token(request, visit, str(form.get("ft", "")))
        return _handle(request, db, visit, form, nonce)
    except PageError as error:
        return message_page(request, error, lang)


def _posted(definition: SurveyDefinition, form: FormData) -> tuple[list[str], dict[str, Any]]:
    """(ids of the questions that were on the page, their answers; empty ones as None)."""
    shown = [q for q in str(form.get("shown", "")).split(",") if definition.question(q)]
    values: dict[str, Any] = {}
    for qid in shown:
        q = definition.question(qid)
        raw = [v for v in form.getlist(qid) if isinstance(v, str)]
        if q is not None and q.type == "multi_choice":
            values[qid] = raw or None
        else:
            values[qid] = raw[-1] if raw and raw[-1].strip() else None
    return shown, values


def _handle(request: Request, db: Session, visit: Visit, form: FormData, nonce: str) -> Response:
    d, key = visit.definition, visit.respondent
    if visit.invitation is not None and visit.invitation.responded_at is not None:
        return _answered_already(request, db, visit, form)
    draft = drafts.load_draft(session=db, survey_id=visit.survey.id, respondent_key=key)
    # First view: the earliest of the draft's start, this form's render, the link's first open.
    seen = (
        draft.started_at if draft else None,
        getattr(request.state, "form_issued_at", None),
        visit.invitation.opened_at if visit.invitation is not None else None,
    )
    started_at = min((t for t in seen if t is not None), default=None)
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    shown, posted = _posted(d, form)
    for qid, value in posted.items():
        if value is None:
            answers.pop(qid, None)
        else:
            answers[qid] = value
    # Typed values (7, not "7") so that show-if conditions compare numbers; answers that
    # do not validate stay as typed by the respondent, to be shown back with the error.
    clean, _ = validate_answers(d, answers, check_required=())
    answers.update(clean)
    action = form.get("action")

    def save(step: str | None = None) -> None:
        drafts.save_draft(
            session=db, survey_id=visit.survey.id, respondent_key=key, answers=answers, step=step
        )

    if d.layout == "steps":
        ids = [q.id for q in visible_questions(d, answers)]
        current = str(form.get("q", ""))
        pos = ids.index(current) if current in ids else -1
        if action == "back":
            save(ids[max(pos - 1, 0)] if ids else None)
            return RedirectResponse(visit.url(), status_code=303)
        _, errors = validate_answers(d, answers, check_required={current})
        if current in errors:
            save(current)
            return _form_page(
                request,
                visit,
                answers,
                step=current,
                errors=_messages(errors, visit.lang),
                status=422,
            )
        if pos + 1 < len(ids):
            save(ids[pos + 1])
            return RedirectResponse(visit.url(), status_code=303)
    else:
        fresh = [q for q in visible_questions(d, answers) if q.id not in shown]
        if fresh and any(q.id not in answers for q in fresh):
            save()
            return _form_page(
                request, visit, answers, message=translate("public.more_questions", visit.lang)
            )
    try:
        done = submit_answers(
            session=db,
            survey=visit.survey,
            definition=d,
            answers=answers,
            lang=visit.lang,
            source="survey",
            idempotency_key=f"survey:{visit.survey.id}:{nonce}",
            invitation=visit.invitation,
            started_at=started_at,
        )
    except AnswersRefused as refused:
        first = next(iter(refused.errors))
        save(first if d.layout == "steps" else None)
        return _form_page(
            request,
            visit,
            answers,
            step=first,
            errors=_messages(refused.errors, visit.lang),
            status=422,
        )
    except NothingAnswered:
        save()
        return _form_page(
            request,
            visit,
            answers,
            status=422,
            message_error=True,
            message=translate("public.need_answer", visit.lang),
        )
    except TokenUsed:
        raise PageError(410, "link_used") from None
    except OtklikError:
        raise PageError(400, "form_expired", again=visit.url()) from None
    drafts.discard_draft(session=db, survey_id=visit.survey.id, respondent_key=key)
    return _thanks_page(request, visit, done.thank_you)


def _answered_already(request: Request, db: Session, visit: Visit, form: FormData) -> Response:
    """The same form sent again after it was stored shows the thanks; anything else is a reuse."""
    assert visit.invitation is not None
    previous = stored_answers(session=db, idempotency_key=invitation_key(visit.invitation.id))
    posted = {k: v for k, v in _posted(visit.definition, form)[1].items() if v is not None}
    clean, errors = validate_answers(visit.definition, posted)
    if previous is None or errors or previous[1] != clean:
        raise PageError(410, "link_used")
    return _thanks_page(request, visit, thank_you_text(visit.definition, previous[1], visit.lang))


def _messages(errors: dict[str, Any], lang: str) -> dict[str, str]:
    return {qid: e.message(lang) for qid, e in errors.items()}
