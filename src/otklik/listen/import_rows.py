"""Check one imported row with the API's rules, fast.

A file row is first *converted* (text → whole number, ISO 8601 → aware datetime,
``customer_id``/``customer_email`` → ``customer``) and then *validated* against
`ResponseIn`, the one schema every way in shares. Pydantic costs ~19 µs a row,
which alone would cap an import near 50k rows/s, so `fast_valid` first applies the
same rules in plain Python, with every limit read from `ResponseIn` itself. It only
ever says "certainly valid"; any doubt goes to `ResponseIn`, whose verdict and
messages are final. ``tests/listen/test_import_rows.py`` checks both agree.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel, ValidationError

from otklik.listen.models import CHANNELS, RESPONSE_SOURCES
from otklik.listen.schemas import (
    CLOCK_SKEW,
    EARLIEST,
    MAX_ATTRIBUTES,
    MAX_COMMENT_CHARS,
    MAX_SAFE_INT,
    MAX_TEXT_CHARS,
    CustomerRef,
    ResponseIn,
)

SCORE_FIELDS = ("nps", "csat", "ces")
_TEXT_FIELDS = ("touchpoint", "unit", "channel", "comment", "language", "external_id")


def _limits(model: type[BaseModel], name: str) -> dict[str, Any]:
    """min_length/max_length/ge/le/pattern declared on a field, wherever pydantic keeps them."""
    found: dict[str, Any] = {}

    def visit(meta: Any) -> None:
        if isinstance(meta, MinLen):
            found["min_length"] = meta.min_length
        elif isinstance(meta, MaxLen):
            found["max_length"] = meta.max_length
        elif isinstance(meta, Ge):
            found["ge"] = meta.ge
        elif isinstance(meta, Le):
            found["le"] = meta.le
        elif getattr(meta, "pattern", None):
            found["pattern"] = meta.pattern
        for inner in getattr(meta, "metadata", ()) or ():
            visit(inner)

    def walk(annotation: Any) -> None:
        if typing.get_origin(annotation) is typing.Annotated:
            for meta in typing.get_args(annotation)[1:]:
                visit(meta)
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            for arg in typing.get_args(annotation):
                walk(arg)

    field = model.model_fields[name]
    for meta in field.metadata:
        visit(meta)
    walk(field.annotation)
    return found


def _key_limits(name: str) -> dict[str, Any]:
    """Limits on the keys of a dict field (answers, attributes)."""
    key_type = typing.get_args(ResponseIn.model_fields[name].annotation)[0]
    found: dict[str, Any] = {}
    for meta in typing.get_args(key_type)[1:]:
        for inner in getattr(meta, "metadata", ()):
            if isinstance(inner, MinLen):
                found["min_length"] = inner.min_length
            elif isinstance(inner, MaxLen):
                found["max_length"] = inner.max_length
    return found


SCORES = {n: (_limits(ResponseIn, n)["ge"], _limits(ResponseIn, n)["le"]) for n in SCORE_FIELDS}
_CODE = _limits(ResponseIn, "touchpoint")
_UNIT = _limits(ResponseIn, "unit")
_EXTERNAL_ID = _limits(ResponseIn, "external_id")
EXTERNAL_ID_MAX = _EXTERNAL_ID["max_length"]
_CUSTOMER_ID = _limits(CustomerRef, "external_id")
_EMAIL = _limits(CustomerRef, "email")
_ATTR_KEY = _key_limits("attributes")
_CHANNELS = frozenset(CHANNELS)
_SOURCES = frozenset(RESPONSE_SOURCES)
assert _limits(ResponseIn, "comment")["max_length"] == MAX_COMMENT_CHARS


def _storable(text: str) -> bool:
    """No NUL, no lone surrogate, already trimmed: what `ResponseIn` stores unchanged."""
    if "\x00" in text or text != text.strip():
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_ok(limits: dict[str, Any]) -> Callable[[Any], bool]:
    low, high = limits.get("min_length", 0), limits.get("max_length", 1 << 62)
    pattern = re.compile(limits["pattern"]) if "pattern" in limits else None

    def ok(value: Any) -> bool:
        return (
            type(value) is str
            and low <= len(value) <= high
            and _storable(value)
            and (pattern is None or pattern.fullmatch(value) is not None)
        )

    return ok


def _score_ok(name: str) -> Callable[[Any], bool]:
    low, high = SCORES[name]
    return lambda value: type(value) is int and low <= value <= high


def _time_ok(value: Any) -> bool:
    # Against the current clock, like ResponseIn; EARLIEST first keeps year 1 from overflowing.
    return (
        isinstance(value, datetime)
        and value.tzinfo is not None
        and EARLIEST <= value <= datetime.now(UTC) + CLOCK_SKEW
    )


def attribute_ok(key: Any, value: Any) -> bool:
    """One attribute as `ResponseIn` accepts it: a short key and a scalar value."""
    if type(key) is not str or not _attr_key_ok(key):
        return False
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_TEXT_CHARS and _storable(value)
    if kind is int:
        return -MAX_SAFE_INT <= value <= MAX_SAFE_INT
    if kind is float:
        return math.isfinite(value)
    return value is None or kind is bool


_attr_key_ok = _text_ok(_ATTR_KEY)
# Per column: does `ResponseIn` accept this (converted, non-empty) value as is?
FIELD_OK: dict[str, Callable[[Any], bool]] = {
    "touchpoint": _text_ok(_CODE),
    "unit": _text_ok(_UNIT),
    "channel": lambda value: type(value) is str and value in _CHANNELS,
    "external_id": _text_ok(_EXTERNAL_ID),
    "customer_id": _text_ok(_CUSTOMER_ID),
    "customer_email": _text_ok(_EMAIL),
    "nps": _score_ok("nps"),
    "csat": _score_ok("csat"),
    "ces": _score_ok("ces"),
    "comment": _text_ok({"max_length": MAX_COMMENT_CHARS}),
    "language": _text_ok(_limits(ResponseIn, "language")),
    "submitted_at": _time_ok,
}


def row_ok(p: dict[str, Any]) -> bool:
    """The rules across fields: an answer, few enough attributes, nothing only the schema knows."""
    if p.get("answers") or "survey" in p or p.get("source") not in _SOURCES:
        return False
    if len(p.get("attributes") or ()) > MAX_ATTRIBUTES:
        return False
    customer = p.get("customer")
    if customer is not None and not (customer.get("external_id") or customer.get("email")):
        return False
    comment = p.get("comment")
    return (
        p.get("nps") is not None
        or p.get("csat") is not None
        or p.get("ces") is not None
        or (type(comment) is str and bool(comment.strip()))
    )


_CUSTOMER_FIELDS = {"external_id": "customer_id", "email": "customer_email"}


def fast_valid(p: dict[str, Any]) -> bool:
    """True only if `ResponseIn` would accept the payload ``p`` unchanged.

    ``False`` means "ask `ResponseIn`", not "invalid". The importer applies the same
    `FIELD_OK` checks column by column as it converts, then `row_ok`.
    """
    for name, value in p.items():
        if name == "customer":
            if type(value) is not dict or set(value) - set(_CUSTOMER_FIELDS):
                return False
            if not all(v is None or FIELD_OK[_CUSTOMER_FIELDS[k]](v) for k, v in value.items()):
                return False
        elif name == "attributes":
            if type(value) is not dict or not all(attribute_ok(k, v) for k, v in value.items()):
                return False
        elif name in FIELD_OK:
            if value is not None and not FIELD_OK[name](value):
                return False
        elif name not in ("source", "answers"):
            return False
    return _time_ok(p.get("submitted_at")) and row_ok(p)


def schema_errors(p: dict[str, Any]) -> tuple[ResponseIn | None, list[tuple[str, str]]]:
    """Validate with `ResponseIn`; errors as (column, reason) in the file's column names."""
    try:
        return ResponseIn.model_validate(p), []
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            loc = [str(part) for part in err["loc"]]
            out.append((_column_for(loc), err["msg"].removeprefix("Value error, ")))
        return None, out


