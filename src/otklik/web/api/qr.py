"""QR codes (SVG and PNG) of survey links, for posters, receipts and letters.

``GET /api/v1/surveys/{slug}/qr.svg`` or ``.png`` encodes the survey's public link
(``?lang=`` adds the language; ``?t=`` a personal token, for a printed invitation).
``size`` is the wanted width in pixels; the QR is drawn at the largest whole number of
pixels per module that fits (at least 1), so it stays sharp. Made by ``segno`` (pure
Python, no image library). Needs a logged-in user or an API key, like reading surveys.
"""

from __future__ import annotations

import io
from typing import Annotated, Literal

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from otklik.listen.links import MAX_TOKEN_CHARS, public_url
from otklik.listen.surveys import get_survey
from otklik.web.api.surveys import Read
from otklik.web.deps import SessionDep

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])
BORDER = 4  # the quiet zone the QR standard asks for, in modules
MEDIA = {"svg": "image/svg+xml", "png": "image/png"}


def qr_image(url: str, *, fmt: Literal["svg", "png"], size: int, title: str | None = None) -> bytes:
    """The QR code of ``url`` as SVG or PNG bytes, about ``size`` pixels wide."""
    qr = segno.make(url, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=BORDER)[0]
    scale = max(1, size // modules)
    out = io.BytesIO()
    if fmt == "svg":
        qr.save(out, kind="svg", scale=scale, border=BORDER, xmldecl=True, title=title)
    else:
        qr.save(out, kind="png", scale=scale, border=BORDER)
    return out.getvalue()


@router.get(
    "/{slug}/qr.{fmt}",
    summary="QR code of the survey's link (SVG or PNG)",
    dependencies=[Read],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
def survey_qr(
    request: Request,
    slug: str,
    fmt: Literal["svg", "png"],
    db: SessionDep,
    lang: Literal["ru", "en"] | None = None,
    size: Annotated[int, Query(ge=64, le=4096, description="Width in pixels.")] = 512,
    t: Annotated[
        str | None, Query(max_length=MAX_TOKEN_CHARS, description="Personal token.")
    ] = None,
) -> Response:
    survey = get_survey(session=db, slug=slug)
    url = public_url(
        base_url=request.app.state.settings.base_url, slug=survey.slug, lang=lang, token=t
    )
    body = qr_image(url, fmt=fmt, size=size, title=survey.title)
    filename = f"{survey.slug}-qr.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
            "X-QR-Link": url
            if t is None
            else public_url(
                base_url=request.app.state.settings.base_url, slug=survey.slug, lang=lang
            ),
        },
    )
