"""`RowChecker`'s memoised fast paths give exactly what the cell-by-cell path gives.

The fast paths — `_fast` for text rows as dicts, `CsvCells` for CSV rows as lists of
cells — answer for rows that are plainly valid and say "look closer" (None) for
anything else; the slow path is the reference. All run against a real database's
touchpoints and units (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.listen import import_cells
from otklik.listen.import_check import RowChecker
from otklik.listen.import_rows import sqlite_time

ROWS = [
    {"submitted_at": "2024-05-01T10:00:00+03:00", "nps": "9", "touchpoint": "web-apply"},
    {"submitted_at": "2024-05-01", "csat": " 4 ", "touchpoint": "WEB-APPLY", "plan": " gold "},
    {"submitted_at": "2024-05-02T08:00:00Z", "comment": " Спасибо ", "language": "RU"},
    {"submitted_at": "2024-05-02", "ces": "3", "customer_id": "crm-1", "customer_email": ""},
    {"submitted_at": "2024-05-02", "nps": "0", "customer_email": "Ann@Example.com"},
    {"submitted_at": "2024-05-03", "nps": "10", "unit": "msk-1", "channel": "Phone"},
    {"submitted_at": "2024-05-03", "nps": "7", "external_id": "R1", "region": ""},
    {"submitted_at": "2024-05-03", "nps": "7", "touchpoint": "Branch visit"},  # exact name
]
# Each needs the slow path: an error, or a value only the schema can judge.
DOUBTFUL = [
    {"submitted_at": "2024-05-03", "nps": "11"},
    {"submitted_at": "2024-05-03", "nps": "7.5"},
    {"submitted_at": "2024-05-03T10:00:00", "nps": "7"},
    {"submitted_at": "", "nps": "7"},
    {"submitted_at": "2024-05-03", "region": "north"},  # no answer
    {"submitted_at": "2024-05-03", "nps": "7", "touchpoint": "nowhere"},
    {"submitted_at": "2024-05-03", "nps": "7", "unit": "nowhere"},
    {"submitted_at": "2024-05-03", "nps": "7", "channel": "fax"},
    {"submitted_at": "2024-05-03", "nps": "7", "customer_email": "not-an-email"},
    {"submitted_at": "2999-01-01", "nps": "7"},
    {"submitted_at": "2024-05-03", "nps": 7},  # typed cell (JSONL, XLSX)
    {"submitted_at": "2024-05-03", "nps": "7", "a" * 200: "x"},  # attribute key too long
]


# Time cells in the forms exports use; the UTC ones take `CsvCells`' text shortcut.
TIMES = [
    "2024-05-01T10:00:00Z",
    "2024-05-01T10:00:00+00:00",
    "2024-05-01 10:00:00+00:00",
    " 2024-05-01T10:00:00Z ",
    "2024-05-01T10:00:00.250+00:00",
    "2024-05-01T10:00:00-00:00",
    "2024-05-01T13:00:00+03:00",
    "2024-05-01T10:00Z",
    "2024-W18-3T10:00:00+00:00",
    "2024-05-01",
    "20240501T100000Z",
]


def checker(session, store_time=str) -> RowChecker:
    return RowChecker(session=session, source="import", received="now", store_time=store_time)


def as_csv(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """The rows as a CSV reader gives them: one header, a cell (maybe empty) per column."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return keys, [[row.get(k, "") for k in keys] for row in rows]


@pytest.mark.parametrize("store_time", [str, sqlite_time], ids=["bind-value", "sqlite-text"])
def test_csv_cells_store_what_the_slow_path_stores(seed, session, store_time):
    rows = ROWS + [{"submitted_at": t, "nps": "5"} for t in TIMES]
    keys, records = as_csv(rows)
    fast, slow = checker(session, store_time).cells(keys), checker(session, store_time)
    for line, (raw, cells) in enumerate(zip(rows, records, strict=True), start=2):
        stored = fast(line, list(cells))
        expected, errors = slow._slow(line, dict(zip(keys, cells, strict=True)), [])
        assert errors == [], raw
        assert stored == expected, raw
    # Remembered values give the same rows the second time round.
    for line, (raw, cells) in enumerate(zip(rows, records, strict=True), start=100):
        stored = fast(line, list(cells))
        assert stored == slow._slow(line, dict(zip(keys, cells, strict=True)), [])[0], raw


