"""Typed dependencies for route handlers: the DB session, settings, the current user, the API key.

Routes read like ``def handler(db: SessionDep, user: CurrentUser)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from otklik.access.apikeys import ApiPrincipal, authenticate_api_key, cached_api_principal
from otklik.access.models import User
from otklik.access.users import session_user
from otklik.config import Settings


class LoginRequired(Exception):
    """Raised by UI dependencies; the app turns it into a redirect to the login page."""


class Forbidden(Exception):
    """The user is logged in but their role does not allow this."""


class ApiAuthFailed(Exception):
    """No valid API key; the app answers 401 with a WWW-Authenticate header."""


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_db)]


def get_current_user(request: Request, db: SessionDep) -> User:
    user = session_user(
        session=db,
        user_id=request.session.get("uid"),
        version=request.session.get("sv"),
    )
    if user is None:
        request.session.clear()
        raise LoginRequired()
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: str):
    """Dependency factory: the current user must have one of ``roles``."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden()
        return user

    return Depends(check)


def _authenticate_in_thread(request: Request, key: str) -> ApiPrincipal | None:
    with request.app.state.sessionmaker() as session:
        return authenticate_api_key(session=session, key=key)


# Security schemes: they document the API key in OpenAPI ("Authorize" in /api/docs) and
# read one header each straight from the request. Declaring the headers as ``Header()``
# parameters instead cost FastAPI ~0.4 ms of parameter validation per request.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer otk_…` — an API key created by an admin.",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="Alternative to the Authorization header: the API key itself.",
)


def presented_key(request: Request) -> str | None:
    """The API key sent as ``X-API-Key`` or ``Authorization: Bearer …``, if any."""
    key = request.headers.get("x-api-key")
    if key is None:
        authorization = request.headers.get("authorization")
        if authorization and authorization[:7].lower() == "bearer ":
            key = authorization[7:].strip()
    return key


async def principal_for_key(request: Request, key: str | None) -> ApiPrincipal:
    """The machine identity for a presented key; ApiAuthFailed (401) when none is valid.

    Async on purpose: a cached key is checked on the event loop; only a cache miss
    costs a thread and a query. (A sync dependency costs a thread hop on every request,
    and a session another two; on the ingestion hot path that was most of the time.)"""
    principal = None
    if key:
        answered, principal = cached_api_principal(key)
        if not answered:
            principal = await run_in_threadpool(_authenticate_in_thread, request, key)
    if principal is None:
        raise ApiAuthFailed()
    return principal


async def get_api_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    x_api_key: Annotated[str | None, Security(api_key_scheme)],
) -> ApiPrincipal:
    key = x_api_key or (bearer.credentials.strip() if bearer else None)
    return await principal_for_key(request, key)


ApiPrincipalDep = Annotated[ApiPrincipal, Depends(get_api_principal)]


METRICS_READ_SCOPE = "metrics:read"


async def get_metrics_reader(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> User | ApiPrincipal:
    """Who may read metrics: a logged-in user (any role), or an API key with the
    ``metrics:read`` scope (a BI tool). Ingestion keys do not read metrics."""
    uid = request.session.get("uid")
    if uid is not None:

        def lookup() -> User | None:
            with request.app.state.sessionmaker() as session:
                return session_user(session=session, user_id=uid, version=request.session.get("sv"))

        user = await run_in_threadpool(lookup)
        if user is not None:
            request.state.user = user
            return user
    if authorization is None and x_api_key is None:
        raise LoginRequired()
    principal = await principal_for_key(request, presented_key(request))
    if METRICS_READ_SCOPE not in principal.scopes:
        raise Forbidden()
    return principal


MetricsReader = Annotated[User | ApiPrincipal, Depends(get_metrics_reader)]
