"""Reference resolution for ingestion: survey slug, touchpoint code, unit code → ids.

A response names what it is about by codes; every response needs them turned into ids, so
they are cached per engine for ``CACHE_SECONDS`` and the hot path
(:func:`cached_references`) resolves without opening a session. A renamed or deleted code
is seen within that time, or at once after :func:`clear_reference_cache`; an unknown code is
never cached, so a new touchpoint works on its first response.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import Survey, Touchpoint
from otklik.listen.schemas import ResponseIn
from otklik.org.models import Unit

CACHE_SECONDS = 30.0

_S = Survey.__table__
_T = Touchpoint.__table__
_U = Unit.__table__

_caches: weakref.WeakKeyDictionary[Engine, dict[tuple[str, Any], tuple[float, Any]]] = (
    weakref.WeakKeyDictionary()
)
_caches_lock = threading.Lock()


def clear_reference_cache() -> None:
    """Forget cached references (call after renaming or deleting surveys, touchpoints, units)."""
    with _caches_lock:
        for cache in _caches.values():
            cache.clear()


def _cached(engine: Engine, key: tuple[str, Any], load: Callable[[], Any]) -> Any:
    """``load()`` once per ``CACHE_SECONDS``. Misses are not cached: a new code works at once."""
    cache = _caches.get(engine)
    if cache is None:
        with _caches_lock:
            cache = _caches.setdefault(engine, {})
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if value is not None:
        if len(cache) > 50_000:
            cache.clear()
        cache[key] = (now + CACHE_SECONDS, value)
    return value


class Refs(NamedTuple):
    """What a response's codes point at, with the codes echoed back to the caller.

    A named tuple: built for every response, and a frozen dataclass costs 3x to build."""

    survey_id: int | None = None
    survey_version: int | None = None
    survey: str | None = None
    touchpoint_id: int | None = None
    touchpoint: str | None = None
    channel: str | None = None
    unit_id: int | None = None
    unit: str | None = None


def _touchpoint_query():
    return select(_T.c.id, _T.c.code, _T.c.channel, _T.c.owner_unit_id, _U.c.code).outerjoin(
        _U, _U.c.id == _T.c.owner_unit_id
    )


class _NotCached(Exception):
    """A code is not in the reference cache (raised instead of querying)."""


def _not_cached(_statement):
    raise _NotCached


def resolve_references(*, session: Session, engine: Engine, data: ResponseIn) -> Refs:
    """Turn the codes in ``data`` into ids; an unknown code is a 422 naming its field.

    The touchpoint defaults to the survey's, the channel to the touchpoint's, and the
    unit to the touchpoint's owner unit.
    """
    return _resolve(engine, data, session.execute)


def cached_references(engine: Engine, data: ResponseIn) -> Refs | None:
    """:func:`resolve_references` from the cache alone; None when a code needs a query.

    Lets the hot path resolve without opening a session (which costs more than the insert).
    """
    try:
        return _resolve(engine, data, _not_cached)
    except _NotCached:
        return None


def _resolve(engine: Engine, data: ResponseIn, execute: Callable[[Any], Any]) -> Refs:
    survey = None
    if data.survey is not None:
        survey = _cached(
            engine,
            ("survey", data.survey),
            lambda: execute(
                select(_S.c.id, _S.c.version, _S.c.touchpoint_id).where(_S.c.slug == data.survey)
            ).first(),
        )
        if survey is None:
            raise ValidationFailed(f"unknown survey {data.survey!r}", field="survey")
    tp = None
    if data.touchpoint is not None:
        tp = _cached(
            engine,
            ("touchpoint", data.touchpoint),
            lambda: execute(_touchpoint_query().where(_T.c.code == data.touchpoint)).first(),
        )
        if tp is None:
            raise ValidationFailed(f"unknown touchpoint {data.touchpoint!r}", field="touchpoint")
    elif survey is not None and survey[2] is not None:
        tp = _cached(
            engine,
            ("touchpoint_id", survey[2]),
            lambda: execute(_touchpoint_query().where(_T.c.id == survey[2])).first(),
        )
    unit_id, unit_code = (tp[3], tp[4]) if tp is not None else (None, None)
    if data.unit is not None:
        unit_id = _cached(
            engine,
            ("unit", data.unit),
            lambda: execute(select(_U.c.id).where(_U.c.code == data.unit)).scalar(),
        )
        if unit_id is None:
            raise ValidationFailed(f"unknown unit {data.unit!r}", field="unit")
        unit_code = data.unit
    return Refs(
        survey_id=survey[0] if survey else None,
        survey_version=survey[1] if survey else None,
        survey=data.survey,
        touchpoint_id=tp[0] if tp else None,
        touchpoint=tp[1] if tp else None,
        channel=data.channel or (tp[2] if tp else None),
        unit_id=unit_id,
        unit=unit_code,
    )