def _column_for(loc: list[str]) -> str:
    """Map a schema location back to the column a user wrote (customer.email → customer_email)."""
    if not loc:
        return ""
    if loc[0] == "customer":
        return "customer_email" if loc[1:2] == ["email"] else "customer_id"
    if loc[0] == "attributes" and len(loc) > 1:
        return loc[1]
    return loc[0]


class BadValue(Exception):
    """A cell that cannot be converted; the message is the reason."""


def to_text(value: Any) -> str | None:
    """A text cell, trimmed; empty → None. Numbers (an Excel id column) become their digits."""
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    if type(value) is int:
        return str(value)
    if type(value) is float:
        return repr(value)
    raise BadValue("must be text")


def to_lower_text(value: Any) -> str | None:
    """Codes people type in any case: channel, language, email."""
    text = to_text(value)
    return text.lower() if text else text


def to_score(value: Any) -> int | None:
    """A whole number from text or a number cell: "7" → 7; "7.5", "seven", 7.5 → error."""
    if value is None:
        return None
    if type(value) is int:
        return value
    if type(value) is str:
        text = value.strip()
        if not text:
            return None
        digits = text[1:] if text[0] in "+-" else text
        if digits.isdigit() and digits.isascii():
            return int(text)
    raise BadValue("must be a whole number")


def to_time(value: Any) -> datetime:
    """ISO 8601 with a time zone, or a date (→ midnight UTC). A time without a zone is refused:
    guessing the zone would shift every answer by hours."""
    if value is None or (type(value) is str and not value.strip()):
        raise BadValue("is required (ISO 8601 with a time zone, or a date)")
    if type(value) is str:
        text = value.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return datetime(day.year, day.month, day.day, tzinfo=UTC)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise BadValue(
                "is not an ISO 8601 date or time, e.g. 2024-05-01T10:00:00+03:00"
            ) from None
    elif isinstance(value, datetime):
        parsed = value
        if parsed.tzinfo is None and parsed.time() == datetime.min.time():
            return parsed.replace(tzinfo=UTC)  # an Excel date cell
    else:
        raise BadValue("must be a date or time")
    if parsed.tzinfo is None:
        raise BadValue("has no time zone; add one (2024-05-01T10:00:00+03:00 or …Z) or give a date")
    return parsed  # converted to UTC once validated: year 1 at +03:00 would overflow here


def sqlite_time(value: datetime) -> str:
    """UTC datetime → SQLAlchemy's SQLite text form (``2024-05-01 07:00:00.000000``)."""
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")
