"""A fast path for the one endpoint that machines call at volume: ``POST /api/v1/responses``.

Measured on 2 cores, the app's middleware and router (session cookie handling, exception
middleware, exit stacks, matching ~100 routes) cost as much CPU per ingestion request as
validating and storing the response. This ASGI middleware, added outermost, sends that one
method and path straight to :func:`otklik.web.api.responses.ingest_one` — the same function
the documented route calls — and renders errors with the app's own exception handlers, so
the answers are identical. Every other request goes through the full stack.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

PATH = "/api/v1/responses"


class IngestFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        from otklik.web.api.responses import ingest_one

        request = Request(scope, receive)
        try:
            response = await ingest_one(request)
        except Exception as exc:
            handler = _handler_for(scope["app"].exception_handlers, exc)
            if handler is None:
                raise  # the server-error middleware answers 500 and logs it
            response = await handler(request, exc)
        await response(scope, receive, send)


def _handler_for(handlers: dict, exc: Exception):
    for cls in type(exc).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None
