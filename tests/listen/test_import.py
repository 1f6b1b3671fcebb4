"""`otklik import responses`: CSV, XLSX and JSONL, all-or-nothing, error reports, idempotency.

Runs on SQLite and PostgreSQL (the ``db_url`` fixture), through the CLI and the
domain function.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from otklik.cli import app
from otklik.errors import NotFound, ValidationFailed
from otklik.listen.importer import errors_path_for, import_responses
from otklik.listen.models import Customer, Response

HEADER = "submitted_at,external_id,customer_id,customer_email,touchpoint,nps,csat,comment,region"
GOOD = [
    "2024-05-01T10:00:00+03:00,R1,crm-1,Ann@Example.com,web-apply,9,5,Быстро и удобно,north",
    "2024-05-02,R2,crm-2,,Branch visit,3,,Долго ждал,south",
    "2024-05-03T08:30:00Z,,,bob@example.com,SUPPORT-CHAT,,4,,",
]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(session: Session, model=Response) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def report_rows(path: Path) -> list[dict[str, str]]:
    with errors_path_for(path).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OTKLIK_DATABASE_URL", db_url)
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OTKLIK_ENV", "test")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["import", "responses", *map(str, args)])


def test_csv_import_stores_rows_customers_and_attributes(cli, seed, session, tmp_path):
    path = write(tmp_path, "nps.csv", "\n".join([HEADER, *GOOD]) + "\n")
    result = cli(path)
    assert result.exit_code == 0, result.output
    assert "imported 3 of 3 rows (0 invalid, 0 already present)" in result.stdout
    session.rollback()
    rows = {r.external_id: r for r in session.scalars(select(Response))}
    assert len(rows) == 3
    first = rows["R1"]
    assert (first.nps, first.csat, first.comment, first.source) == (
        9,
        5,
        "Быстро и удобно",
        "import",
    )
    assert first.submitted_at.isoformat() == "2024-05-01T07:00:00+00:00"
    assert first.attributes == {"region": "north"}
    assert first.touchpoint_id == seed["touchpoints"]["web-apply"].id
    assert first.channel == "web"  # the touchpoint's channel
    second = rows["R2"]
    assert second.touchpoint_id == seed["touchpoints"]["branch-visit"].id  # by exact name
    assert second.unit_id == seed["branch"].id  # the touchpoint's owner unit
    assert second.submitted_at.isoformat() == "2024-05-02T00:00:00+00:00"  # a date → midnight UTC
    assert second.attributes == {"region": "south"}
    anonymous_key = rows[None]
    assert anonymous_key.idempotency_key.startswith("import:")
    assert anonymous_key.attributes == {}
    customers = {c.id: c for c in session.scalars(select(Customer))}
    assert customers[first.customer_id].external_id == "crm-1"
    assert customers[first.customer_id].email == "ann@example.com"
    assert customers[anonymous_key.customer_id].email == "bob@example.com"
    assert not errors_path_for(path).exists()


def test_reimport_counts_rows_as_already_present(cli, seed, session, tmp_path):
    path = write(tmp_path, "nps.csv", "\n".join([HEADER, *GOOD]) + "\n")
    assert cli(path).exit_code == 0
    again = cli(path)
    assert again.exit_code == 0, again.output
    assert "imported 0 of 3 rows (0 invalid, 3 already present)" in again.stdout
    assert count(session) == 3
    assert count(session, Customer) == 3


def test_identical_anonymous_rows_are_kept_and_not_duplicated_on_reimport(seed, session, tmp_path):
    row = "2024-05-03,,,,web-apply,10,,,"
    path = write(tmp_path, "same.csv", "\n".join([HEADER, row, row]) + "\n")
    first = import_responses(session=session, path=path)
    assert (first.imported, first.already_present) == (2, 0)
    again = import_responses(session=session, path=path)
    assert (again.imported, again.already_present) == (0, 2)
    assert count(session) == 2


def test_bad_row_rejects_the_whole_file_and_reports_line_column_reason(
    cli, seed, session, tmp_path
):
    lines = [
        HEADER,
        GOOD[0],
        "2024-05-02T10:00:00,R2,,,web-apply,7.5,,,",
        'seven-o-clock,R3,,,nowhere,seven,6,"multi\nline",',
        GOOD[1],
    ]
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    result = cli(path)
    assert result.exit_code == 1
    assert "imported 0 of 4 rows (2 invalid" in result.stdout
    assert "nothing written" in result.stdout and "--skip-invalid" in result.stdout
    assert count(session) == 0 and count(session, Customer) == 0
    found = {(r["line"], r["column"]): r for r in report_rows(path)}
    assert found[("3", "submitted_at")]["value"] == "2024-05-02T10:00:00"
    assert "time zone" in found[("3", "submitted_at")]["reason"]
    assert found[("3", "nps")]["reason"] == "nps must be a whole number"
    assert found[("4", "nps")]["value"] == "seven"
    assert "ISO 8601" in found[("4", "submitted_at")]["reason"]
    assert found[("4", "touchpoint")]["reason"] == "unknown touchpoint 'nowhere'"
    assert "less than or equal to 5" in found[("4", "csat")]["reason"]
    assert set(report_rows(path)[0]) == {"line", "column", "value", "reason"}


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(cli, seed, session, tmp_path):
    lines = [HEADER, GOOD[0], "2024-05-02,R2,,,web-apply,11,,,", GOOD[1]]
    path = write(tmp_path, "some.csv", "\n".join(lines) + "\n")
    result = cli(path, "--skip-invalid")
    assert result.exit_code == 1  # errors still fail the command, so scripts notice
    assert "imported 2 of 3 rows (1 invalid, 0 already present)" in result.stdout
    session.rollback()
    assert sorted(x for x in session.scalars(select(Response.external_id))) == ["R1", "R2"]
    [error] = report_rows(path)
    assert (error["line"], error["column"], error["value"]) == ("3", "nps", "11")
    # A clean run afterwards removes the stale report.
    fixed = write(tmp_path, "some.csv", "\n".join([HEADER, GOOD[0]]) + "\n")
    assert cli(fixed).exit_code == 0
    assert not errors_path_for(fixed).exists()


def test_dry_run_validates_and_writes_nothing(cli, seed, session, tmp_path):
    path = write(tmp_path, "dry.csv", "\n".join([HEADER, *GOOD, "2024-05-02,R9,,,web-apply,,,,"]))
    result = cli(path, "--dry-run")
    assert result.exit_code == 1
    assert "dry run: 3 of 4 rows valid (1 invalid)" in result.stdout
    assert count(session) == 0 and count(session, Customer) == 0
    [error] = report_rows(path)
    assert error["line"] == "5" and "at least one answer" in error["reason"]


def test_semicolon_csv_with_bom_and_odd_header_case(seed, session, tmp_path):
    text = " Submitted_At ;NPS;Touchpoint;Comment;Plan\n2024-05-01;8;web-apply;ok;gold\n"
    path = write(tmp_path, "excel.csv", "\ufeff" + text)
    report = import_responses(session=session, path=path)
    assert report.imported == 1, report.errors
    stored = session.scalars(select(Response)).one()
    assert (stored.nps, stored.comment, stored.attributes) == (8, "ok", {"Plan": "gold"})


def test_invalid_utf8_is_a_row_error_not_a_traceback(cli, seed, session, tmp_path):
    raw = (HEADER + "\n" + GOOD[0] + "\n").encode() + b"2024-05-02,R2,,,web-apply,5,,caf\xe9,\n"
    path = tmp_path / "latin1.csv"
    path.write_bytes(raw)
    result = cli(path)
    assert result.exit_code == 1
    [error] = report_rows(path)
    assert error["line"] == "3" and "UTF-8" in error["reason"]
    assert count(session) == 0


def test_xlsx_import_reads_typed_cells(seed, session, tmp_path):
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(["submitted_at", "external_id", "customer_id", "touchpoint", "nps", "order"])
    ws.append([datetime(2024, 5, 1), "X1", 1042, "web-apply", 9, 777])
    ws.append(["2024-05-02T09:00:00+03:00", "X2", None, "web-apply", "7", "A-1"])
    ws.append([datetime(2024, 5, 3, 14, 30), "X3", None, "web-apply", 8.5, None])
    path = tmp_path / "responses.xlsx"
    wb.save(path)
    report = import_responses(session=session, path=path, skip_invalid=True)
    assert (report.imported, report.invalid) == (2, 1)
    rows = {r.external_id: r for r in session.scalars(select(Response))}
    assert rows["X1"].attributes == {"order": "777"}  # attributes are text
    assert rows["X1"].submitted_at.isoformat() == "2024-05-01T00:00:00+00:00"
    assert session.get(Customer, rows["X1"].customer_id).external_id == "1042"
    assert rows["X2"].nps == 7
    reasons = {(e.line, e.column): e.reason for e in report.errors}
    assert "time zone" in reasons[(4, "submitted_at")]
    assert reasons[(4, "nps")] == "nps must be a whole number"


def test_jsonl_import_with_typed_values_and_bad_lines(seed, session, tmp_path):
    lines = [
        {"submitted_at": "2024-05-01T10:00:00+00:00", "external_id": "J1", "nps": 10,
         "touchpoint": "web-apply", "vip": True, "attributes": {"segment": "smb"}},
        "not json",
        {"submitted_at": "2024-05-01", "nps": 7.5, "touchpoint": "web-apply"},
        {"submitted_at": "2024-05-01", "csat": "4", "unit": "MSK-1", "language": "RU",
         "comment": "  Спасибо  "},
    ]  # fmt: skip
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    path = write(tmp_path, "events.jsonl", text + "\n\n")
    report = import_responses(session=session, path=path, skip_invalid=True)
    assert (report.rows, report.imported, report.invalid) == (4, 2, 2)
    assert {e.line for e in report.errors} == {2, 3}
    stored = {r.external_id: r for r in session.scalars(select(Response))}
    assert stored["J1"].attributes == {"vip": True, "segment": "smb"}
    other = stored[None]
    assert (other.csat, other.language, other.comment) == (4, "ru", "Спасибо")
    assert other.unit_id is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", "x", "unsupported file type '.txt'"),
        ("old.xls", "x", "save it as .xlsx"),
        ("missing.csv", None, "file not found"),
        ("broken.xlsx", "not a zip", "not a readable XLSX"),
        ("empty.csv", "", "is empty"),
        ("dup.csv", "nps,NPS\n1,2\n", "appears twice"),
    ],
)
def test_file_level_problems_fail_with_one_line(cli, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = cli(path)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_domain_function_raises_for_file_problems(session, tmp_path):
    with pytest.raises(NotFound):
        import_responses(session=session, path=tmp_path / "nope.csv")
    with pytest.raises(ValidationFailed, match="--source"):
        import_responses(session=session, path=tmp_path / "nope.csv", source="fax")


def test_repeated_external_id_in_one_file_is_an_error(seed, session, tmp_path):
    path = write(tmp_path, "dup.csv", "\n".join([HEADER, GOOD[0], GOOD[0]]) + "\n")
    report = import_responses(session=session, path=path)
    [error] = report.errors
    assert (error.line, error.column, error.reason) == (
        3,
        "external_id",
        "external_id repeats line 2",
    )
    assert count(session) == 0


def test_many_chunks_insert_in_one_transaction_and_count_duplicates(
    seed, session, tmp_path, monkeypatch
):
    import io

    from rich.console import Console

    from otklik.listen import import_stream

    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 2)
    rows = [f"2024-05-0{d},E{d},crm-{d % 3},,web-apply,{d},,," for d in range(1, 8)]
    path = write(tmp_path, "chunks.csv", "\n".join([HEADER, *rows]) + "\n")
    progress = io.StringIO()
    first = import_responses(session=session, path=path, console=Console(file=progress))
    assert (first.imported, first.already_present) == (7, 0)
    more = write(tmp_path, "more.csv", "\n".join([HEADER, *rows, rows[0].replace("E1", "E8")]))
    again = import_responses(session=session, path=more)
    assert (again.imported, again.already_present, again.invalid) == (1, 7, 0)
    assert count(session) == 8
    assert count(session, Customer) == 3


# --- large imports: plain indexes rebuilt in the transaction (SQLite) ----------------------


def schema(session: Session) -> list[tuple]:
    """The response table's indexes as the database reports them."""
    session.rollback()
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        found = session.execute(
            text("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'response'")
        )
        return sorted(tuple(r) for r in found)
    found = session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'response' AND schemaname = current_schema()"
        )
    )
    return sorted(tuple(r) for r in found)


