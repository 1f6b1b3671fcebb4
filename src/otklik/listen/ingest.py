"""Storing responses that machines send: resolve references, find the customer, store once.

Idempotency: a response may carry an ``Idempotency-Key`` (HTTP header) and/or its own
``external_id``; both are unique columns. A retry with the same key and the same body
returns the stored response (``created=False``); the same key with another body is a
:class:`~otklik.errors.Conflict`. Inserts use ``INSERT … ON CONFLICT DO NOTHING``, so
concurrent retries never raise or abort a transaction: the loser inserts nothing and
re-reads the winner's row (on PostgreSQL the insert waits for the winner to commit).

The hot path is one cached reference lookup, at most two customer statements and one
insert, all SQLAlchemy Core: the ORM's unit of work costs more than the insert itself.

Example::

    public, created = ingest_response(session=s, data=ResponseIn(touchpoint="web", nps=9),
                                      idempotency_key="crm-42")
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from pydantic import ValidationError
from sqlalchemy import JSON, Engine, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from otklik.errors import Conflict, NotFound, ValidationFailed
from otklik.listen.models import Customer, Response, Survey, Touchpoint
from otklik.listen.schemas import CustomerRef, ResponseIn, ResponsePublic
from otklik.org.models import Unit
from otklik.store import utcnow, write_lock
from otklik.store.base import UTCDateTime
from otklik.store.group_commit import GroupCommitter
from otklik.understand.comments.redaction import redact_for_storage

MAX_BATCH = 1000
CACHE_SECONDS = 30.0

_R = Response.__table__
_C = Customer.__table__
_S = Survey.__table__
_T = Touchpoint.__table__
_U = Unit.__table__


# --- references (survey slug, touchpoint code, unit code → ids), cached per engine ---------

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


# --- building and storing rows ------------------------------------------------------------


def payload_hash(data: ResponseIn) -> str:
    """SHA-256 of the validated input as canonical JSON: equal meaning, equal hash."""
    canonical = orjson.dumps(
        data.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(canonical).hexdigest()


# Built once: building a statement per request (``.values(**row)``) costs more than the insert.
_STATEMENTS = {
    name: {
        "response": dialect.insert(_R).on_conflict_do_nothing().returning(_R.c.id),
        "customer": dialect.insert(_C).returning(_C.c.id),
        "customer_by_external_id": dialect.insert(_C)
        .on_conflict_do_nothing(index_elements=["external_id"])
        .returning(_C.c.id),
    }
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


# SQLite on the raw hot path: the same inserts without RETURNING (see _Prepared.rowid).
_ROWID_INSERTS = {
    "response": sqlite.insert(_R).on_conflict_do_nothing(),
    "customer": sqlite.insert(_C),
    "customer_by_external_id": sqlite.insert(_C).on_conflict_do_nothing(
        index_elements=["external_id"]
    ),
}


def _statement(session: Session, name: str):
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite ≥ 3.24, PostgreSQL)."""
    return _STATEMENTS[session.get_bind().dialect.name][name]


class _Prepared:
    """A statement compiled once for an engine and run on the bare DBAPI cursor.

    SQLAlchemy's per-execution machinery (and the Session's unit of work) cost several
    times the insert itself; the hot path pays neither. Values are still converted by
    the columns' own ``bind_processor`` (JSON, UTC datetimes), so rows are stored exactly
    as SQLAlchemy stores them; two common cases take a shortcut with the same result
    (see :func:`_fast_processor`). ``rowid``: an SQLite INSERT without RETURNING whose
    new id is the cursor's ``lastrowid`` (RETURNING doubled the cost of the insert).
    """

    def __init__(self, engine: Engine, stmt, table, keys: Sequence[str], rowid: bool = False):
        dialect = engine.dialect
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        self.sql = str(compiled)
        self.positional = compiled.positiontup
        self.rowid = rowid
        self.processors = {}
        for name in compiled.binds:
            column = table.c[name]  # every parameter is named after its column
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = _fast_processor(column, dialect, processor)

    def scalar(self, cursor, params: dict[str, Any]) -> Any:
        for name, processor in self.processors.items():
            params[name] = processor(params[name])
        if self.positional is not None:
            cursor.execute(self.sql, [params[n] for n in self.positional])
        else:
            cursor.execute(self.sql, params)
        if self.rowid:  # ON CONFLICT DO NOTHING changed no row: the key exists
            return cursor.lastrowid if cursor.rowcount == 1 else None
        row = cursor.fetchone()
        return row[0] if row is not None else None


