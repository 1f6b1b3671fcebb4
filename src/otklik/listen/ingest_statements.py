"""The INSERT statements of ingestion, compiled once per engine, and finding the customer.

Building a statement per request, and SQLAlchemy's per-execution machinery, cost more
than the insert itself: :func:`_prepare` compiles each statement once per engine and
:class:`_Prepared` runs it on the bare DBAPI cursor, with the columns' own value
conversion; :func:`_write_one` stores one response (and its new customer) that way.
The session-based twins (:func:`_statement`, :func:`_customer_id`) serve batches, which
run inside the caller's transaction.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Engine, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from otklik.listen.models import Customer, Response
from otklik.listen.schemas import CustomerRef
from otklik.store import utcnow, write_lock
from otklik.store.base import UTCDateTime

_R = Response.__table__
_C = Customer.__table__


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
