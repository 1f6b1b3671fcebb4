"""What every login-free page and endpoint shares: the survey page, the widget API and
"my data" — rate limits per client address, language choice, security headers, opening a
published survey, and the small error page instead of a 500."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from otklik.errors import NotFound
from otklik.listen.definition import LANGS, SurveyDefinition, parse_definition
from otklik.listen.models import Survey
from otklik.listen.surveys import get_survey, live_definition

# (hits, window seconds) per client address; app.state.public_rate_limits overrides them.
DEFAULT_LIMITS = {"page": (120, 60), "submit": (30, 60), "widget": (30, 60)}
SECURITY_HEADERS = {
    # Inline CSS only; nothing loads from anywhere; forms post back here.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'",
    # A personal link carries its token: never leak it to the privacy page or elsewhere.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class PageError(Exception):
    """Ends a request with a small page in the respondent's language (never a 500)."""

    def __init__(self, status: int, key: str, *, again: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.again, self.params = status, key, again, params


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_wait(request: Request, kind: str) -> int | None:
    """Count one hit of ``kind`` for the client's address; seconds to wait when refused."""
    limits = getattr(request.app.state, "public_rate_limits", None) or DEFAULT_LIMITS
    limit, window = limits.get(kind, DEFAULT_LIMITS[kind])
    wait = request.app.state.limiter.hit(
        f"public:{kind}:{client_address(request)}", limit=limit, window_seconds=window
    )
    return None if wait is None else wait.whole_seconds


def pick_language(request: Request, explicit: str | None = None) -> str:
    """``?lang=`` (or the form's) → Accept-Language → Russian."""
    if explicit in LANGS:
        return explicit
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "ru"


def open_survey(db: Session, slug: str) -> tuple[Survey, int, SurveyDefinition]:
    """The published survey and its live version; PageError 404 (unknown, draft) or 410."""
    try:
        survey = get_survey(session=db, slug=slug)
    except NotFound:
        raise PageError(404, "not_found") from None
    live = live_definition(session=db, survey=survey)
    if live is None:
        raise PageError(
            410 if survey.status == "closed" else 404,
            "closed" if survey.status == "closed" else "not_found",
        )
    return survey, live[0], parse_definition(live[1])
