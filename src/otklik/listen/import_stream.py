"""A file's checked rows as a stream of batches — checked here, or in a second process.

Why a second process: on SQLite a large import is two costs of about the same size, one
after the other — Python reading and checking each row (~7 µs on the bench) and this
process redacting and inserting it (~7 µs). Threads cannot overlap them: SQLite's driver
drops the interpreter lock around every row it inserts, so a checking thread beside it
holds the inserter up at each row (measured: slower than one thread). A forked child
has an interpreter lock of its own: it reads and checks while this process inserts, and
sends each batch back marshalled (~0.8 µs a row at both ends together, with the cycle
collector paused). Fork rather than spawn: the child starts with the checker as it was
built — touchpoints and units read under the import's write lock — and with the modules
loaded, where a spawned child would first spend ~2 s importing them.

Not on PostgreSQL by default: there the server's processes do the inserting, on the same cores, so
a checking child only competes with them (200k rows: 19k rows/s with it, 21k without).

The child never touches the database connections it inherits (it leaves through
``os._exit``, so no finalizer runs) and writes nothing to the terminal; Ctrl-C is the
parent's to handle, and the parent stops the child whenever it stops reading.
Both ways yield the same batches (``tests/listen/test_import_stream.py``).
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import pickle
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from otklik.errors import OtklikError, ValidationFailed
from otklik.listen.import_check import RowChecker, RowError
from otklik.listen.import_rows import sqlite_time
from otklik.listen.readers import CsvRows, RowFile

CHUNK_ROWS = 10_000
# Smaller files (under ~40k rows, a second or two of work) are checked in this process:
# the overlap could save little there, and a forked process is one more thing to go wrong.
PARALLEL_MIN_BYTES = 4 << 20


@dataclass
class Tally:
    """Rows read, valid and invalid so far, and every row error."""

    rows: int = 0
    valid: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(slots=True)
class Batch:
    """Valid rows to store (none when not collecting) and how far the file has been read."""

    rows: list[list]
    done: int  # progress units of the reader (bytes for CSV)
    estimate: int  # rows expected in the whole file


def parallel_possible(rows: RowFile) -> bool:
    """A CSV file large enough to pay for a second process, and a second core to run it."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        isinstance(rows, CsvRows)
        and rows.total >= PARALLEL_MIN_BYTES
        and (cores or 1) >= 2
        and "fork" in multiprocessing.get_all_start_methods()
    )


def checked_batches(
    rows: RowFile,
    checker: RowChecker,
    tally: Tally,
    *,
    collect: bool,
    keep_all: bool,
) -> Iterator[Batch]:
    """Check every row into ``tally``; after every `CHUNK_ROWS` rows (and at the end) yield
    the valid rows checked since the last batch.

    Rows are collected only when ``collect`` is on, and once a row was invalid only when
    ``keep_all`` is: without ``--skip-invalid`` such an import is rolled back anyway, but
    reading on still reports every error.
    """
    batch: list[list] = []
    count = valid = invalid = 0
    # CSV rows take the positional fast path; anything it doubts, and every other
    # format, goes through `RowChecker.check`.
    csv_rows = rows if isinstance(rows, CsvRows) else None
    fast = checker.cells(csv_rows.keys) if csv_rows is not None else None
    for line, raw, issues in csv_rows.records() if csv_rows is not None else rows:
        count += 1
        values = fast(line, raw) if fast is not None and not issues else None
        if values is None:
            if csv_rows is not None:
                raw, issues = csv_rows.as_row(raw, issues)
            values, errors = checker.check(line, raw, issues)
            if errors:
                invalid += 1
                tally.errors += errors
        if values is not None:
            valid += 1
            if collect and (keep_all or not invalid):
                batch.append(values)
        if not count % CHUNK_ROWS:
            tally.rows, tally.valid, tally.invalid = count, valid, invalid
            yield Batch(batch, rows.done(), rows.estimate(count))
            batch = []
    tally.rows, tally.valid, tally.invalid = count, valid, invalid
    yield Batch(batch, rows.done(), rows.estimate(count))


def checked_in_child(
    rows: RowFile,
    checker: RowChecker,
    tally: Tally,
    *,
    collect: bool,
    keep_all: bool,
) -> Iterator[Batch]:
    """`checked_batches`, run by a forked child while the caller stores what it yields."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_check_in_child,
        args=(sending, rows, checker, collect, keep_all),
        name="otklik-import-check",
        daemon=True,
    )
    child.start()
    sending.close()  # the child's end: EOF here once the child is gone
    try:
        while True:
            try:
                kind, payload = _loads(receiving.recv_bytes())
            except EOFError:
                child.join(timeout=5)
                raise OtklikError(
                    f"checking {getattr(rows, 'path', 'the file')} stopped unexpectedly "
                    f"(exit code {child.exitcode}); nothing was written"
                ) from None
            if kind == "batch":
                yield Batch(*payload)
            elif kind == "end":
                tally.rows, tally.valid, tally.invalid, tally.errors = payload
                return
            elif kind == "refused":
                message, field_name = payload
                raise ValidationFailed(message, field=field_name)
            else:
                raise OtklikError(f"checking the file failed: {payload}")
    finally:
        receiving.close()
        child.join(timeout=1)
        if child.is_alive():  # the caller stopped early: the child may wait on a full pipe
            child.terminate()
            child.join()


def _check_in_child(
    sending: Connection,
    rows: RowFile,
    checker: RowChecker,
    collect: bool,
    keep_all: bool,
) -> None:
    """The child's whole life: check, send batches, then the tally or what went wrong."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def send(kind: str, payload: object) -> None:
        message = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        sending.send_bytes(b"p" + message)

    # Rows of only text, numbers and None (SQLite's bind values) go by `marshal`: half
    # the cost of pickle at each end. PostgreSQL's carry datetimes, which need pickle.
    texts_only = checker.store_time is sqlite_time
    try:
        tally = Tally()
        for batch in checked_batches(rows, checker, tally, collect=collect, keep_all=keep_all):
            payload = ("batch", (batch.rows, batch.done, batch.estimate))
            if texts_only:
                sending.send_bytes(b"m" + marshal.dumps(payload))
            else:
                send(*payload)
        send("end", (tally.rows, tally.valid, tally.invalid, tally.errors))
    except ValidationFailed as exc:
        send("refused", (str(exc), exc.field))
    except Exception as exc:  # reported by the parent, which rolls back
        send("failed", f"{type(exc).__name__}: {exc}")
    finally:
        sending.close()


def _loads(message: bytes) -> tuple[str, Any]:
    body = memoryview(message)[1:]
    return marshal.loads(body) if message[:1] == b"m" else pickle.loads(body)