@pytest.fixture
def small_rebuild(monkeypatch: pytest.MonkeyPatch):
    """Make a few rows count as a large import, split over several chunks."""
    from otklik.listen import import_stream, import_writer

    monkeypatch.setattr(import_stream, "CHUNK_ROWS", 3)
    monkeypatch.setattr(import_writer, "REBUILD_MIN_ROWS", 5)
    plans: list[bool] = []
    plan = import_writer.ResponseWriter.plan

    def recorded(self, *, expected_rows: int) -> bool:
        plans.append(plan(self, expected_rows=expected_rows))
        return plans[-1]

    monkeypatch.setattr(import_writer.ResponseWriter, "plan", recorded)
    return plans


def many_rows(n: int, start: int = 1) -> list[str]:
    return [
        f"2024-05-{1 + i % 28:02d},E{i},crm-{i % 4},,web-apply,{i % 11},,,"
        for i in range(start, start + n)
    ]


def test_large_import_rebuilds_plain_indexes_and_leaves_the_same_schema(
    seed, session, tmp_path, small_rebuild
):
    before = schema(session)
    path = write(tmp_path, "big.csv", "\n".join([HEADER, *many_rows(20)]) + "\n")
    report = import_responses(session=session, path=path)
    assert (report.imported, report.already_present) == (20, 0)
    sqlite = session.get_bind().dialect.name == "sqlite"
    assert small_rebuild == [sqlite]  # PostgreSQL keeps its indexes (DROP INDEX would lock)
    assert schema(session) == before
    if sqlite:
        check = session.execute(text("PRAGMA integrity_check")).scalar()
        assert check == "ok"
        # Inserted without foreign-key checks: every reference must still hold.
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
    # A re-import with one new row still skips the stored ones, through the unique indexes.
    more = write(tmp_path, "more.csv", "\n".join([HEADER, *many_rows(21)]) + "\n")
    again = import_responses(session=session, path=more)
    assert (again.imported, again.already_present) == (1, 20)
    assert count(session) == 21
    # 6 rows into a table of 21 (< REBUILD_RATIO): the indexes are kept and maintained.
    few = write(tmp_path, "few.csv", "\n".join([HEADER, *many_rows(6, start=100)]) + "\n")
    assert import_responses(session=session, path=few).imported == 6
    assert small_rebuild[-1] is False
    assert schema(session) == before


