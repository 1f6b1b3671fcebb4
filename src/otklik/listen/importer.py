"""Import responses from a file: `otklik import responses FILE`.

One file is one transaction: either every valid row goes in or, when a row is bad
and ``skip_invalid`` is off, nothing does. Rows are streamed — read and checked
(`import_check`, `import_cells`) in batches (`import_stream`; a large CSV in a second
process), and inserted through the DBAPI with ``ON CONFLICT DO NOTHING``
(`import_writer`) — so a million rows need neither a million ORM objects nor a million
round trips, and a re-import counts rows as "already present" instead of duplicating them.

Example::

    report = import_responses(session=session, path=Path("nps.csv"))
    print(report.summary_line())
"""

from __future__ import annotations

import contextlib
import csv
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from otklik.errors import OtklikError, ValidationFailed
from otklik.listen.import_check import RowChecker, RowError
from otklik.listen.import_stream import (
    Tally,
    checked_batches,
    checked_in_child,
    parallel_possible,
)
from otklik.listen.import_writer import ResponseWriter
from otklik.listen.models import RESPONSE_SOURCES
from otklik.listen.readers import open_rows
from otklik.store import utcnow, write_lock


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
    parallel: bool | None = None,
) -> ImportReport:
    """Validate every row of ``path`` and insert the valid ones in one transaction.

    Commits on success; rolls back (writes nothing) when a row is invalid and
    ``skip_invalid`` is off, and always in ``dry_run``. Row errors are written to
    ``FILE.errors.csv``; file-level problems raise `ValidationFailed`/`NotFound`.
    ``parallel`` checks the file in a second process while this one inserts
    (`import_stream`); None does so for a large CSV on SQLite with two cores free.
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
    progress = Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=console is None,
        # Redrawn at each batch instead of by a thread of its own: the checking child is
        # forked from this process, and a fork is safest with no other thread running.
        auto_refresh=False,
    )
    writer: ResponseWriter | None = None
    lock = _NoLock() if dry_run else write_lock(session.get_bind())
    try:
        with lock, progress, _no_cycle_collection():
            if not dry_run:
                writer = ResponseWriter(session=session, received_at=utcnow())
            checker = (
                RowChecker(session=session, source=source)
                if writer is None
                else RowChecker(
                    session=session,
                    source=source,
                    received=writer.received,
                    store_time=writer.store_time,
                )
            )
            task = progress.add_task(path.name, total=rows.total or None)
            if parallel is None:
                parallel = writer is not None and writer.is_sqlite and parallel_possible(rows)
            check = checked_in_child if parallel else checked_batches
            tally = Tally()
            planned = False
            # closing(): a failed insert stops the child at once, not when garbage-collected.
            with contextlib.closing(
                check(rows, checker, tally, collect=writer is not None, keep_all=skip_invalid)
            ) as batches:
                for batch in batches:
                    if writer is not None and batch.rows:
                        if not planned:
                            planned = writer.plan(expected_rows=batch.estimate) or True
                        report.imported += writer.write(batch.rows)
                    progress.update(task, completed=batch.done, refresh=True)
            report.rows, report.valid, report.invalid = tally.rows, tally.valid, tally.invalid
            report.errors = tally.errors
            if writer is None or (report.invalid and not skip_invalid):
                _abort(writer)
                session.rollback()
                report.imported = 0
            else:
                writer.commit()
                session.commit()
                report.already_present = report.valid - report.imported
    except (DBAPIError, db_error) as exc:
        _abort(writer)
        session.rollback()
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise OtklikError(
            f"import of {path.name} failed in the database, nothing was written: {reason}"
        ) from None
    except BaseException:
        _abort(writer)
        session.rollback()
        raise
    finally:
        rows.close()
    report.seconds = perf_counter() - started
    report.errors_path = _write_errors(path, report.errors)
    return report


def _abort(writer: ResponseWriter | None) -> None:
    """Roll the writer back; the session's rollback still follows."""
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.abort()


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for the import.

    Every row makes a few container objects that are kept (the chunk, the memos), so the
    collector would run thousands of times and walk them all each time: ~3 µs a row, more
    than parsing the CSV. The rows hold no cycles; plain reference counting frees them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
