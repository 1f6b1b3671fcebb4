"""Bulk-insert checked import rows: customers first (found or created in bulk), then responses.

Responses go in with ``INSERT … ON CONFLICT DO NOTHING``: a row whose ``external_id``
or ``idempotency_key`` is already stored is skipped, not duplicated, and the row count
tells the importer how many were new. On SQLite that is one statement per 100 rows on
the DBAPI cursor; on PostgreSQL each chunk is ``COPY``-ed into a temporary table and
moved over with one ``INSERT … SELECT`` (~5x faster than psycopg's ``executemany``,
which still costs the server one statement a row). Everything runs in the session's
transaction; the importer commits or rolls back.

What makes a large import fast on SQLite, measured on the 1M-row bench
(``bench/import_bench.py``):

* **Rebuilding the plain indexes.** ``response`` keeps three non-unique indexes
  (submitted_at; touchpoint, submitted_at; customer). Rows arrive in random time and
  customer order, so every insert lands on a random page of each; maintaining them
  cost more than the insert itself. When the import is large next to the table
  (`REBUILD_RATIO`), they are dropped at the start and re-created from their own
  stored SQL before the commit — inside the same transaction (SQLite's DDL is
  transactional), so a failed import rolls them back with the rows, and other
  connections never see the table without them. The unique indexes stay: they are
  what makes a re-import skip rows. Not on PostgreSQL, where ``DROP INDEX`` would lock
  every reader out for the whole import.
* **A 256 MiB page cache** for the import's connection, so the unique indexes on
  random-looking keys stay in memory once the table outgrows the 2 MiB default.
* **No foreign-key checks** (``foreign_keys=OFF`` for the import's connection, ~15% of
  the insert's cost): every id a row carries was read or created inside this
  transaction, which takes the write lock (``BEGIN IMMEDIATE``) before the touchpoints
  and units are read, so a touchpoint, unit or customer cannot vanish under it. The
  setting goes back on with the others when the transaction ends.
* **Durability:** the import runs with ``synchronous=FULL``. In WAL mode that means one
  fsync of the WAL at the commit, for the whole file, so an import reported as done
  survives a power cut, not only a crash (``NORMAL``, the engine's setting, syncs only at
  checkpoints). ``OFF`` would save nothing: one transaction has one commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy.orm import Session

from otklik.listen.import_cells import MEMO_CAP
from otklik.listen.import_check import CUSTOMER
from otklik.listen.import_rows import sqlite_time
from otklik.listen.models import Response
from otklik.understand.comments.redaction import storage_redactor

# The order of `RowChecker`'s rows; customer_id last, swapped in by `write`.
COLUMNS = (
    "touchpoint_id",
    "unit_id",
    "channel",
    "source",
    "answers",
    "attributes",
    "nps",
    "csat",
    "ces",
    "comment",
    "language",
    "submitted_at",
    "received_at",
    "idempotency_key",
    "external_id",
    "payload_hash",
    "customer_id",
)
assert COLUMNS.index("customer_id") == CUSTOMER
COMMENT = COLUMNS.index("comment")
assert set(COLUMNS) <= set(Response.__table__.c.keys())
_LOOKUP_CHUNK = 500
_STAGING = "otklik_import_rows"  # PostgreSQL: the temporary table chunks are copied into
_SQLITE_CACHE_KIB = 262_144
_ROWS_PER_INSERT = 100  # 1,700 parameters, far below SQLite's 32,766
# Rebuild the plain indexes when the import adds at least this share of the rows already
# stored, and at least `REBUILD_MIN_ROWS`. Measured (CPU s) with 500k rows stored: 50k new
# rows 1.6 kept vs 4.0 rebuilt; 150k new rows 4.9 kept vs 5.3 rebuilt — break-even near 35%.
# Into an empty table, 300k rows: 7.0 kept vs 4.4 rebuilt.
REBUILD_RATIO = 0.35
REBUILD_MIN_ROWS = 20_000


class ResponseWriter:
    """Insert rows produced by `RowChecker` into ``response`` (and ``customer``)."""

    def __init__(self, *, session: Session, received_at: datetime) -> None:
        self.session = session
        self.conn = session.connection()
        # Imported comments are redacted before they are stored, like the API's
        # (OTKLIK_REDACT_PII_ON_INGEST); the error report and payload hash see the original.
        self._redact = storage_redactor(self.conn.engine)
        # comment → as stored: exports repeat short comments ("Спасибо!", "All good"), and
        # a capitalised word costs a dictionary look-up for names each time (~3 µs).
        self._redacted: dict[str, str] = {}
        dialect = self.conn.dialect
        self.is_sqlite = dialect.name == "sqlite"
        self._mark = "?" if self.is_sqlite else "%s"
        marks = f"({', '.join([self._mark] * len(COLUMNS))})"
        insert = f"INSERT INTO response ({', '.join(COLUMNS)}) VALUES "
        self._sql = f"{insert}{marks} ON CONFLICT DO NOTHING"
        # SQLite: `_ROWS_PER_INSERT` rows a statement (one step and reset, not one a row).
        self._many_sql = f"{insert}{', '.join([marks] * _ROWS_PER_INSERT)} ON CONFLICT DO NOTHING"
        submitted = Response.__table__.c.submitted_at.type
        process = submitted.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
        self.store_time = process
        if self.is_sqlite and sqlite_time(received_at) == process(received_at):
            self.store_time = sqlite_time  # the same text, 4x faster than the generic processor
        self.received = process(received_at)
        self._created_at = self.received
        self.by_external_id: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        # (external id, email) as rows carry it → customer id: one look-up a row.
        self._by_key: dict[tuple[str | None, str | None], int] = {}
        self._dbapi = self.conn.connection.driver_connection
        self._cursor: Any = self._dbapi.cursor()
        self._rebuild: list[str] = []
        self._restore: list[str] = []
        if not self.is_sqlite:
            columns = ", ".join(COLUMNS)
            # Same column types as `response`, no constraints; gone at commit or rollback.
            self._cursor.execute(
                f"CREATE TEMP TABLE {_STAGING} ON COMMIT DROP AS "
                f"SELECT {columns} FROM response WITH NO DATA"
            )
            self._copy_sql = f"COPY {_STAGING} ({columns}) FROM STDIN"
            self._move_sql = (
                f"INSERT INTO response ({columns}) SELECT {columns} FROM {_STAGING} "
                "ON CONFLICT DO NOTHING"
            )
        if self.is_sqlite:
            pragmas = {"cache_size": f"-{_SQLITE_CACHE_KIB}", "temp_store": "MEMORY"}
            outside = not self._dbapi.in_transaction
            if outside:  # SQLite ignores these two within a transaction
                pragmas["synchronous"] = "FULL"
                pragmas["foreign_keys"] = "OFF"
            for pragma, value in pragmas.items():
                before = self._cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
                self._restore.append(f"PRAGMA {pragma} = {int(before)}")
                self._cursor.execute(f"PRAGMA {pragma} = {value}")
            if outside:
                # Take the write lock now, before `RowChecker` reads the touchpoints and
                # units: nobody can delete one of them until this transaction ends.
                self._cursor.execute("BEGIN IMMEDIATE")

    def plan(self, *, expected_rows: int) -> bool:
        """Before the first `write`: drop the plain indexes if rebuilding them will be cheaper.

        Returns whether it did; `finish` re-creates them from their stored SQL.
        """
        if not self.is_sqlite or expected_rows < REBUILD_MIN_ROWS:
            return False
        stored = self._cursor.execute("SELECT max(id) FROM response").fetchone()[0] or 0
        if expected_rows < REBUILD_RATIO * stored:
            return False
        plain = plain_indexes(self._cursor)
        if not plain:
            return False
        if not self._dbapi.in_transaction:
            # sqlite3 opens transactions only before DML; DDL would otherwise autocommit.
            self._cursor.execute("BEGIN")
        for name, sql in plain:
            self._cursor.execute(f'DROP INDEX "{name}"')
            self._rebuild.append(sql)
        return True

    def write(self, batch: list[list]) -> int:
        """Insert ``batch``; return how many rows were new (the rest were already present)."""
        known, unknown = self._by_key, []
        for row in batch:
            customer = row[CUSTOMER]
            if customer is not None:
                customer_id = known.get(customer)
                if customer_id is None:
                    unknown.append(row)
                else:
                    row[CUSTOMER] = customer_id
        if unknown:
            self._resolve_customers(unknown)
            by_ext, by_email = self.by_external_id, self.by_email
            for row in unknown:
                external_id, email = customer = row[CUSTOMER]
                row[CUSTOMER] = known[customer] = (
                    by_ext[external_id] if external_id else by_email[email]
                )
        if self._redact is not None:
            redact, redacted = self._redact, self._redacted
            for row in batch:
                comment = row[COMMENT]
                if comment:
                    stored = redacted.get(comment)
                    if stored is None:
                        if len(redacted) >= MEMO_CAP:
                            redacted.clear()
                        stored = redacted[comment] = redact(comment)
                    row[COMMENT] = stored
        if self.is_sqlite:
            return self._insert_sqlite(batch)
        with self._cursor.copy(self._copy_sql) as copy:
            for row in batch:
                copy.write_row(row)
        self._cursor.execute(self._move_sql)
        inserted = self._cursor.rowcount
        self._cursor.execute(f"TRUNCATE {_STAGING}")
        return inserted

    def _insert_sqlite(self, batch: list[list]) -> int:
        """Insert with multi-row statements: ~20% less CPU a row than ``executemany`` of a
        one-row statement (measured, bench rows), which steps and resets once per row."""
        cursor, step = self._cursor, _ROWS_PER_INSERT
        whole = len(batch) - len(batch) % step
        inserted = 0
        for start in range(0, whole, step):
            cursor.execute(self._many_sql, list(chain.from_iterable(batch[start : start + step])))
            inserted += cursor.rowcount
        if whole < len(batch):
            cursor.executemany(self._sql, batch[whole:])
            inserted += cursor.rowcount
        return inserted

    def commit(self) -> None:
        """Re-create dropped indexes and commit; the caller's ``session.commit()`` then only
        ends the session's transaction.

        On SQLite the commit is made here, on the driver connection, so that the connection's
        settings can be restored (``synchronous`` only outside a transaction) before the
        session hands it back to the pool.
        """
        self.session.flush()  # anything the caller left pending belongs to this transaction
        while self._rebuild:
            self._cursor.execute(self._rebuild.pop(0))
        if self.is_sqlite:
            self._dbapi.commit()
        self._close()

    def abort(self) -> None:
        """Roll back (SQLite: here, for the same reason as `commit`); idempotent."""
        if self._cursor is not None and self.is_sqlite:
            self._dbapi.rollback()
        self._close()

    def _close(self) -> None:
        if self._cursor is None:
            return
        restore, self._restore = self._restore, []
        for statement in restore:
            self._cursor.execute(statement)
        self._cursor.close()
        self._cursor = None

    def _resolve_customers(self, batch: Iterable[list]) -> None:
        """Map every customer key in ``batch`` to an id, creating the missing customers in bulk.

        Raw DBAPI statements: a million-row file may name a few hundred thousand customers.
        """
        new_ids: dict[str, str | None] = {}
        new_emails: set[str] = set()
        by_ext, by_email = self.by_external_id, self.by_email
        for row in batch:
            customer = row[CUSTOMER]
            if customer is None:
                continue
            external_id, email = customer
            if external_id:
                if external_id not in by_ext:
                    new_ids.setdefault(external_id, email)
            elif email not in by_email:
                new_emails.add(email)
        if new_ids:
            self._load("external_id", new_ids, by_ext)
            missing = [e for e in new_ids if e not in by_ext]
            if missing:
                self._insert_customers([(e, new_ids[e]) for e in missing], by_external_id=True)
                self._load("external_id", missing, by_ext)
        if new_emails:
            self._load("email", new_emails, by_email)
            missing = [e for e in new_emails if e not in by_email]
            if missing:
                self._insert_customers([(None, e) for e in missing], by_external_id=False)
                self._load("email", missing, by_email)

    def _insert_customers(
        self, customers: list[tuple[str | None, str | None]], *, by_external_id: bool
    ) -> None:
        """Create customers from (external id, email) pairs, in one statement on PostgreSQL."""
        conflict = " ON CONFLICT (external_id) DO NOTHING" if by_external_id else ""
        insert = "INSERT INTO customer (external_id, email, attributes, created_at) "
        if self.is_sqlite:
            rows = [(e, m, "{}", self._created_at) for e, m in customers]
            self._cursor.executemany(f"{insert}VALUES (?, ?, ?, ?){conflict}", rows)
            return
        external_ids, emails = (list(column) for column in zip(*customers, strict=True))
        self._cursor.execute(
            f"{insert}SELECT e, m, '{{}}', %s FROM unnest(%s::text[], %s::text[]) AS t(e, m)"
            f"{conflict}",
            (self._created_at, external_ids, emails),
        )

    def _load(self, column: str, keys: Iterable[str], into: dict[str, int]) -> None:
        """Fill ``into`` with ids of stored customers; the oldest wins when an email repeats.

        PostgreSQL gets all keys as one array joined to the table: a long ``IN`` list of
        parameters makes it plan a sequential scan that compares every row with every key
        (measured: 0.1-0.25 s per 500 keys once the table holds 50k customers).
        """
        if not self.is_sqlite:
            sql = (
                f"SELECT c.id, c.{column} FROM customer AS c "
                f"JOIN unnest(%s::text[]) AS k(v) ON c.{column} = k.v ORDER BY c.id"
            )
            for customer_id, key in self._cursor.execute(sql, (list(keys),)).fetchall():
                into.setdefault(key, customer_id)
            return
        keys = list(keys)
        for i in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[i : i + _LOOKUP_CHUNK]
            sql = (
                f"SELECT id, {column} FROM customer WHERE {column} IN "
                f"({', '.join([self._mark] * len(chunk))}) ORDER BY id"
            )
            for customer_id, key in self._cursor.execute(sql, chunk).fetchall():
                into.setdefault(key, customer_id)


def plain_indexes(cursor: Any, table: str = "response") -> list[tuple[str, str]]:
    """(name, CREATE INDEX sql) of ``table``'s non-unique, explicitly created SQLite indexes."""
    names = [
        name
        for _, name, unique, origin, *_ in cursor.execute(f'PRAGMA index_list("{table}")')
        if not unique and origin == "c"
    ]
    if not names:
        return []
    marks = ", ".join("?" * len(names))
    found = cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})", names
    ).fetchall()
    return sorted((name, sql) for name, sql in found if sql)
