"""The ASGI app factory: one app serves the JSON API (/api/v1), the UI pages and the docs."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from otklik import __version__
from otklik.access.ratelimit import build_rate_limiter
from otklik.config import Settings, get_settings
from otklik.errors import Conflict, NotFound, OtklikError, RateLimited, ValidationFailed
from otklik.store.db import make_engine, make_sessionmaker
from otklik.store.group_commit import GroupCommitter
from otklik.web.csrf import CsrfFailed
from otklik.web.deps import ApiAuthFailed, Forbidden, LoginRequired
from otklik.web.fastpath import IngestFastPath

UI_DIR = Path(__file__).parent / "ui"

API_DESCRIPTION = """
Otklik's JSON API. Machines authenticate with an API key
(`Authorization: Bearer otk_…` or `X-API-Key`), created by an admin with
`otklik apikey create` or in the settings page; it is shown once.

Errors are JSON: `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` for
validation (422), `{"detail": "..."}` otherwise.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. The schema must already be migrated (`otklik migrate`; `serve` does it)."""
    settings = settings or get_settings()
    from otklik.understand.comments.redaction import set_redaction

    engine = make_engine(settings.sqlalchemy_url)
    set_redaction(engine, settings.redact_pii_on_ingest)
    committer = GroupCommitter(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        committer.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Otklik",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    # Ingestion shares commits between concurrent requests (see store/group_commit.py).
    app.state.group_committer = committer
    # Login attempts now, public survey endpoints later; Redis when several processes serve.
    app.state.limiter = build_rate_limiter(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="otklik_session",
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # Added last, so it runs first: ingestion skips the session and routing layers.
    app.add_middleware(IngestFastPath)
    app.mount("/static", StaticFiles(directory=UI_DIR / "static"), name="static")
    _add_error_handlers(app)
    _include_routers(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's OpenAPI plus the models that routes document by ``$ref`` only (the ingestion
    route parses its body by hand for speed, so FastAPI would not register ``ResponseIn``)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        from otklik.listen.schemas import ResponseIn

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ResponseIn,):
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in model_schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components.setdefault(model.__name__, model_schema)
        app.openapi_schema = schema
    return app.openapi_schema


def _include_routers(app: FastAPI) -> None:
    from otklik.web.api import health, metrics, responses
    from otklik.web.api import surveys as surveys_api
    from otklik.web.ui import auth, home
    from otklik.web.ui import surveys as surveys_ui

    app.include_router(health.router)
    app.include_router(responses.router)
    app.include_router(metrics.router)
    app.include_router(auth.router)
    app.include_router(home.router)
    app.include_router(surveys_api.router)
    app.include_router(surveys_ui.router)
    from otklik.web.ui import dashboard

    app.include_router(dashboard.router)
    _include_public_routers(app)
    _include_insight_routers(app)
    _include_invitation_routers(app)
    _include_journey_routers(app)


def _include_journey_routers(app: FastAPI) -> None:
    """The journey map: editor, live map, exports, drill-down, API."""
    from otklik.web.api import journeys as journeys_api
    from otklik.web.ui import journeys, journeys_edit

    app.include_router(journeys_api.router)
    app.include_router(journeys.router)
    app.include_router(journeys_edit.router)


def _include_invitation_routers(app: FastAPI) -> None:
    """Invitations (trigger API, pages), fatigue policy, results, reviews webhook, my data."""
    from otklik.web.api import invitations as invitations_api
    from otklik.web.api import webhooks
    from otklik.web.ui import invitations, my_data, results

    app.include_router(invitations_api.router)
    app.include_router(webhooks.router)
    app.include_router(invitations.router)
    app.include_router(results.router)
    app.include_router(my_data.router)


def _include_insight_routers(app: FastAPI) -> None:
    """Retention, key drivers and churn risk: API and pages."""
    from otklik.web.api import insights, text
    from otklik.web.ui import churn, comments, drivers, retention

    app.include_router(insights.router)
    app.include_router(text.router)
    app.include_router(comments.router)
    app.include_router(retention.router)
    app.include_router(drivers.router)
    app.include_router(churn.router)


def _include_public_routers(app: FastAPI) -> None:
    """Survey pages, the widget API (its own CORS, no app-wide middleware), QR, share panel."""
    from otklik.web.api import public, qr
    from otklik.web.ui import public_survey, share

    app.include_router(public_survey.router)
    app.include_router(public.router)
    app.include_router(qr.router)
    app.include_router(share.router)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "login required"}, status_code=401)
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(nxt, safe='/')}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, exc: CsrfFailed):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        from otklik.web.ui.auth import safe_next
        from otklik.web.ui.templating import render

        # Send people back to the form they came from (same site only), with a fresh token.
        referer = urlsplit(request.headers.get("referer", ""))
        back = referer.path + (f"?{referer.query}" if referer.query else "")
        back = safe_next(back) if referer.netloc == request.url.netloc else "/"
        context = {"title_key": "error.csrf_title", "message_key": "error.csrf", "back": back}
        return render(request, "error.html", context, status_code=403)

    @app.exception_handler(Forbidden)
    async def _forbidden(_request: Request, _exc: Forbidden):
        return JSONResponse({"detail": "your role does not allow this"}, status_code=403)

    @app.exception_handler(ApiAuthFailed)
    async def _api_auth(_request: Request, _exc: ApiAuthFailed):
        return JSONResponse(
            {"detail": "a valid API key is required (Authorization: Bearer otk_…)"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(OtklikError)
    async def _otklik_error(_request: Request, exc: OtklikError):
        status = 400
        headers = {}
        if isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, Conflict):
            status = 409
        elif isinstance(exc, RateLimited):
            status = 429
            headers["Retry-After"] = str(exc.retry_after)
        elif isinstance(exc, ValidationFailed):
            loc = ["body", exc.field] if exc.field else ["body"]
            return JSONResponse(
                {"detail": [{"loc": loc, "msg": str(exc), "type": "value_error"}]},
                status_code=422,
            )
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        # Keep FastAPI's shape but drop the echoed input (it may carry personal data).
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)
