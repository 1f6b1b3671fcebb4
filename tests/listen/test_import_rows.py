"""The importer's fast path never accepts what `ResponseIn` rejects, and agrees on common rows.

No database: these are the pure row rules (`otklik.listen.import_rows`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from otklik.listen.import_rows import BadValue, fast_valid, schema_errors, to_score, to_time
from otklik.listen.schemas import MAX_COMMENT_CHARS, MAX_SAFE_INT, MAX_TEXT_CHARS

WHEN = datetime(2024, 5, 1, 10, tzinfo=UTC)
BASE = {"source": "import", "submitted_at": WHEN, "nps": 9}


def variants() -> list[dict]:
    """Rows on both sides of every limit the schema declares."""
    out: list[dict] = [dict(BASE)]
    for name, low, high in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)):
        for value in (low - 1, low, high, high + 1, True, 7.0):
            out.append({**BASE, name: value})
    for name, limit in (("touchpoint", 64), ("unit", 64), ("external_id", 255)):
        for text in ("", "a", "a" * limit, "a" * (limit + 1), " a", "a\x00b", "\ud800"):
            out.append({**BASE, name: text})
    for comment in ("", "  ", "ok", "x" * MAX_COMMENT_CHARS, "x" * (MAX_COMMENT_CHARS + 1)):
        out.append({"source": "import", "submitted_at": WHEN, "comment": comment})
    for language in ("ru", "RU", "rus", "r", "en\n"):
        out.append({**BASE, "language": language})
    for channel in ("web", "WEB", "fax", ""):
        out.append({**BASE, "channel": channel})
    for customer in (
        {"external_id": "c1"},
        {"email": "a@b.co"},
        {"email": "a@b"},
        {"email": "a b@c.de"},
        {"email": "x@y.z\n"},
        {"external_id": "c" * 128},
        {"external_id": "c" * 129},
        {},
        {"external_id": "c1", "name": "Ann"},
    ):
        out.append({**BASE, "customer": customer})
    for attributes in (
        {"k": "v"},
        {"k" * 64: "v"},
        {"k" * 65: "v"},
        {"": "v"},
        {"k": "v" * MAX_TEXT_CHARS},
        {"k": "v" * (MAX_TEXT_CHARS + 1)},
        {"k": MAX_SAFE_INT},
        {"k": MAX_SAFE_INT + 1},
        {"k": float("nan")},
        {"k": 1.5},
        {"k": True},
        {"k": None},
        {"k": [1]},
        {f"k{i}": "v" for i in range(50)},
        {f"k{i}": "v" for i in range(51)},
    ):
        out.append({**BASE, "attributes": attributes})
    now = datetime.now(UTC)
    for when in (
        now,
        now + timedelta(minutes=4),
        now + timedelta(minutes=10),
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2024, 5, 1, 10),
    ):
        out.append({**BASE, "submitted_at": when})
    out.append({**BASE, "answers": {"q1": "yes"}})
    out.append({**BASE, "survey": "s"})
    out.append({**BASE, "source": "fax"})
    out.append({"source": "import", "submitted_at": WHEN})
    return out


@pytest.mark.parametrize("payload", variants(), ids=lambda p: repr(p)[:60])
def test_fast_path_accepts_only_what_the_schema_accepts(payload):
    model, problems = schema_errors(payload)
    if fast_valid(payload):
        assert model is not None, problems
        dumped = model.model_dump(exclude_none=True)
        for key in ("nps", "csat", "ces", "comment", "language", "touchpoint", "external_id"):
            assert dumped.get(key) == payload.get(key)  # stored unchanged


def test_fast_path_accepts_ordinary_rows():
    row = {
        **BASE,
        "touchpoint": "web-apply",
        "unit": "msk-1",
        "channel": "web",
        "csat": 4,
        "ces": 6,
        "comment": "Всё хорошо",
        "language": "ru",
        "external_id": "R-1",
        "customer": {"external_id": "crm-1", "email": "ann@example.com"},
        "attributes": {"region": "north", "vip": True, "orders": 3},
    }
    assert fast_valid(row)
    assert schema_errors(row)[0] is not None


def test_schema_errors_name_the_file_columns():
    _, problems = schema_errors({**BASE, "nps": 11, "customer": {"email": "nope"}})
    columns = {column for column, _ in problems}
    assert columns == {"nps", "customer_email"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01 10:00:00+03:00", datetime(2024, 5, 1, 7, tzinfo=UTC)),
        (datetime(2024, 5, 1), datetime(2024, 5, 1, tzinfo=UTC)),
    ],
)
def test_times_parse_to_utc(text, expected):
    assert to_time(text).astimezone(UTC) == expected


@pytest.mark.parametrize(
    "text", ["2024-05-01T10:00:00", "yesterday", "", None, datetime(2024, 5, 1, 10, 30)]
)
def test_times_without_zone_or_unparseable_are_refused(text):
    with pytest.raises(BadValue):
        to_time(text)


@pytest.mark.parametrize(("text", "value"), [("7", 7), (" 07 ", 7), ("-1", -1), ("", None), (3, 3)])
def test_scores_parse_whole_numbers(text, value):
    assert to_score(text) == value


@pytest.mark.parametrize("text", ["7.5", "seven", "٣", "1e1", 7.5, True])
def test_scores_refuse_anything_else(text):
    with pytest.raises(BadValue):
        to_score(text)


def test_time_with_offset_keeps_the_instant():
    parsed = to_time("2024-05-01T10:00:00+05:30")
    assert parsed.utcoffset() == timezone(timedelta(hours=5, minutes=30)).utcoffset(None)
