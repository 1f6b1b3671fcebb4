"""The share panel of a survey: public links, QR codes, the widget snippet, allowed sites.

``/surveys/{id}/share`` is linked from the builder. Everything shown is computed from the
same functions the API and the public pages use (links, QR endpoint, widget script).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from otklik.access.models import User
from otklik.errors import ValidationFailed
from otklik.listen.links import public_url
from otklik.listen.surveys import get_survey
from otklik.store import utcnow
from otklik.web.csrf import CsrfChecked
from otklik.web.deps import CurrentUser, SessionDep, require_role
from otklik.web.ui.templating import render

router = APIRouter(prefix="/surveys", include_in_schema=False)
Editor = require_role("admin", "analyst")
MAX_ORIGINS = 50


def parse_origins(text: str) -> list[str]:
    """One ``scheme://host[:port]`` per line → a clean list; a bad line raises ValidationFailed."""
    origins: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip().rstrip("/")
        if not line:
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise ValidationFailed(
                f"allowed_origins line {n}: write an origin like https://shop.example.com",
                field="allowed_origins",
            )
        if not re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?", parts.netloc):
            raise ValidationFailed(f"allowed_origins line {n}: bad host", field="allowed_origins")
        if line.lower() not in origins:
            origins.append(line.lower())
    if len(origins) > MAX_ORIGINS:
        raise ValidationFailed(f"at most {MAX_ORIGINS} origins", field="allowed_origins")
    return origins


def _page(request: Request, db, survey_id: int, user: User, error: str | None = None, status=200):
    survey = get_survey(session=db, survey_id=survey_id)
    base = request.app.state.settings.base_url.rstrip("/")
    links = {code: public_url(base_url=base, slug=survey.slug, lang=code) for code in ("ru", "en")}
    snippet = (
        f'<script src="{base}/widget.js" data-survey="{survey.slug}" data-delay="5" '
        f'data-lang="ru" async></script>'
    )
    return render(
        request,
        "share.html",
        {
            "survey": survey,
            "links": links,
            "public": public_url(base_url=base, slug=survey.slug),
            "snippet": snippet,
            "origins": "\n".join((survey.settings or {}).get("allowed_origins") or []),
            "can_edit": user.role in ("admin", "analyst"),
            "error": error,
        },
        status_code=status,
    )


@router.get("/{survey_id}/share")
def survey_share(request: Request, survey_id: int, db: SessionDep, user: CurrentUser):
    return _page(request, db, survey_id, user)


@router.post("/{survey_id}/share/origins", dependencies=[CsrfChecked])
async def survey_origins(request: Request, survey_id: int, db: SessionDep, user: User = Editor):
    form = await request.form()
    survey = get_survey(session=db, survey_id=survey_id)
    try:
        origins = parse_origins(str(form.get("allowed_origins", "")))
    except ValidationFailed as exc:
        return _page(request, db, survey_id, user, error=str(exc), status=422)
    survey.settings = {**(survey.settings or {}), "allowed_origins": origins}
    survey.updated_at = utcnow()
    db.commit()
    return RedirectResponse(f"/surveys/{survey_id}/share", status_code=303)