def _fast_processor(column, dialect, processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``processor`` with the hot path's common cases on SQLite done directly, to the same
    text: an aware datetime as SQLAlchemy's UTC text, and an empty JSON object."""
    if dialect.name != "sqlite":
        return processor
    if isinstance(column.type, UTCDateTime):

        def utc_text(value: datetime | None) -> str | None:
            if value is None or value.tzinfo is None:
                return processor(value)  # None, or the type's own error for naive times
            # SQLAlchemy's SQLite DATETIME format: "%04d-%02d-%02d %02d:%02d:%02d.%06d".
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return utc_text
    if isinstance(column.type, JSON):
        empty = processor({})

        def json_text(value: Any) -> Any:
            return empty if type(value) is dict and not value else processor(value)

        return json_text
    return processor


_RESPONSE_KEYS = (
    "survey_id", "survey_version", "touchpoint_id", "unit_id", "channel", "source", "answers",
    "attributes", "nps", "csat", "ces", "comment", "language", "submitted_at", "received_at",
    "idempotency_key", "external_id", "payload_hash", "customer_id",
)  # fmt: skip
_CUSTOMER_KEYS = (
    "external_id", "email", "name", "phone", "language", "attributes", "created_at",
)  # fmt: skip
_prepared: weakref.WeakKeyDictionary[Engine, dict[str, _Prepared]] = weakref.WeakKeyDictionary()


def _prepare(engine: Engine) -> dict[str, _Prepared]:
    found = _prepared.get(engine)
    if found is None:
        rowid = engine.dialect.name == "sqlite"
        stmts = _ROWID_INSERTS if rowid else _STATEMENTS[engine.dialect.name]
        find = select(_C.c.id).order_by(_C.c.id)  # the oldest match; fetchone() takes it
        found = {
            "response": _Prepared(engine, stmts["response"], _R, _RESPONSE_KEYS, rowid),
            "customer": _Prepared(engine, stmts["customer"], _C, _CUSTOMER_KEYS, rowid),
            "customer_by_external_id": _Prepared(
                engine, stmts["customer_by_external_id"], _C, _CUSTOMER_KEYS, rowid
            ),
            "find_external_id": _Prepared(
                engine, find.where(_C.c.external_id == bindparam("external_id")), _C, ()
            ),
            "find_email": _Prepared(engine, find.where(_C.c.email == bindparam("email")), _C, ()),
        }
        _prepared[engine] = found
    return found


def _customer_id_raw(prepared: dict[str, _Prepared], cursor, ref: CustomerRef) -> int:
    """`_customer_id` on a DBAPI cursor (the single-response hot path)."""
    by = "external_id" if ref.external_id else "email"
    value = getattr(ref, by)
    found = prepared[f"find_{by}"].scalar(cursor, {by: value})
    if found is not None:
        return found
    values = ref.model_dump(include={"external_id", "email", "name", "phone", "language"})
    values.update(attributes=ref.attributes, created_at=utcnow())
    insert = "customer_by_external_id" if ref.external_id else "customer"
    new_id = prepared[insert].scalar(cursor, values)
    if new_id is None:  # another request created it a moment ago
        new_id = prepared[f"find_{by}"].scalar(cursor, {by: value})
    return new_id


def _customer_id(session: Session, ref: CustomerRef) -> int:
    """Find the customer by external_id (else email) or create one; safe under races
    for external_id (unique). Two concurrent first answers by email alone may create two."""
    where = _C.c.external_id == ref.external_id if ref.external_id else _C.c.email == ref.email
    found = session.execute(select(_C.c.id).where(where).order_by(_C.c.id).limit(1)).scalar()
    if found is not None:
        return found
    values = ref.model_dump(include={"external_id", "email", "name", "phone", "language"})
    values.update(attributes=ref.attributes, created_at=utcnow())
    stmt = _statement(session, "customer_by_external_id" if ref.external_id else "customer")
    new_id = session.execute(stmt, values).scalar()
    if new_id is None:  # another request created it a moment ago
        new_id = session.execute(select(_C.c.id).where(where)).scalar_one()
    return new_id


def _values(
    data: ResponseIn, refs: Refs, key: str | None, digest: str, comment: str | None
) -> dict[str, Any]:
    """Row values; ``comment`` is the comment as it may be stored (see :func:`_stored_comment`)."""
    now = utcnow()
    return {
        "survey_id": refs.survey_id,
        "survey_version": refs.survey_version,
        "touchpoint_id": refs.touchpoint_id,
        "unit_id": refs.unit_id,
        "channel": refs.channel,
        "source": data.source,
        "answers": data.answers,
        "attributes": data.attributes,
        "nps": data.nps,
        "csat": data.csat,
        "ces": data.ces,
        "comment": comment,
        "language": data.language,
        "submitted_at": data.submitted_at or now,
        "received_at": now,
        "idempotency_key": key,
        "external_id": data.external_id,
        "payload_hash": digest,
    }


def _stored_comment(data: ResponseIn, engine: Engine) -> str | None:
    """PII leaves before the text is stored (OTKLIK_REDACT_PII_ON_INGEST)."""
    return redact_for_storage(data.comment, engine=engine) if data.comment else data.comment


def public_dict(response_id: int, values: dict[str, Any], refs: Refs) -> dict[str, Any]:
    """The stored response as :class:`ResponsePublic` would dump it (same keys, same order),
    without building the model: on the hot path that cost more than serialising it."""
    return {
        "id": response_id,
        "survey": refs.survey,
        "touchpoint": refs.touchpoint,
        "unit": refs.unit,
        "channel": values["channel"],
        "customer_id": values.get("customer_id"),
        "nps": values["nps"],
        "csat": values["csat"],
        "ces": values["ces"],
        "comment": values["comment"],
        "language": values["language"],
        "source": values["source"],
        "answers": values["answers"],
        "attributes": values["attributes"],
        "submitted_at": values["submitted_at"],
        "received_at": values["received_at"],
        "external_id": values["external_id"],
    }


def _public(response_id: int, values: dict[str, Any], refs: Refs) -> ResponsePublic:
    return ResponsePublic.model_construct(**public_dict(response_id, values, refs))


_PUBLIC_COLUMNS = (
    _R.c.id,
    _S.c.slug.label("survey"),
    _T.c.code.label("touchpoint"),
    _U.c.code.label("unit"),
    *(_R.c[n] for n in ("channel", "customer_id", "nps", "csat", "ces", "comment", "language")),
    *(_R.c[n] for n in ("source", "answers", "attributes", "submitted_at", "received_at")),
    _R.c.external_id,
)


def _select_public(*extra):
    return (
        select(*_PUBLIC_COLUMNS, *extra)
        .select_from(_R)
        .outerjoin(_S, _S.c.id == _R.c.survey_id)
        .outerjoin(_T, _T.c.id == _R.c.touchpoint_id)
        .outerjoin(_U, _U.c.id == _R.c.unit_id)
    )


def get_response(*, session: Session, response_id: int) -> ResponsePublic:
    """One stored response, or :class:`NotFound`."""
    row = session.execute(_select_public().where(_R.c.id == response_id)).mappings().first()
    if row is None:
        raise NotFound(f"response {response_id} does not exist")
    return ResponsePublic.model_validate(dict(row))


def _existing(
    session: Session, key: str | None, data: ResponseIn, digest: str
) -> ResponsePublic | None:
    """The stored response this submission repeats, None if none; Conflict if the body differs."""
    for column, value, label in (
        (_R.c.idempotency_key, key, "Idempotency-Key"),
        (_R.c.external_id, data.external_id, "external_id"),
    ):
        if value is None:
            continue
        row = (
            session.execute(_select_public(_R.c.payload_hash).where(column == value))
            .mappings()
            .first()
        )
        if row is None:
            continue
        if row["payload_hash"] != digest:
            raise Conflict(
                f"{label} {value!r} was already used for response {row['id']} with a "
                "different body; send a new key for a new response, or the same body to retry"
            )
        return ResponsePublic.model_validate({k: v for k, v in row.items() if k != "payload_hash"})
    return None


def _store_one(
    session: Session, data: ResponseIn, refs: Refs, key: str | None, digest: str
) -> tuple[int | None, dict[str, Any]]:
    """Insert inside the caller's transaction; id None means the key already exists."""
    values = _values(data, refs, key, digest, _stored_comment(data, session.get_bind()))
    values["customer_id"] = _customer_id(session, data.customer) if data.customer else None
    return session.execute(_statement(session, "response"), values).scalar(), values


def _with_source(data: ResponseIn, source: str | None) -> ResponseIn:
    if source is None or source == data.source:
        return data
    return data.model_copy(update={"source": source})


def _write_one(engine: Engine, customer: CustomerRef | None, values: dict[str, Any]) -> int | None:
    """Insert one response (and its new customer) and commit; None when its key exists."""
    prepared = _prepare(engine)
    raw = engine.raw_connection()
    try:
        with write_lock(engine):
            cursor = raw.cursor()
            try:
                if customer is not None:
                    values["customer_id"] = _customer_id_raw(prepared, cursor, customer)
                else:
                    values["customer_id"] = None
                new_id = prepared["response"].scalar(cursor, dict(values))
                if new_id is None:
                    raw.rollback()
                else:
                    raw.commit()
                return new_id
            except BaseException:
                raw.rollback()
                raise
            finally:
                cursor.close()
    finally:
        raw.close()


def ingest_response(
    *,
    session: Session,
    data: ResponseIn,
    idempotency_key: str | None = None,
    engine: Engine | None = None,
    source: str | None = None,
) -> tuple[ResponsePublic, bool]:
    """Store one response and commit; ``(response, created)``. A repeat returns the original.

    Raises ValidationFailed (unknown code, 422) or Conflict (key reused with another body, 409).
    """
    engine = engine or session.get_bind()
    data = _with_source(data, source)
    digest = payload_hash(data)
    comment = _stored_comment(data, engine)
    for attempt in range(2):
        refs = resolve_references(session=session, engine=engine, data=data)
        values = _values(data, refs, idempotency_key, digest, comment)
        try:
            new_id = _write_one(engine, data.customer, values)
        except engine.dialect.loaded_dbapi.IntegrityError:
            # A cached survey/touchpoint/unit was deleted: look the codes up afresh, once.
            if attempt:
                raise
            clear_reference_cache()
            continue
        if new_id is not None:
            return _public(new_id, values, refs), True
        existing = _existing(session, idempotency_key, data, digest)
        session.rollback()
        if existing is not None:
            return existing, False
    raise Conflict("the response could not be stored because of a concurrent change; retry")


async def ingest_response_grouped(
    *,
    committer: GroupCommitter,
    data: ResponseIn,
    idempotency_key: str | None = None,
    source: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """:func:`ingest_response` for an async caller, through group commit: the response
    shares a transaction with whatever else is being stored at that moment, and this
    returns once that transaction has committed. Same results and errors, but the
    response comes as :func:`public_dict` (ready for ``orjson``), not as a model."""
    engine = committer.engine
    data = _with_source(data, source)
    digest = payload_hash(data)
    prepared = _prepare(engine)
    # Redact here, not inside the group's transaction, which others wait for.
    comment = _stored_comment(data, engine)

    def job(cursor, refs: Refs) -> tuple[int | None, dict[str, Any]]:
        values = _values(data, refs, idempotency_key, digest, comment)
        values["customer_id"] = (
            _customer_id_raw(prepared, cursor, data.customer) if data.customer else None
        )
        return prepared["response"].scalar(cursor, values.copy()), values

    for attempt in range(2):
        refs = cached_references(engine, data)
        if refs is None:  # a code not seen lately (or unknown: 422): query off the event loop
            refs = await asyncio.to_thread(_resolve_in_session, engine, data)
        try:
            new_id, values = await committer.run(lambda cursor, r=refs: job(cursor, r))
        except engine.dialect.loaded_dbapi.IntegrityError:
            # A cached survey/touchpoint/unit was deleted: look the codes up afresh, once.
            if attempt:
                raise
            clear_reference_cache()
            continue
        if new_id is not None:
            return public_dict(new_id, values, refs), True
        existing = await asyncio.to_thread(_find_existing, engine, idempotency_key, data, digest)
        if existing is not None:
            return existing.model_dump(), False
    raise Conflict("the response could not be stored because of a concurrent change; retry")


def _resolve_in_session(engine: Engine, data: ResponseIn) -> Refs:
    with Session(engine) as session:
        return resolve_references(session=session, engine=engine, data=data)


def _find_existing(
    engine: Engine, key: str | None, data: ResponseIn, digest: str
) -> ResponsePublic | None:
    with Session(engine) as session:
        return _existing(session, key, data, digest)


# --- batches ------------------------------------------------------------------------------


@dataclass
class BatchResult:
    """Per-item outcome, in input order, plus counts."""

    items: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    replayed: int = 0
    failed: int = 0


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]


def ingest_batch(
    *,
    session: Session,
    items: Sequence[Any],
    idempotency_key: str | None = None,
    engine: Engine | None = None,
    source: str | None = None,
) -> BatchResult:
    """Validate each raw item on its own and store the valid ones in one transaction.

    Item ``i`` uses the idempotency key ``f"{idempotency_key}:{i}"``, so a retried batch
    replays instead of duplicating. One bad item never rejects the others.
    """
    if len(items) > MAX_BATCH:
        raise ValidationFailed(f"a batch holds at most {MAX_BATCH} responses, got {len(items)}")
    engine = engine or session.get_bind()
    outcome: list[dict[str, Any] | None] = [None] * len(items)
    valid: list[tuple[int, ResponseIn, str | None, str]] = []
    for i, raw in enumerate(items):
        try:
            data = _with_source(ResponseIn.model_validate(raw), source)
        except ValidationError as exc:
            outcome[i] = {"index": i, "status": "error", "errors": _errors(exc)}
            continue
        key = f"{idempotency_key}:{i}" if idempotency_key is not None else None
        valid.append((i, data, key, payload_hash(data)))
    for attempt in range(2):
        try:
            with write_lock(engine):
                try:
                    _store_batch(session, engine, valid, outcome)
                    session.commit()
                finally:
                    if session.in_transaction():
                        session.rollback()
            break
        except IntegrityError:
            if attempt:
                raise
            clear_reference_cache()
    result = BatchResult(items=[o for o in outcome if o is not None])
    for item in result.items:
        status = item["status"]
        result.created += status == "created"
        result.replayed += status == "replayed"
        result.failed += status == "error"
    return result


def _store_batch(
    session: Session,
    engine: Engine,
    valid: list[tuple[int, ResponseIn, str | None, str]],
    outcome: list[dict[str, Any] | None],
) -> None:
    for i, data, key, digest in valid:
        try:
            refs = resolve_references(session=session, engine=engine, data=data)
            new_id, _ = _store_one(session, data, refs, key, digest)
            if new_id is not None:
                outcome[i] = {"index": i, "status": "created", "id": new_id}
                continue
            existing = _existing(session, key, data, digest)
            if existing is None:
                raise Conflict("a concurrent change prevented storing this response; retry it")
            outcome[i] = {"index": i, "status": "replayed", "id": existing.id}
        except ValidationFailed as exc:
            loc = [exc.field] if exc.field else []
            outcome[i] = {
                "index": i,
                "status": "error",
                "errors": [{"loc": loc, "msg": str(exc), "type": "value_error"}],
            }
        except Conflict as exc:
            field_name = "idempotency_key" if "Idempotency-Key" in str(exc) else "external_id"
            outcome[i] = {
                "index": i,
                "status": "error",
                "errors": [{"loc": [field_name], "msg": str(exc), "type": "conflict"}],
            }
