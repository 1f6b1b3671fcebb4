"""Survey links: the public link of a survey and signed, single-use personal links.

A personal link ``/s/{slug}?t=TOKEN`` ties an answer to one customer and one
:class:`~otklik.listen.models.Invitation`. The token is signed with the app's secret
(itsdangerous) and carries the invitation id, the invitation's random ``token_nonce``
and an expiry; nothing else about the customer travels in the URL. Checking a token:

- a changed or foreign token fails the signature → :class:`TokenInvalid` (HTTP 400);
- past its expiry → :class:`TokenExpired` (410);
- the invitation's nonce changed (the link was revoked or re-issued) or the invitation
  is gone → :class:`TokenRevoked` (410);
- the invitation was already answered → :class:`TokenUsed` (410).

The invitation becomes ``responded`` in :func:`link_response`, after the response is
stored through ingestion; the response's idempotency key is derived from the
invitation (:func:`invitation_key`), so a second answer through the same link can
never create a second response, even when two tabs submit at once.

Example (an email sender)::

    url = personal_url(session=s, invitation=inv, secret=key, base_url=settings.base_url)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update
from sqlalchemy.orm import Session

from otklik.errors import OtklikError
from otklik.listen.models import Invitation, Response, Survey
from otklik.store import write_lock

TOKEN_SALT = "otklik.survey-invitation"
DEFAULT_VALIDITY = timedelta(days=60)
MAX_TOKEN_CHARS = 512


class LinkProblem(OtklikError):
    """A personal link cannot be used; ``status`` is the HTTP status, ``reason`` a key."""

    status = 400
    reason = "invalid"


class TokenInvalid(LinkProblem):
    """The token was altered, truncated, or signed for another survey or server."""


class TokenExpired(LinkProblem):
    status = 410
    reason = "expired"


class TokenRevoked(LinkProblem):
    status = 410
    reason = "revoked"


class TokenUsed(LinkProblem):
    """The invitation was already answered; ``invitation`` is the one the token names."""

    status = 410
    reason = "used"

    def __init__(self, message: str, *, invitation: Invitation) -> None:
        super().__init__(message)
        self.invitation = invitation


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=TOKEN_SALT)


def public_url(
    *, base_url: str, slug: str, lang: str | None = None, token: str | None = None
) -> str:
    """The survey page's absolute URL: ``https://host/s/slug?lang=en&t=…``."""
    query = {k: v for k, v in (("lang", lang), ("t", token)) if v}
    return f"{base_url.rstrip('/')}/s/{slug}" + (f"?{urlencode(query)}" if query else "")


def make_personal_token(
    *,
    secret: str,
    invitation: Invitation,
    valid_for: timedelta = DEFAULT_VALIDITY,
    now: datetime | None = None,
) -> str:
    """Sign ``[invitation id, nonce, expiry]``; the invitation must already have a nonce."""
    if not invitation.token_nonce or invitation.id is None:
        raise ValueError("the invitation needs an id and a token_nonce (use ensure_nonce)")
    expires = int(((now or datetime.now(UTC)) + valid_for).timestamp())
    return _serializer(secret).dumps([invitation.id, invitation.token_nonce, expires])


def ensure_nonce(*, session: Session, invitation: Invitation) -> str:
    """Give the invitation a random nonce if it has none (flushes); returns the nonce."""
    if not invitation.token_nonce:
        invitation.token_nonce = secrets.token_urlsafe(16)
        session.flush()
    return invitation.token_nonce


def revoke_links(*, session: Session, invitation: Invitation) -> None:
    """Invalidate every link issued for the invitation by changing its nonce (flushes)."""
    invitation.token_nonce = secrets.token_urlsafe(16)
    session.flush()


def personal_url(
    *,
    session: Session,
    invitation: Invitation,
    secret: str,
    base_url: str,
    lang: str | None = None,
    valid_for: timedelta = DEFAULT_VALIDITY,
) -> str:
    """The personal link to send to the invited customer (creates the nonce if needed)."""
    ensure_nonce(session=session, invitation=invitation)
    survey = session.get(Survey, invitation.survey_id)
    if survey is None:  # pragma: no cover - the foreign key prevents it
        raise TokenRevoked("the invitation's survey no longer exists")
    token = make_personal_token(secret=secret, invitation=invitation, valid_for=valid_for)
    return public_url(base_url=base_url, slug=survey.slug, lang=lang, token=token)


@dataclass(frozen=True)
class TokenClaims:
    invitation_id: int
    nonce: str
    expires_at: datetime


def decode_token(*, secret: str, token: str) -> TokenClaims:
    """Check the signature and shape only (no database); raises :class:`TokenInvalid`."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise TokenInvalid("the link's token is missing or too long")
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        raise TokenInvalid("the link's token is damaged or was not issued here") from None
    if (
        not isinstance(data, list)
        or len(data) != 3
        or not isinstance(data[0], int)
        or not isinstance(data[1], str)
        or not isinstance(data[2], int)
    ):
        raise TokenInvalid("the link's token has an unknown format")
    return TokenClaims(data[0], data[1], datetime.fromtimestamp(data[2], UTC))


def read_token(
    *,
    session: Session,
    secret: str,
    token: str,
    survey_id: int | None = None,
    now: datetime | None = None,
    allow_used: bool = False,
) -> Invitation:
    """The invitation a personal token names, or a :class:`LinkProblem` saying why not.

    ``survey_id`` refuses a token issued for another survey; ``allow_used`` returns an
    answered invitation instead of raising :class:`TokenUsed` (to replay a double submit).
    """
    claims = decode_token(secret=secret, token=token)
    if claims.expires_at <= (now or datetime.now(UTC)):
        raise TokenExpired("this personal link has expired")
    invitation = session.get(Invitation, claims.invitation_id)
    if invitation is None or invitation.token_nonce != claims.nonce:
        raise TokenRevoked("this personal link is no longer valid")
    if survey_id is not None and invitation.survey_id != survey_id:
        raise TokenInvalid("this personal link belongs to another survey")
    if invitation.status == "suppressed":
        raise TokenRevoked("this invitation was withdrawn")
    if not allow_used and (invitation.responded_at is not None or invitation.status == "responded"):
        raise TokenUsed("this survey was already answered through this link", invitation=invitation)
    return invitation


def invitation_key(invitation_id: int) -> str:
    """The ingestion idempotency key of the one response an invitation may receive."""
    return f"invitation:{invitation_id}"


def link_response(
    *, session: Session, invitation: Invitation, response_id: int, now: datetime | None = None
) -> None:
    """Tie a stored response to its invitation and customer; mark the invitation responded.

    Idempotent (a replayed submission repeats it harmlessly); commits.
    """
    at = now or datetime.now(UTC)
    with write_lock(session.get_bind()):
        _link(session, invitation, response_id, at)
    session.refresh(invitation)


def _link(session: Session, invitation: Invitation, response_id: int, at: datetime) -> None:
    session.execute(
        update(Response)
        .where(Response.id == response_id)
        .values(invitation_id=invitation.id, customer_id=invitation.customer_id)
    )
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.responded_at.is_(None))
        .values(status="responded", responded_at=at)
    )
    session.commit()
