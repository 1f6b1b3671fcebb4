"""A CSV checked in a second process gives the batches, the report and the stored rows
that checking it in this process gives; a child that fails or dies fails the import,
and nothing is written. Both databases (the ``session`` fixture)."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from otklik.cli import app
from otklik.errors import OtklikError, ValidationFailed
from otklik.listen import import_stream, importer
from otklik.listen.import_check import RowChecker
from otklik.listen.import_rows import sqlite_time
from otklik.listen.import_stream import Tally, checked_batches, checked_in_child
from otklik.listen.importer import errors_path_for, import_responses
from otklik.listen.models import Customer, Response
from otklik.listen.readers import open_rows

HEADER = "submitted_at,external_id,customer_id,customer_email,touchpoint,nps,csat,comment,region"


def mixed_csv(tmp_path: Path, rows: int = 60) -> Path:
    """Fast-path rows, rows only the slow path takes, invalid rows, a repeated id,
    identical anonymous rows and comments with personal data."""
    lines = [HEADER]
    for i in range(rows):
        when = f"2024-05-{i % 28 + 1:02d}T10:{i % 60:02d}:00Z" if i % 5 else f"2024-05-0{i % 9 + 1}"
        comment = ["", "Быстро и удобно", "Call me on +7 916 123-45-67", "ok"][i % 4]
        lines.append(f"{when},E{i},crm-{i % 7},,web-apply,{i % 11},{i % 5 + 1},{comment},r{i % 3}")
    lines[12] = "2024-05-02T10:00:00,E11,,,web-apply,7.5,,,"  # naive time, bad score
    lines[25] = lines[20]  # E19 again
    lines.append("2024-06-01,,,,Branch visit,10,,,")
    lines.append("2024-06-01,,,,Branch visit,10,,,")
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def checked(check, path: Path, session: Session, *, keep_all: bool, store_time) -> tuple:
    rows = open_rows(path)
    try:
        tally = Tally()
        checker = RowChecker(session=session, source="import", store_time=store_time)
        batches = [
            (batch.rows, batch.done, batch.estimate)
            for batch in check(rows, checker, tally, collect=True, keep_all=keep_all)
        ]
    finally:
        rows.close()
    return batches, (tally.rows, tally.valid, tally.invalid, tally.errors)


# sqlite_time: rows of text go back marshalled; datetimes (PostgreSQL's) go pickled.
@pytest.mark.parametrize("store_time", [sqlite_time, lambda when: when], ids=["text", "datetime"])
@pytest.mark.parametrize("keep_all", [True, False])
def test_child_yields_the_batches_and_tally_this_process_would(
    seed, session, tmp_path, monkeypatch, keep_all, store_time
):
    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 7)
    path = mixed_csv(tmp_path)
    here = checked(checked_batches, path, session, keep_all=keep_all, store_time=store_time)
    batches, (rows, valid, invalid, _) = here
    assert (rows, valid, invalid) == (62, 60, 2) and len(batches) == 9
    assert sum(len(b) for b, _, _ in batches) == (60 if keep_all else 11)
    child = checked(checked_in_child, path, session, keep_all=keep_all, store_time=store_time)
    assert child == here


def stored(session: Session) -> list[tuple]:
    """Every stored response as content, with its customer by key instead of by id."""
    session.rollback()
    found = session.execute(
        select(
            Response.external_id, Response.idempotency_key, Response.payload_hash,
            Response.submitted_at, Response.touchpoint_id, Response.unit_id, Response.channel,
            Response.nps, Response.csat, Response.ces, Response.comment, Response.attributes,
            Customer.external_id, Customer.email,
        ).outerjoin(Customer, Customer.id == Response.customer_id)
    )  # fmt: skip
    return sorted(found, key=repr)


def test_parallel_import_stores_and_reports_what_a_serial_import_does(seed, session, tmp_path):
    path = mixed_csv(tmp_path)
    serial = import_responses(session=session, path=path, skip_invalid=True, parallel=False)
    rows, report = stored(session), errors_path_for(path).read_text(encoding="utf-8")
    session.execute(delete(Response))
    session.execute(delete(Customer))
    session.commit()
    parallel = import_responses(session=session, path=path, skip_invalid=True, parallel=True)
    assert (parallel.rows, parallel.imported, parallel.invalid) == (62, 60, 2)
    assert (serial.rows, serial.imported, serial.invalid) == (62, 60, 2)
    assert parallel.errors == serial.errors
    assert stored(session) == rows
    assert errors_path_for(path).read_text(encoding="utf-8") == report
    assert "Call me on [PHONE]" in {r.comment for r in rows}


def test_an_invalid_row_checked_in_the_child_rejects_the_whole_file(seed, session, tmp_path):
    report = import_responses(session=session, path=mixed_csv(tmp_path), parallel=True)
    assert (report.rows, report.invalid, report.imported) == (62, 2, 0)
    assert [(e.line, e.column) for e in report.errors] == [
        (13, "submitted_at"), (13, "nps"), (26, "external_id"),
    ]  # fmt: skip
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_file_problem_found_by_the_child_is_the_same_clear_error(
    seed, session, tmp_path, monkeypatch
):
    def refuse(self, keys):
        raise ValidationFailed("mixed.csv, line 3: field larger than field limit", field="file")

    monkeypatch.setattr(RowChecker, "cells", refuse)  # runs in the child, after the fork
    with pytest.raises(ValidationFailed, match="field larger") as caught:
        import_responses(session=session, path=mixed_csv(tmp_path), parallel=True)
    assert caught.value.field == "file"
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_child_that_dies_fails_the_import_with_nothing_written(
    seed, session, tmp_path, monkeypatch
):
    monkeypatch.setattr(RowChecker, "cells", lambda self, keys: os._exit(3))
    with pytest.raises(OtklikError, match=r"stopped unexpectedly \(exit code 3\)"):
        import_responses(session=session, path=mixed_csv(tmp_path), parallel=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_cli_checks_a_large_csv_in_a_second_process_on_sqlite_beside_its_progress_bar(
    db_url, seed, session, tmp_path, monkeypatch
):
    used: list[bool] = []

    def recorded(*args, **kwargs):
        used.append(True)
        return checked_in_child(*args, **kwargs)

    monkeypatch.setattr(import_stream, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(importer, "checked_in_child", recorded)
    monkeypatch.setenv("OTKLIK_DATABASE_URL", db_url)
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OTKLIK_ENV", "test")
    path = mixed_csv(tmp_path)
    result = CliRunner().invoke(app, ["import", "responses", str(path), "--skip-invalid"])
    assert "imported 60 of 62 rows (2 invalid, 0 already present)" in result.stdout
    assert used == ([True] if db_url.startswith("sqlite") else [])  # PostgreSQL: one process
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 60


def test_a_failed_insert_stops_the_child_and_writes_nothing(seed, session, tmp_path, monkeypatch):
    from otklik.listen.import_writer import ResponseWriter

    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 5)
    write = ResponseWriter.write

    def fail_second(self, batch):
        if getattr(self, "_wrote", False):
            raise RuntimeError("disk full")
        self._wrote = True
        return write(self, batch)

    monkeypatch.setattr(ResponseWriter, "write", fail_second)
    with pytest.raises(RuntimeError, match="disk full"):
        import_responses(
            session=session, path=mixed_csv(tmp_path, rows=500), skip_invalid=True, parallel=True
        )
    assert multiprocessing.active_children() == []
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0
