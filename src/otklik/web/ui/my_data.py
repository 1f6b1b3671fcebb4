"""Pages a respondent reaches from an invitation email: see and erase their answers
(``/my-data/{token}``) and unsubscribe (``/unsubscribe/{token}``).

No login: the signed token in the link is the credential (see
:mod:`otklik.listen.erasure` and :func:`otklik.listen.invitations.unsubscribe_token`).
Erasing needs a second, short-lived signed token that only our own page carries, so a
link or an image elsewhere cannot erase anything. Unsubscribe is a page with a button
(mail scanners follow GET links) and accepts the RFC 8058 one-click POST.
Same small, script-free pages and headers as the survey pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from otklik.listen.erasure import (
    MyDataLinkInvalid,
    check_erase_form,
    erase_form_token,
    erase_responses,
    my_responses,
    read_my_data_token,
)
from otklik.listen.invitations import UnsubscribeLinkInvalid, read_unsubscribe_token, unsubscribe
from otklik.listen.models import Customer
from otklik.web.deps import SessionDep
from otklik.web.ui.i18n import translate
from otklik.web.ui.public_edge import SECURITY_HEADERS, pick_language, rate_wait
from otklik.web.ui.templating import templates

router = APIRouter(include_in_schema=False)


def _secret(request: Request) -> str:
    state = request.app.state
    if getattr(state, "public_secret", None) is None:
        state.public_secret = state.settings.resolved_secret_key()
    return state.public_secret


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200):
    lang = pick_language(request, request.query_params.get("lang"))
    path = request.url.path
    ctx = {
        "lang": lang,
        "t": lambda key, **kw: translate(key, lang, **kw),
        "switch": [(code, f"{path}?lang={code}") for code in ("ru", "en")],
        **context,
    }
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def _message(request: Request, key: str, status: int, **params: Any) -> HTMLResponse:
    lang = pick_language(request, request.query_params.get("lang"))
    return _page(
        request,
        "public/message.html",
        {
            "heading": translate(f"{key}_title", lang),
            "text": translate(key, lang, **params),
            "again": None,
        },
        status,
    )


def _limited(request: Request) -> HTMLResponse | None:
    wait = rate_wait(request, "page")
    if wait is None:
        return None
    response = _message(request, "public.rate", 429, seconds=wait)
    response.headers["Retry-After"] = str(wait)
    return response


@router.get("/my-data/{token}")
def my_data(request: Request, token: str, db: SessionDep) -> HTMLResponse:
    """The customer's responses, question by question, with an erase button."""
    if (limited := _limited(request)) is not None:
        return limited
    try:
        customer_id = read_my_data_token(secret=_secret(request), token=token)
    except MyDataLinkInvalid:
        return _message(request, "mydata.invalid", 400)
    lang = pick_language(request, request.query_params.get("lang"))
    rows = my_responses(session=db, customer_id=customer_id, lang=lang)
    return _page(
        request,
        "public/my_data.html",
        {
            "responses": rows,
            "erase_token": erase_form_token(secret=_secret(request), customer_id=customer_id),
            "action": f"/my-data/{token}/erase?lang={lang}",
        },
    )


@router.post("/my-data/{token}/erase")
async def my_data_erase(request: Request, token: str, db: SessionDep) -> HTMLResponse:
    """Delete the customer's responses (needs the signed form token of the page)."""
    if (limited := _limited(request)) is not None:
        return limited
    form = await request.form(max_files=0, max_fields=10)
    try:
        customer_id = read_my_data_token(secret=_secret(request), token=token)
    except MyDataLinkInvalid:
        return _message(request, "mydata.invalid", 400)
    if not check_erase_form(secret=_secret(request), token=str(form.get("ft", "")),
                            customer_id=customer_id):  # fmt: skip
        return _message(request, "mydata.form_expired", 400)
    done = erase_responses(session=db, customer_id=customer_id, via="my-data")
    return _message(request, "mydata.erased", 200, n=done.responses)


@router.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str, db: SessionDep) -> HTMLResponse:
    if (limited := _limited(request)) is not None:
        return limited
    try:
        customer_id = read_unsubscribe_token(secret=_secret(request), token=token)
    except UnsubscribeLinkInvalid:
        return _message(request, "unsub.invalid", 400)
    customer = db.get(Customer, customer_id)
    if customer is not None and customer.unsubscribed_at is not None:
        return _message(request, "unsub.done", 200)
    lang = pick_language(request, request.query_params.get("lang"))
    return _page(
        request, "public/unsubscribe.html", {"action": f"/unsubscribe/{token}?lang={lang}"}
    )


@router.post("/unsubscribe/{token}")
def unsubscribe_confirm(request: Request, token: str, db: SessionDep) -> HTMLResponse:
    """The page's button, or a mail client's one-click POST (RFC 8058)."""
    if (limited := _limited(request)) is not None:
        return limited
    try:
        customer_id = read_unsubscribe_token(secret=_secret(request), token=token)
    except UnsubscribeLinkInvalid:
        return _message(request, "unsub.invalid", 400)
    unsubscribe(session=db, customer_id=customer_id)
    return _message(request, "unsub.done", 200)
