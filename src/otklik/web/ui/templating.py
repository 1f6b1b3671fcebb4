"""Server-rendered pages: one Jinja environment (autoescape on) with the UI helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from otklik.web.csrf import csrf_token
from otklik.web.ui.i18n import LANGUAGES, request_language, translate

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``t`` (translate), ``lang``, ``csrf_token`` and ``user``."""
    lang = request_language(request)
    ctx: dict[str, Any] = {
        "lang": lang,
        "languages": LANGUAGES,
        "t": lambda key, **kw: translate(key, lang, **kw),
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
