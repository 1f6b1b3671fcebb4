"""Storing responses that machines send: resolve references, find the customer, store once.

Idempotency: a response may carry an ``Idempotency-Key`` (HTTP header) and/or its own
``external_id``; both are unique columns. A retry with the same key and the same body
returns the stored response (``created=False``); the same key with another body is a
:class:`~otklik.errors.Conflict`. Inserts use ``INSERT … ON CONFLICT DO NOTHING``, so
concurrent retries never raise or abort a transaction: the loser inserts nothing and
re-reads the winner's row (on PostgreSQL the insert waits for the winner to commit).

The hot path is one cached reference lookup (:mod:`~otklik.listen.ingest_refs`), at most
two customer statements and one insert, compiled once per engine and run on the DBAPI
cursor (:mod:`~otklik.listen.ingest_statements`): the ORM's unit of work, and even
SQLAlchemy Core's per-execution machinery, cost more than the insert itself.

Example::

    public, created = ingest_response(session=s, data=ResponseIn(touchpoint="web", nps=9),
                                      idempotency_key="crm-42")
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from otklik.errors import Conflict, NotFound, ValidationFailed
from otklik.listen.ingest_refs import (
    Refs,
    cached_references,
    clear_reference_cache,
    resolve_references,
)
from otklik.listen.ingest_repeat import says_the_same
from otklik.listen.ingest_statements import (
    _customer_id,
    _customer_id_raw,
    _prepare,
    _statement,
    _write_one,
)
from otklik.listen.models import Response, Survey, Touchpoint
from otklik.listen.schemas import ResponseIn, ResponsePublic
from otklik.org.models import Unit
from otklik.store import utcnow, write_lock
from otklik.store.group_commit import GroupCommitter
from otklik.understand.comments.redaction import redact_for_storage

MAX_BATCH = 1000

_R = Response.__table__
_S = Survey.__table__
_T = Touchpoint.__table__
_U = Unit.__table__


# --- building and storing rows ------------------------------------------------------------


def payload_hash(data: ResponseIn) -> str:
    """SHA-256 of the validated input as canonical JSON: equal meaning, equal hash."""
    canonical = orjson.dumps(
        data.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(canonical).hexdigest()


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
    """The stored response this submission repeats, None if none; Conflict if it says
    something else (`ingest_repeat`: an imported response has no API body to hash)."""
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
        if row["payload_hash"] != digest and not says_the_same(
            session, session.get_bind(), row["id"], data
        ):
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
