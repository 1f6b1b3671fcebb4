"""Import responses from a file: `otklik import responses FILE`.

One file is one transaction: either every valid row goes in or, when a row is bad
and ``skip_invalid`` is off, nothing does. Rows are streamed — read, checked
(`import_rows`), and inserted in chunks through the DBAPI's ``executemany`` with
``ON CONFLICT DO NOTHING`` — so a million rows need neither a million ORM objects
nor a million round trips, and a re-import counts rows as "already present"
instead of duplicating them.

Example::

    report = import_responses(session=session, path=Path("nps.csv"))
    print(report.summary_line())
"""

from __future__ import annotations

import contextlib
import csv
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from otklik.errors import OtklikError, ValidationFailed
from otklik.listen.import_check import RowChecker, RowError
from otklik.listen.import_writer import ResponseWriter
from otklik.listen.models import RESPONSE_SOURCES
from otklik.listen.readers import CsvRows, open_rows
from otklik.store import utcnow, write_lock

CHUNK_ROWS = 10_000


@dataclass
class ImportReport:
    """What an import did; ``errors`` lists every problem, ``summary_line`` says it in one line."""

    path: Path
    dry_run: bool = False
    skip_invalid: bool = False
    rows: int = 0
    valid: int = 0
    imported: int = 0
    already_present: int = 0
    invalid: int = 0
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)
    errors_path: Path | None = None

    def summary_line(self) -> str:
        where = f"{self.path.name} in {self.seconds:.1f} s"
        tail = f"; see {self.errors_path}" if self.errors_path else ""
        if self.dry_run:
            return (
                f"dry run: {self.valid:,} of {self.rows:,} rows valid ({self.invalid:,} invalid) "
                f"in {where}; nothing written{tail}"
            )
        line = (
            f"imported {self.imported:,} of {self.rows:,} rows ({self.invalid:,} invalid, "
            f"{self.already_present:,} already present) from {where}"
        )
        if self.invalid and not self.skip_invalid:
            fix = f"fix the rows in {self.errors_path} or use --skip-invalid"
            return f"{line}; nothing written: {fix}"
        return line + tail


def errors_path_for(path: Path) -> Path:
    """``responses.csv`` → ``responses.csv.errors.csv``, next to the input."""
    return path.with_name(path.name + ".errors.csv")


def import_responses(
    *,
    session: Session,
    path: Path | str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    source: str = "import",
    console: Console | None = None,
) -> ImportReport:
    """Validate every row of ``path`` and insert the valid ones in one transaction.

    Commits on success; rolls back (writes nothing) when a row is invalid and
    ``skip_invalid`` is off, and always in ``dry_run``. Row errors are written to
    ``FILE.errors.csv``; file-level problems raise `ValidationFailed`/`NotFound`.
    """
    path = Path(path)
    if source not in RESPONSE_SOURCES:
        raise ValidationFailed(
            f"--source must be one of {', '.join(RESPONSE_SOURCES)}, not '{source}'", field="source"
        )
    started = perf_counter()
    report = ImportReport(path=path, dry_run=dry_run, skip_invalid=skip_invalid)
    db_error = session.get_bind().dialect.loaded_dbapi.Error
    rows = open_rows(path)
    now = utcnow()
    writer = None if dry_run else ResponseWriter(session=session, received_at=now)
    checker = (
        RowChecker(session=session, source=source)
        if writer is None
        else RowChecker(
            session=session, source=source, received=writer.received, store_time=writer.store_time
        )
    )
    lock = write_lock(session.get_bind()) if writer else _NoLock()
    progress = Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=console is None,
    )
    background: _Background | None = None
    try:
        with lock, progress:
            task = progress.add_task(path.name, total=rows.total or None)
            background = _Background(writer) if writer is not None else None
            batch: list[list] = []
            planned = False
            # CSV rows take the positional fast path; anything it doubts, and every
            # other format, goes through `RowChecker.check`.
            fast = checker.cells(rows.keys) if isinstance(rows, CsvRows) else None
            records = rows.records() if isinstance(rows, CsvRows) else rows
            for line, raw, issues in records:
                report.rows += 1
                values = fast(line, raw) if fast is not None and not issues else None
                if values is None:
                    if isinstance(rows, CsvRows):
                        raw, issues = rows.as_row(raw, issues)
                    values, errors = checker.check(line, raw, issues)
                    if errors:
                        report.invalid += 1
                        report.errors += errors
                        continue
                report.valid += 1
                if background is not None and (skip_invalid or not report.invalid):
                    batch.append(values)
                    if len(batch) >= CHUNK_ROWS:
                        if not planned:
                            planned = _plan(writer, rows.estimate(report.rows))
                        background.submit(batch)
                        batch = []
                if report.rows % 5000 == 0:
                    progress.update(task, completed=rows.done())
            if background is not None:
                if batch and (skip_invalid or not report.invalid):
                    if not planned:
                        planned = _plan(writer, report.rows)
                    background.submit(batch)
                report.imported = background.close()
            if writer is None or (report.invalid and not skip_invalid):
                _stop(background, writer)
                session.rollback()
                report.imported = 0
            else:
                writer.commit()
                session.commit()
                report.already_present = report.valid - report.imported
    except (DBAPIError, db_error) as exc:
        _stop(background, writer)
        session.rollback()
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise OtklikError(
            f"import of {path.name} failed in the database, nothing was written: {reason}"
        ) from None
    except BaseException:
        _stop(background, writer)
        session.rollback()
        raise
    finally:
        rows.close()
    report.seconds = perf_counter() - started
    report.errors_path = _write_errors(path, report.errors)
    return report


class _Background:
    """Insert chunks on a second thread while the caller reads and checks the next ones.

    SQLite and psycopg release the GIL while the database works, so parsing and
    inserting overlap on two cores. The queue holds two chunks: memory stays bounded.
    Only this thread touches the connection until `close` returns.
    """

    def __init__(self, writer: ResponseWriter) -> None:
        self.writer = writer
        self.inserted = 0
        self.error: BaseException | None = None
        self.queue: queue.Queue[list[tuple] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="otklik-import", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.inserted += self.writer.write(batch)
                except BaseException as exc:  # re-raised in the caller's thread by close()
                    self.error = exc

    def submit(self, batch: list[tuple]) -> None:
        if self.error is not None:
            self.close()
        self.queue.put(batch)

    def close(self) -> int:
        """Wait for the queued chunks; the number of new rows, or the writer's exception."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.inserted


def _plan(writer: ResponseWriter | None, expected_rows: int) -> bool:
    """Let the writer prepare for the file's size; called once, before the first chunk."""
    if writer is not None:
        writer.plan(expected_rows=expected_rows)
    return True


def _stop(background: _Background | None, writer: ResponseWriter | None) -> None:
    """Let the insert thread finish before the connection is rolled back under it."""
    if background is not None:
        with contextlib.suppress(BaseException):
            background.close()
    if writer is not None:
        with contextlib.suppress(Exception):  # the session's rollback still follows
            writer.abort()


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _write_errors(path: Path, errors: list[RowError]) -> Path | None:
    """Write ``FILE.errors.csv`` when there are errors; remove a stale one after a clean run."""
    target = errors_path_for(path)
    if not errors:
        target.unlink(missing_ok=True)
        return None
    with target.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["line", "column", "value", "reason"])
        out.writerows((e.line, e.column, e.value, e.reason) for e in errors)
    return target