def test_failed_large_import_rolls_back_rows_and_dropped_indexes(
    seed, session, tmp_path, small_rebuild
):
    before = schema(session)
    bad_last = [*many_rows(20), "2024-05-02,E999,,,web-apply,eleven,,,"]
    path = write(tmp_path, "bad.csv", "\n".join([HEADER, *bad_last]) + "\n")
    report = import_responses(session=session, path=path)
    assert report.imported == 0 and report.invalid == 1
    [error] = report.errors
    assert (error.line, error.column) == (22, "nps")  # line numbers survive chunking
    assert count(session) == 0 and count(session, Customer) == 0
    assert schema(session) == before


@pytest.mark.backends("sqlite")  # PRAGMAs are SQLite connection settings
def test_import_gives_the_pooled_connection_its_settings_back(seed, session, tmp_path):

    def pragmas() -> tuple:
        session.rollback()
        return tuple(
            session.execute(text(f"PRAGMA {p}")).scalar()
            for p in ("cache_size", "synchronous", "temp_store", "foreign_keys")
        )

    before = pragmas()
    assert before[-1] == 1  # foreign keys enforced; the import turns them off for itself only
    path = write(tmp_path, "nps.csv", "\n".join([HEADER, *GOOD]) + "\n")
    assert import_responses(session=session, path=path).imported == 3
    assert pragmas() == before
    bad = write(tmp_path, "bad.csv", "\n".join([HEADER, "2024-05-02,R9,,,web-apply,99,,,"]))
    assert import_responses(session=session, path=bad).imported == 0
    assert pragmas() == before


