"""Turn one file row into the values `ResponseWriter` stores, or into row errors.

Two paths give the same verdict (``tests/listen/test_import_check.py`` compares them):

* the **fast path** handles rows whose cells are all text and plainly valid. Every
  cell goes through a per-column memo ``raw text → stored value``: a column such as
  ``touchpoint``, ``nps`` or ``region`` holds a few distinct values in a million rows,
  so each is converted, checked (`FIELD_OK`, `attribute_ok`) and resolved (touchpoint
  and unit codes → ids) once, and the rest is a dict lookup. Only values that passed
  are memoised, and a check that passed keeps passing (the "not in the future" bound
  only widens as the clock runs), so a memo hit is as good as checking again.
* the **slow path** — anything else (typed JSONL/XLSX cells, reader issues, any doubt)
  — converts cell by cell and lets `ResponseIn`, the API's schema, decide and word the
  messages.

CSV rows skip the ``{column: cell}`` dict altogether: `cells` gives the same fast path
by position (`import_cells.CsvCells`), ~5 µs of CPU a row on the bench's rows where this
dict path takes ~17 µs and the cell-by-cell path ~33 µs (shared, loaded machine).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.listen.import_cells import CsvCells
from otklik.listen.import_rows import (
    FIELD_OK,
    SCORE_FIELDS,
    BadValue,
    attribute_ok,
    row_ok,
    schema_errors,
    to_lower_text,
    to_score,
    to_text,
    to_time,
)
from otklik.listen.models import Touchpoint
from otklik.listen.schemas import MAX_ATTRIBUTES
from otklik.org.models import Unit

# Column → (convert the cell, does ResponseIn surely accept the converted value?).
COLUMNS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], bool]]] = {
    "submitted_at": (to_time, FIELD_OK["submitted_at"]),
    "channel": (to_lower_text, FIELD_OK["channel"]),
    "language": (to_lower_text, FIELD_OK["language"]),
    "customer_email": (to_lower_text, FIELD_OK["customer_email"]),
    **{n: (to_score, FIELD_OK[n]) for n in SCORE_FIELDS},
    **{
        n: (to_text, FIELD_OK[n])
        for n in ("external_id", "customer_id", "touchpoint", "unit", "comment")
    },
}
_STANDARD = frozenset(COLUMNS)
_MISS = object()
# Columns whose values are (nearly) all distinct: a memo would only cost.
_UNIQUE_COLUMNS = frozenset(("submitted_at", "external_id"))
_UNIQUE: dict[str, Any] = {}  # shared, always empty
# Distinct values remembered per column; a column of unique values (external_id) just
# starts over when full, so memory stays bounded (~13 columns × 32k short strings).
_MEMO_CAP = 1 << 15
_EMPTY_JSON = b"{}"
# Position of the customer key in a stored row; `ResponseWriter` swaps in the id.
CUSTOMER = 16


@dataclass(slots=True)
class RowError:
    """One problem in one cell (or the whole row when ``column`` is empty)."""

    line: int
    column: str
    value: str
    reason: str


class RowChecker:
    """Turns ``{column: cell}`` into a row list for `ResponseWriter`, or a list of errors.

    A stored row is a list in `import_writer.COLUMNS` order whose item ``CUSTOMER`` is
    ``(customer external id, email)`` (or None) until the writer resolves it to an id.
    ``store_time`` turns the UTC ``submitted_at`` into the driver's bind value, once, here.
    """

    def __init__(
        self,
        *,
        session: Session,
        source: str,
        received: Any = None,
        store_time: Callable[[datetime], Any] = lambda value: value,
    ) -> None:
        self.source = source
        self.received = received
        self.store_time = store_time
        found = session.execute(
            select(Touchpoint.code, Touchpoint.name, Touchpoint.id, Touchpoint.channel,
                   Touchpoint.owner_unit_id)
        ).all()  # fmt: skip
        # Touchpoint → (id, channel, owner unit): the defaults of a response, as in the API.
        # Codes (any case) win over exact names when a name happens to equal another code.
        self.touchpoints = {name: tuple(rest) for _, name, *rest in found}
        self.touchpoints.update({code.lower(): tuple(rest) for code, _, *rest in found})
        units = session.execute(select(Unit.id, Unit.code))
        self.units = {code.lower(): unit_id for unit_id, code in units}
        # Within the file: hash(external_id) → first line; content hash → identical rows.
        self.external_ids: dict[int, int] = {}
        self._contents: dict[bytes, int] = {}
        self._memos: dict[str, dict[str, Any]] = {}

    def check(
        self, line: int, raw: dict[str, Any], issues: list[tuple[str, str, str]]
    ) -> tuple[list | None, list[RowError]]:
        """Convert and validate one row; every problem is reported, not just the first."""
        if not issues:
            row = self._fast(line, raw)
            if row is not None:
                return row, []
        return self._slow(line, raw, issues)

    # --- the fast path ----------------------------------------------------------------

    def _fast(self, line: int, raw: dict[str, Any]) -> list | None:
        """The stored row when every cell is text and plainly valid; None means "look closer"."""
        memos, standard = self._memos, _STANDARD
        p: dict[str, Any] = {}
        attributes: dict[str, str] = {}
        for key, value in raw.items():
            if type(value) is not str:
                return None
            memo = memos.get(key)
            if memo is None:
                memo = memos[key] = {} if key not in _UNIQUE_COLUMNS else _UNIQUE
            known = memo.get(value, _MISS)
            if known is _MISS:
                known = self._learn(key, value)
                if known is _MISS:
                    return None
                if len(memo) >= _MEMO_CAP:
                    memo.clear()
                if memo is not _UNIQUE:
                    memo[value] = known
            if known is not None:
                if key in standard:
                    p[key] = known
                else:
                    attributes[key] = known
        when = p.get("submitted_at")
        nps, csat, ces, comment = p.get("nps"), p.get("csat"), p.get("ces"), p.get("comment")
        if (
            when is None
            or (nps is None and csat is None and ces is None and comment is None)
            or len(attributes) > MAX_ATTRIBUTES
        ):
            return None
        touchpoint_id = default_channel = unit_id = None
        touchpoint = p.get("touchpoint")
        if touchpoint is not None:
            touchpoint_id, default_channel, unit_id = touchpoint
        unit = p.get("unit")
        if unit is not None:
            unit_id = unit
        customer_id, email = p.get("customer_id"), p.get("customer_email")
        external_id = p.get("external_id")
        if external_id is not None:
            first = self.external_ids.setdefault(hash(external_id), line)
            if first != line:
                return None  # the slow path words the error
        return self._row(
            when, external_id, (customer_id, email) if customer_id or email else None,
            touchpoint_id, unit_id, p.get("channel") or default_channel, nps, csat, ces,
            comment, p.get("language"),
            orjson.dumps(attributes, option=orjson.OPT_SORT_KEYS) if attributes else _EMPTY_JSON,
            _EMPTY_JSON,
        )  # fmt: skip

    def _learn(self, key: str, value: str) -> Any:
        """A cell's stored value (None when empty), or ``_MISS`` when it needs a closer look."""
        column = COLUMNS.get(key)
        if column is None:
            text = value.strip()
            if not text:
                return None
            return text if attribute_ok(key, text) else _MISS
        convert, ok = column
        try:
            converted = convert(value)
        except BadValue:
            return _MISS
        if converted is None:
            return None
        if not ok(converted):
            return _MISS
        if key == "submitted_at":
            # ok() compared with the current clock; a value that passed stays valid.
            return converted.astimezone(UTC)
        if key == "touchpoint":
            found = self.touchpoints.get(converted.lower()) or self.touchpoints.get(converted)
            return _MISS if found is None else found
        if key == "unit":
            return self.units.get(converted.lower(), _MISS)
        return converted

    # --- shared: the stored row --------------------------------------------------------

    def _row(
        self, when: datetime, external_id: str | None, customer: tuple | None,
        touchpoint_id: int | None, unit_id: int | None, channel: str | None, nps: int | None,
        csat: int | None, ces: int | None, comment: str | None, language: str | None,
        attributes: bytes, answers: bytes,
    ) -> list:  # fmt: skip
        """The row in `import_writer.COLUMNS` order, with its content hash and idempotency key.

        The content string is the one every earlier version hashed, so re-importing a file
        imported before still finds its rows.
        """
        customer_id, email = customer if customer is not None else (None, None)
        content = (
            (
                f"{when}\x1f{external_id}\x1f{customer_id}\x1f{email}\x1f{touchpoint_id}"
                f"\x1f{unit_id}\x1f{channel}\x1f{nps}\x1f{csat}\x1f{ces}\x1f{comment}\x1f{language}\x1f"
            ).encode()
            + attributes
            + answers
        )
        digest = hashlib.sha256(content).hexdigest()
        key = None if external_id is not None else self.anonymous_key(digest)
        return [
            touchpoint_id, unit_id, channel, self.source, answers.decode(), attributes.decode(),
            nps, csat, ces, comment, language, self.store_time(when), self.received, key,
            external_id, digest, customer,
        ]  # fmt: skip

    def anonymous_key(self, digest: str) -> str:
        """The idempotency key of a row without ``external_id``, from its content hash.

        The n-th identical anonymous row gets the n-th key: two customers may well give
        the same answers on the same day, and a re-import must not add a third.
        """
        seen = self._contents.get(digest, 0)
        self._contents[digest] = seen + 1
        return f"import:{digest}:{seen + 1}" if seen else f"import:{digest}"

    def cells(self, keys: list[str]) -> Callable[[int, list[str]], list | None] | None:
        """The positional fast path for a CSV with these column keys, if it applies:
        ``(line, cells) → stored row``, or None when the row needs `check`."""
        return CsvCells(self, keys).row_function() if CsvCells.usable(keys) else None

    # --- the slow path -----------------------------------------------------------------

    def _slow(
        self, line: int, raw: dict[str, Any], issues: list[tuple[str, str, str]]
    ) -> tuple[list | None, list[RowError]]:
        errors = [RowError(line, c, v, r) for c, v, r in issues]
        p: dict[str, Any] = {"source": self.source}
        attributes: dict[str, Any] = {}
        surely_valid = True
        for key, value in raw.items():
            column = COLUMNS.get(key)
            if column is not None:
                convert, ok = column
                try:
                    value = convert(value)
                except BadValue as exc:
                    errors.append(RowError(line, key, show(value), f"{key} {exc}"))
                    continue
                if value is not None:
                    p[key] = value
                    surely_valid = surely_valid and ok(value)
            elif key in ("attributes", "answers") and type(value) is dict:  # JSONL objects
                for k, v in value.items():
                    v = v.strip() if type(v) is str else v
                    (attributes if key == "attributes" else p.setdefault("answers", {}))[k] = v
                    surely_valid = surely_valid and key == "attributes" and attribute_ok(k, v)
            elif type(value) is str:
                value = value.strip()
                if value:
                    attributes[key] = value
                    surely_valid = surely_valid and attribute_ok(key, value)
            elif value is not None:
                attributes[key] = value
                surely_valid = surely_valid and attribute_ok(key, value)
        if "submitted_at" not in p and not any(e.column == "submitted_at" for e in errors):
            errors.append(RowError(line, "submitted_at", "", "submitted_at is required"))
        customer_id, email = p.pop("customer_id", None), p.pop("customer_email", None)
        if customer_id is not None or email is not None:
            p["customer"] = {"external_id": customer_id} if customer_id is not None else {}
            if email is not None:
                p["customer"]["email"] = email
        if attributes:
            p["attributes"] = attributes
        if not errors and surely_valid and row_ok(p):
            return self._resolve(line, p)
        # The shared schema decides and words the messages.
        bad = {e.column for e in errors}
        model, problems = schema_errors({k: v for k, v in p.items() if k not in bad})
        errors += [
            RowError(line, c, show(raw.get(c, "")), r)
            for c, r in problems
            if not (bad and (not c or c in bad))  # skip knock-on errors of a bad cell
        ]
        if errors:
            self._references(line, p, errors)
            return None, errors
        p = model.model_dump(exclude={"survey"}, exclude_none=True)
        if "customer" in p:
            keep = ("external_id", "email")
            p["customer"] = {k: v for k, v in p["customer"].items() if k in keep}
        return self._resolve(line, p)

    def _references(
        self, line: int, p: dict[str, Any], errors: list[RowError]
    ) -> tuple[int | None, str | None, int | None]:
        """(touchpoint id, channel, unit id); channel and unit default to the touchpoint's."""
        touchpoint_id = unit_id = None
        channel = p.get("channel")
        code = p.get("touchpoint")
        if type(code) is str:
            found = self.touchpoints.get(code.lower()) or self.touchpoints.get(code)
            if found is None:
                errors.append(RowError(line, "touchpoint", code, f"unknown touchpoint '{code}'"))
            else:
                touchpoint_id, default_channel, unit_id = found
                channel = channel or default_channel
        code = p.get("unit")
        if type(code) is str:
            unit_id = self.units.get(code.lower())
            if unit_id is None:
                errors.append(RowError(line, "unit", code, f"unknown unit '{code}'"))
        return touchpoint_id, channel, unit_id

    def _resolve(self, line: int, p: dict[str, Any]) -> tuple[list | None, list[RowError]]:
        """References and duplicates within the file, then the stored row."""
        errors: list[RowError] = []
        touchpoint_id, channel, unit_id = self._references(line, p, errors)
        external_id = p.get("external_id")
        if external_id is not None:
            first = self.external_ids.setdefault(hash(external_id), line)
            if first != line:
                reason = f"external_id repeats line {first}"
                errors.append(RowError(line, "external_id", external_id, reason))
        if errors:
            return None, errors
        customer = p.get("customer")
        if customer is not None:
            customer = (customer.get("external_id"), customer.get("email"))
        return self._row(
            p["submitted_at"].astimezone(UTC), external_id, customer, touchpoint_id, unit_id,
            channel, p.get("nps"), p.get("csat"), p.get("ces"), p.get("comment"),
            p.get("language"),
            orjson.dumps(p.get("attributes") or {}, option=orjson.OPT_SORT_KEYS),
            orjson.dumps(p.get("answers") or {}, option=orjson.OPT_SORT_KEYS),
        ), []  # fmt: skip


def show(value: Any) -> str:
    """A cell as the error report shows it: text, at most 200 characters."""
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:199] + "…"
