"""CSRF protection for UI forms: a per-session token, echoed in every form as ``csrf_token``.

SameSite=Lax cookies already stop most cross-site posts; the token closes the
rest (older browsers, same-site subdomains).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Depends, Form, Request

from otklik.errors import OtklikError


class CsrfFailed(OtklikError):
    """The form's anti-forgery token is missing or wrong (e.g. the page was open too long)."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, csrf_token: str = Form("", include_in_schema=False)) -> None:
    expected = request.session.get("csrf")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        raise CsrfFailed("the form expired or was not sent from Otklik; reload the page and retry")


CsrfChecked = Depends(check_csrf)