def test_import_leaves_the_cycle_collector_as_it_found_it(seed, session, tmp_path):
    import gc

    path = write(tmp_path, "nps.csv", "\n".join([HEADER, *GOOD]) + "\n")
    assert gc.isenabled()
    import_responses(session=session, path=path)
    assert gc.isenabled()
    gc.disable()
    try:
        import_responses(session=session, path=path)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("name", ["pii.csv", "pii.jsonl"])
def test_imported_comments_are_redacted_before_they_are_stored(seed, session, tmp_path, name):
    comment = "Звоните +7 (916) 123-45-67 или пишите ann.petrova@example.com"
    if name.endswith(".csv"):
        text_ = HEADER + f"\n2024-05-01,P1,,,web-apply,9,,{comment},\n"
    else:
        row = {"submitted_at": "2024-05-01", "external_id": "P1", "touchpoint": "web-apply"}
        text_ = json.dumps({**row, "nps": 9, "comment": comment}) + "\n"
    import_responses(session=session, path=write(tmp_path, name, text_))
    session.rollback()
    stored = session.scalar(select(Response.comment).where(Response.external_id == "P1"))
    assert "916" not in stored and "example.com" not in stored
    assert "[PHONE]" in stored and "[EMAIL]" in stored


def test_imported_comments_are_kept_verbatim_when_redaction_is_off(seed, session, tmp_path):
    from otklik.understand.comments.redaction import set_redaction

    engine = session.get_bind()
    comment = "Пишите ann.petrova@example.com"
    path = write(tmp_path, "raw.csv", HEADER + f"\n2024-05-01,P2,,,web-apply,9,,{comment},\n")
    set_redaction(engine, False)
    try:
        import_responses(session=session, path=path)
    finally:
        set_redaction(engine, True)
    session.rollback()
    assert session.scalar(select(Response.comment).where(Response.external_id == "P2")) == comment


