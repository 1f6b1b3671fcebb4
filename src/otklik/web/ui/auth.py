"""Logging in and out of the web UI.

Sessions live in the signed cookie (Starlette's SessionMiddleware), so there is
no server-side session id an attacker could plant: "rotating" the session on
login means clearing it and issuing a fresh CSRF token. A session names the
user and their ``session_version``; bumping that version logs them out everywhere.

Failed logins are counted per email and per client address; once either reaches
``OTKLIK_LOGIN_ATTEMPTS_PER_MINUTE`` in a minute, attempts get 429 before any
password is checked, so guessing costs the attacker time, not us CPU.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.access.ratelimit import RateLimiter, RetryAfter
from otklik.access.users import authenticate, session_user
from otklik.web.csrf import CsrfChecked, csrf_token
from otklik.web.deps import SessionDep, SettingsDep
from otklik.web.ui.i18n import request_language, translate
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_WINDOW_SECONDS = 60


def safe_next(value: str | None) -> str:
    """Where to go after login: only a path on this site, never another origin.

    ``//evil.com`` and ``/\\evil.com`` are protocol-relative URLs to browsers,
    and ``https://evil.com`` is absolute; all fall back to ``/``.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _limit_keys(request: Request, email: str) -> tuple[str, str]:
    # The email is hashed so that Redis never holds who tried to log in.
    email_digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    client = request.client.host if request.client else "unknown"
    return f"login:email:{email_digest}", f"login:ip:{client}"


def _login_page(
    request: Request,
    *,
    next_url: str,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "login.html",
        {"next": next_url, "email": email, "error": error},
        status_code=status_code,
    )


@router.get("/login")
def login_form(request: Request, db: SessionDep, next: str = "/") -> Response:
    next_url = safe_next(next)
    user = session_user(
        session=db, user_id=request.session.get("uid"), version=request.session.get("sv")
    )
    if user is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url=next_url)


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    next_url = safe_next(next)
    limiter: RateLimiter = request.app.state.limiter
    limit = settings.login_attempts_per_minute
    keys = _limit_keys(request, email)
    waits = (limiter.peek(key, limit=limit, window_seconds=LOGIN_WINDOW_SECONDS) for key in keys)
    refusals = [wait for wait in waits if wait is not None]
    if refusals:
        return _rate_limited(request, max(refusals, key=lambda w: w.seconds), next_url, email)

    user = authenticate(session=db, email=email, password=password) if email else None
    if user is None:
        for key in keys:
            limiter.hit(key, limit=limit, window_seconds=LOGIN_WINDOW_SECONDS)
        message = translate("login.failed", request_language(request))
        return _login_page(request, next_url=next_url, email=email, error=message, status_code=400)

    db.commit()  # last_login_at, and a re-hashed password when parameters changed
    limiter.reset(keys[0])
    request.session.clear()
    request.session.update({"uid": user.id, "sv": user.session_version})
    csrf_token(request)  # a fresh token for the new session
    return RedirectResponse(next_url, status_code=303)


def _rate_limited(request: Request, wait: RetryAfter, next_url: str, email: str) -> Response:
    message = translate("login.rate_limited", request_language(request), seconds=wait.whole_seconds)
    response = _login_page(request, next_url=next_url, email=email, error=message, status_code=429)
    response.headers["Retry-After"] = wait.header
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
