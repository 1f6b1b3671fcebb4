"""`RowChecker`'s memoised fast path gives exactly what the cell-by-cell path gives.

The fast path answers for text rows that are plainly valid and says "look closer"
(None) for anything else; the slow path is the reference. Both run against a real
database's touchpoints and units (SQLite and PostgreSQL).
"""

from __future__ import annotations

from otklik.listen.import_check import RowChecker

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


def checker(session) -> RowChecker:
    return RowChecker(session=session, source="import", received="now", store_time=str)


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