# --- the API after an import: a live feed re-sending back-filled responses ----------------


def test_api_resend_of_an_imported_response_is_a_repeat_and_a_changed_one_a_conflict(
    seed, session, tmp_path
):
    from otklik.errors import Conflict
    from otklik.listen.ingest import ingest_response, payload_hash
    from otklik.listen.schemas import ResponseIn

    comment = "Быстро; звоните +7 916 123-45-67"
    row = f"2024-05-01T10:00:00+03:00,R1,crm-1,Ann@Example.com,web-apply,9,5,{comment},north"
    import_responses(session=session, path=write(tmp_path, "r.csv", f"{HEADER}\n{row}\n"))
    stored_id = session.scalar(select(Response.id).where(Response.external_id == "R1"))
    body = {
        "touchpoint": "web-apply", "customer": {"external_id": "crm-1", "name": "Ann"},
        "nps": 9, "csat": 5, "comment": comment, "attributes": {"region": "north"},
        "submitted_at": "2024-05-01T07:00:00Z", "external_id": "R1",
    }  # fmt: skip
    imported_hash = session.scalar(select(Response.payload_hash).where(Response.id == stored_id))
    assert imported_hash != payload_hash(ResponseIn.model_validate(body))  # no API body to match
    public, created = ingest_response(session=session, data=ResponseIn.model_validate(body))
    assert (public.id, created) == (stored_id, False)
    for change in ({"nps": 8}, {"comment": "Быстро"}, {"submitted_at": "2024-05-02T07:00:00Z"},
                   {"customer": {"external_id": "crm-2"}}, {"attributes": {}}):  # fmt: skip
        with pytest.raises(Conflict, match="R1"):
            ingest_response(session=session, data=ResponseIn.model_validate({**body, **change}))
    assert count(session) == 1
