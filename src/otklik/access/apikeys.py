"""API keys for machines (ingestion from a CRM, a call centre, a webhook sender).

A key looks like ``otk_<43 url-safe chars>``; only its SHA-256 is stored and the
plaintext is shown once, at creation. Verification is cached per process for a
short time so that authenticating does not cost a query per request; a revoked
key stops working within ``CACHE_SECONDS``. ``last_used_at`` is written at most
once per ``TOUCH_SECONDS`` per key and process, in its own short transaction, so
that read-only requests record use too and the hot path stays a dict lookup.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from otklik.access.models import ApiKey
from otklik.errors import NotFound
from otklik.store.base import utcnow
from otklik.store.db import write_lock

log = logging.getLogger(__name__)

PREFIX = "otk_"
CACHE_SECONDS = 30.0
TOUCH_SECONDS = 60.0


@dataclass(frozen=True)
class ApiPrincipal:
    """The machine identity a request acts as."""

    key_id: int
    name: str
    scopes: tuple[str, ...]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    *,
    session: Session,
    name: str,
    scopes: list[str] | None = None,
    created_by_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plaintext (show it once, it is not stored)."""
    plaintext = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        prefix=plaintext[:12],
        key_hash=_digest(plaintext),
        scopes=scopes or ["ingest"],
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()
    return row, plaintext


def list_api_keys(*, session: Session) -> list[ApiKey]:
    """Every key, revoked ones included (they explain past ingestion), oldest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_api_key(*, session: Session, key_id: int) -> None:
    """Revoke a key (idempotent: an already revoked key keeps its first revocation time)."""
    if session.get(ApiKey, key_id) is None:
        raise NotFound(f"no API key #{key_id}; `otklik apikey list` shows them")
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _cache.clear()


_cache: dict[str, tuple[float, ApiPrincipal | None]] = {}
_cache_lock = threading.Lock()
_touched: dict[str, float] = {}  # key digest -> monotonic time last_used_at was written


def cached_api_principal(key: str) -> tuple[bool, ApiPrincipal | None]:
    """``(True, principal or None)`` when the answer needs no I/O at all; ``(False, None)``
    when :func:`authenticate_api_key` must run (cache miss, or ``last_used_at`` is due).

    Lets an async request handler authenticate on the event loop, without a thread hop.
    """
    if not key.startswith(PREFIX) or len(key) > 128:
        return True, None
    digest = _digest(key)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is None or hit[0] <= now:
        return False, None
    if hit[1] is not None and now - _touched.get(digest, float("-inf")) >= TOUCH_SECONDS:
        return False, None
    return True, hit[1]


def authenticate_api_key(*, session: Session, key: str) -> ApiPrincipal | None:
    """The principal for a presented key, or None when unknown or revoked."""
    if not key.startswith(PREFIX) or len(key) > 128:
        return None
    digest = _digest(key)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and hit[0] > now:
        if hit[1] is not None and now - _touched.get(digest, float("-inf")) >= TOUCH_SECONDS:
            _touch(session, hit[1].key_id, digest, now)
        return hit[1]
    row = session.execute(
        select(ApiKey.id, ApiKey.name, ApiKey.scopes, ApiKey.revoked_at).where(
            ApiKey.key_hash == digest
        )
    ).first()
    principal = None
    if row is not None and row.revoked_at is None:
        principal = ApiPrincipal(key_id=row.id, name=row.name, scopes=tuple(row.scopes or ()))
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[digest] = (now + CACHE_SECONDS, principal)
    if principal is not None and now - _touched.get(digest, float("-inf")) >= TOUCH_SECONDS:
        _touch(session, principal.key_id, digest, now)
    return principal


def _touch(session: Session, key_id: int, digest: str, now: float) -> None:
    """Record use in a separate transaction: the request's own may be read-only or roll back.

    The WHERE clause keeps it to one write per minute across processes too. A failure
    only loses bookkeeping, so it is logged, never raised into the request.
    """
    with _cache_lock:
        if len(_touched) > 10_000:
            _touched.clear()
        _touched[digest] = now
    engine = session.get_bind().engine
    stamp = utcnow()
    stale = stamp - timedelta(seconds=TOUCH_SECONDS)
    try:
        with write_lock(engine), engine.begin() as conn:
            conn.execute(
                update(ApiKey)
                .where(
                    ApiKey.id == key_id,
                    or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < stale),
                )
                .values(last_used_at=stamp)
            )
    except SQLAlchemyError:
        log.warning("could not record use of API key #%s", key_id, exc_info=True)