def test_csv_cells_leave_doubtful_rows_to_the_schema(seed, session):
    doubtful = [row for row in DOUBTFUL if all(type(v) is str for v in row.values())]
    doubtful += [
        {"submitted_at": "2024-05-03", "nps": "7", "external_id": "x" * 256},
        {"submitted_at": "2024-05-03", "nps": "7", "external_id": "a\x00b"},
        {"submitted_at": "2024-13-01T10:00:00Z", "nps": "7"},
        {"submitted_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "nps": "7"},
    ]
    keys, records = as_csv(doubtful)
    fast = checker(session).cells(keys)
    for line, (raw, cells) in enumerate(zip(doubtful, records, strict=True), start=2):
        assert fast(line, list(cells)) is None, raw
        assert fast(line, list(cells)) is None, raw  # and not remembered as valid
    assert fast(2, [*records[0], "extra"]) is None  # more cells than the header
    assert checker(session).cells(["submitted_at", "", "nps"]) is None  # an unnamed column


def test_csv_cells_and_the_slow_path_share_the_files_state(seed, session, monkeypatch):
    monkeypatch.setattr(import_cells, "MEMO_CAP", 2)  # memos start over all the time
    rows = checker(session)
    keys = ["submitted_at", "external_id", "nps", "plan"]
    fast = rows.cells(keys)
    first = fast(2, ["2024-05-01", "", "9", "a"])
    again, errors = rows.check(3, {"submitted_at": "2024-05-01", "nps": "9", "plan": "a"}, [])
    third = fast(4, ["2024-05-01", "", "9", "a"])
    assert errors == [] and first is not None and third is not None
    assert [first[13], again[13], third[13]] == [
        first[13],
        first[13] + ":2",
        first[13] + ":3",
    ]
    assert fast(5, ["2024-05-02", "E1", "9", "a"]) is not None
    assert fast(6, ["2024-05-02", " E1 ", "9", "a"]) is None
    _, errors = rows.check(6, {"submitted_at": "2024-05-02", "external_id": " E1 ", "nps": "9"}, [])
    assert [(e.column, e.reason) for e in errors] == [("external_id", "external_id repeats line 5")]


def test_fast_path_stores_what_the_slow_path_stores(seed, session):
    for raw in ROWS:
        fast = checker(session)._fast(2, dict(raw))
        slow, errors = checker(session)._slow(2, dict(raw), [])
        assert errors == [], raw
        assert fast is not None, raw
        assert fast == slow, raw


def test_fast_path_leaves_doubtful_rows_to_the_schema(seed, session):
    for raw in DOUBTFUL:
        assert checker(session)._fast(2, dict(raw)) is None, raw


def test_memoised_values_still_check_every_row(seed, session):
    rows = checker(session)
    first, _ = rows.check(2, {"submitted_at": "2024-05-01", "nps": "9", "plan": "a"}, [])
    again, _ = rows.check(3, {"submitted_at": "2024-05-01", "nps": "9", "plan": "a"}, [])
    assert first is not None and again is not None
    # Identical anonymous rows get distinct keys; an external id may not repeat.
    assert first[13] != again[13] and again[13].endswith(":2")
    with_id = {"submitted_at": "2024-05-01", "nps": "9", "external_id": "E"}
    assert rows.check(4, dict(with_id), [])[0]
    values, errors = rows.check(5, dict(with_id), [])
    assert values is None
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (5, "external_id", "external_id repeats line 4")
    ]
    values, errors = rows.check(6, {"submitted_at": "2024-05-01", "nps": "99"}, [])
    assert values is None and errors[0].line == 6 and errors[0].column == "nps"


def test_csv_cells_give_the_same_rows_once_distinct_times_stop_being_remembered(seed, session):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = [(start + timedelta(seconds=i)).isoformat() for i in range(5000)]
    times += [*times[:3], "2024-05-01", "2024-05-01T13:00:00+03:00"]
    keys = ["submitted_at", "nps"]
    fast, slow = checker(session, sqlite_time).cells(keys), checker(session, sqlite_time)
    for line, when in enumerate(times, start=2):
        expected, _ = slow._slow(line, {"submitted_at": when, "nps": "7"}, [])
        assert fast(line, [when, "7"]) == expected, when
