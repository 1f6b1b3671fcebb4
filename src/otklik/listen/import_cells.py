"""The CSV fast path: a row of text cells, by position, straight to a stored row.

A CSV row arrives as the ``csv`` module's list of cells, in header order. Building a
``{column: cell}`` dict for it and walking that dict costs more than the rest of the
row's checking, so `CsvCells` reads the standard columns by position (one
`operator.itemgetter` call) and sends every cell through a per-column memo, a `Memo`:
``raw text → stored value``. A column such as ``touchpoint``, ``nps`` or ``region``
holds a few distinct values in a million rows, so each is converted, checked
(`FIELD_OK`, `attribute_ok`) and resolved (touchpoint and unit codes → ids) once, and
every other row is one dictionary lookup per cell. Times are the one column that is
often all distinct: they stop being remembered when nearly every row brings a new one
(remembering them then costs more than it saves), and the common UTC forms are cut from
the text instead of formatted.

The verdicts are `RowChecker`'s: only cells that pass are memoised, a check that
passed keeps passing (the "not in the future" bound only widens as the clock runs),
and any doubt — an unknown code, a bad number, a row with too many cells — returns
None so that `RowChecker` looks at the row cell by cell and words the errors.
``tests/listen/test_import_check.py`` holds both paths to the same stored rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from otklik.listen.import_rows import (
    EXTERNAL_ID_MAX,
    FIELD_OK,
    SCORE_FIELDS,
    BadValue,
    attribute_ok,
    sqlite_time,
    to_lower_text,
    to_score,
    to_text,
    to_time,
)
from otklik.listen.readers import STANDARD_COLUMNS
from otklik.listen.schemas import CLOCK_SKEW, EARLIEST, MAX_ATTRIBUTES

if TYPE_CHECKING:
    from otklik.listen.import_check import RowChecker

_STANDARD = frozenset(STANDARD_COLUMNS)
# Distinct values remembered per column before the memo starts over: memory stays bounded
# (a few MB a column), and 50k customers still fit.
MEMO_CAP = 1 << 16
_UTC_SUFFIXES = frozenset(("Z", "+00:00"))
# Distinct times seen by the line where the time memo decides whether it pays.
_TIME_SAMPLE = 4096
_EMPTY_JSON = "{}"


class Doubt(Exception):
    """A cell the fast path will not judge; the row goes to `RowChecker`'s cell-by-cell path."""


class Memo(dict):
    """``raw cell → stored value``; a miss is learned with ``learn``, which raises `Doubt`.

    A dict subclass so that a hit is one C-level lookup (``memo[cell]``) and only a miss
    runs Python (``__missing__``). At most `MEMO_CAP` values are kept; then it starts over.
    """

    __slots__ = ("learn",)

    def __init__(self, learn: Callable[[Any], Any]) -> None:
        super().__init__()
        self.learn = learn

    def __missing__(self, raw: Any) -> Any:
        value = self.learn(raw)
        if len(self) >= MEMO_CAP:
            self.clear()
        self[raw] = value
        return value


def _field(name: str, convert: Callable[[Any], Any]) -> Callable[[str], Any]:
    """The learner of a plain column: convert, then accept only what `FIELD_OK` accepts."""
    ok = FIELD_OK[name]

    def learn(raw: str) -> Any:
        try:
            value = convert(raw)
        except BadValue:
            raise Doubt from None
        if value is not None and not ok(value):
            raise Doubt
        return value

    return learn


class CsvCells:
    """`RowChecker`'s fast path for one CSV header: `row_function` checks one row.

    A row becomes the stored row (as `RowChecker._row` builds it) or None for "look closer".
    Shares the checker's within-file state (external ids seen, identical anonymous rows
    counted), so rows may take either path in any order.

    Cells that are judged together are memoised together: (touchpoint, unit, channel)
    resolve to ids and the default channel as one key, (nps, csat, ces) as another, each
    with its piece of the content hash already formatted.
    """

    def __init__(self, checker: RowChecker, keys: list[str]) -> None:
        self.checker = checker
        self.width = len(keys)
        absent = self.width  # index of the empty cell appended to every row
        index = {key: i for i, key in enumerate(keys)}

        def cells_of(*names: str) -> itemgetter:
            return itemgetter(*(index.get(name, absent) for name in names))

        self._main = cells_of(
            "submitted_at", "external_id", "customer_id", "customer_email", "comment", "language"
        )
        self._references = cells_of("touchpoint", "unit", "channel")
        self._scores = cells_of(*SCORE_FIELDS)
        self._attribute_keys = tuple(k for k in keys if k not in _STANDARD)
        positions = [index[k] for k in self._attribute_keys]
        self._attributes = itemgetter(*positions) if positions else None
        self._latest = datetime.now(UTC) + CLOCK_SKEW
        self._sqlite_text = checker.store_time is sqlite_time
        self._remember_times = True
        self._external_id = _field("external_id", to_text)
        self._touchpoint_code = _field("touchpoint", to_text)
        self._unit_code = _field("unit", to_text)
        self._channel = _field("channel", to_lower_text)
        self._score = {name: _field(name, to_score) for name in SCORE_FIELDS}
        self.memos = {
            "submitted_at": {},  # filled by `_learn_time`
            "customer_id": Memo(_field("customer_id", to_text)),
            "customer_email": Memo(_field("customer_email", to_lower_text)),
            "comment": Memo(_field("comment", to_text)),
            "language": Memo(_field("language", to_lower_text)),
            "references": Memo(self._learn_references),
            "scores": Memo(self._learn_scores),
            "attributes": Memo(self._learn_attributes),
        }
        self._memo_list = tuple(self.memos.values())

    @staticmethod
    def usable(keys: list[str]) -> bool:
        """Every column named: a value under an unnamed column is an issue the slow path reports."""
        return "" not in keys

    # --- learners: run once per distinct value ----------------------------------------------

    def _learn_time(self, raw: str, line: int) -> tuple[Any, str]:
        """(bind value, the text the content hash uses); a time is required.

        ``2024-05-01T10:00:00Z`` and ``…+00:00``, the common export forms, are already
        UTC: both texts are cut from the cell, which is ~10x cheaper than formatting the
        datetime, and the cell goes straight to ``datetime.fromisoformat``.
        """
        text = raw.strip()
        utc_form = (
            len(text) in (20, 25)
            and text[19:] in _UTC_SUFFIXES
            and text[4] == text[7] == "-"
            and text[10] in "T "
            and text[13] == text[16] == ":"
        )
        try:
            when = datetime.fromisoformat(text) if utc_form else to_time(text)
        except (BadValue, ValueError):
            raise Doubt from None
        # `FIELD_OK["submitted_at"]`, with "now" read again only when a time passes it.
        if not EARLIEST <= when <= self._latest:
            self._latest = datetime.now(UTC) + CLOCK_SKEW
            if not EARLIEST <= when <= self._latest:
                raise Doubt
        if utc_form:
            day_time = f"{text[:10]} {text[11:19]}"
            stored = day_time + ".000000" if self._sqlite_text else self.checker.store_time(when)
            timed = stored, day_time + "+00:00"
        else:
            when = when.astimezone(UTC)
            timed = self.checker.store_time(when), str(when)
        if self._remember_times:
            memo = self.memos["submitted_at"]
            if len(memo) >= MEMO_CAP:
                memo.clear()
            memo[raw] = timed
            if len(memo) == _TIME_SAMPLE and line < 2 * _TIME_SAMPLE:
                # Most rows so far brought a new time (to the second, say): remembering
                # them would only cost (~15% of a row's checking, measured).
                self._remember_times = False
                memo.clear()
        return timed

    def _learn_references(self, raw: tuple[str, str, str]) -> tuple[Any, ...]:
        """(touchpoint, unit, channel) cells → (touchpoint id, unit id, channel, hash text).

        The unit and channel default to the touchpoint's owner unit and channel, as in the API.
        """
        touchpoint_cell, unit_cell, channel_cell = raw
        touchpoint_id = unit_id = None
        channel = self._channel(channel_cell)
        code = self._touchpoint_code(touchpoint_cell)
        if code is not None:
            touchpoints = self.checker.touchpoints
            found = touchpoints.get(code.lower()) or touchpoints.get(code)
            if found is None:
                raise Doubt
            touchpoint_id, default_channel, unit_id = found
            channel = channel or default_channel
        code = self._unit_code(unit_cell)
        if code is not None:
            unit_id = self.checker.units.get(code.lower())
            if unit_id is None:
                raise Doubt
        return touchpoint_id, unit_id, channel, f"{touchpoint_id}\x1f{unit_id}\x1f{channel}"

    def _learn_scores(self, raw: tuple[str, str, str]) -> tuple[Any, ...]:
        """(nps, csat, ces) cells → (nps, csat, ces, hash text)."""
        nps, csat, ces = (self._score[n](cell) for n, cell in zip(SCORE_FIELDS, raw, strict=True))
        return nps, csat, ces, f"{nps}\x1f{csat}\x1f{ces}"

    def _learn_attributes(self, raw: Any) -> str:
        """The attribute cells of a row → their stored JSON (also what the hash reads)."""
        cells = raw if len(self._attribute_keys) > 1 else (raw,)
        found: dict[str, str] = {}
        for key, cell in zip(self._attribute_keys, cells, strict=True):
            text = cell.strip()
            if text:
                if not attribute_ok(key, text):
                    raise Doubt
                found[key] = text
        if len(found) > MAX_ATTRIBUTES:
            raise Doubt
        if not found:
            return _EMPTY_JSON
        return orjson.dumps(found, option=orjson.OPT_SORT_KEYS).decode()

    # --- the row ----------------------------------------------------------------------------

    def row_function(self) -> Callable[[int, list[str]], list | None]:
        """``(line, cells) → stored row or None``, with everything it reads bound locally.

        A closure rather than a method: at a few µs a row, attribute look-ups on ``self``
        are a noticeable share.
        """
        checker = self.checker
        external_ids, anonymous_key = checker.external_ids, checker.anonymous_key
        source, received = checker.source, checker.received
        width, main, references_of, scores_of = (
            self.width, self._main, self._references, self._scores
        )  # fmt: skip
        attributes_of = self._attributes
        memos = self.memos
        m_time, learn_time = memos["submitted_at"], self._learn_time
        m_customer, m_email = memos["customer_id"], memos["customer_email"]
        m_comment, m_language = memos["comment"], memos["language"]
        m_references, m_scores, m_attributes = (
            memos["references"], memos["scores"], memos["attributes"]
        )  # fmt: skip
        full_external_id, longest_id = self._external_id, EXTERNAL_ID_MAX
        sha256, empty = hashlib.sha256, _EMPTY_JSON

        def row(line: int, cells: list[str]) -> list | None:
            if len(cells) != width:
                return None
            cells.append("")  # what an absent standard column reads
            try:
                time_cell, external_id, customer_cell, email_cell, comment_cell, language_cell = (
                    main(cells)
                )
                timed = m_time.get(time_cell)
                stored_time, when = timed if timed is not None else learn_time(time_cell, line)
                touchpoint_id, unit_id, channel, references = m_references[references_of(cells)]
                nps, csat, ces, scores = m_scores[scores_of(cells)]
                customer_id = m_customer[customer_cell]
                email = m_email[email_cell]
                comment = m_comment[comment_cell]
                language = m_language[language_cell]
                attributes = m_attributes[attributes_of(cells)] if attributes_of else empty
                # Distinct on every row, so not memoised; plain ASCII ids skip the full check.
                external_id = external_id.strip()
                if not external_id:
                    external_id = None
                elif (
                    len(external_id) > longest_id
                    or not external_id.isascii()
                    or "\x00" in external_id
                ):
                    external_id = full_external_id(external_id)
            except Doubt:
                return None
            finally:
                cells.pop()
            if nps is None and csat is None and ces is None and comment is None:
                return None
            if external_id is not None and external_ids.setdefault(hash(external_id), line) != line:
                return None  # a repeated id: the slow path words the error
            # The content string every version hashed (see `RowChecker._row`).
            digest = sha256(
                f"{when}\x1f{external_id}\x1f{customer_id}\x1f{email}\x1f{references}\x1f{scores}"
                f"\x1f{comment}\x1f{language}\x1f{attributes}{{}}".encode()
            ).hexdigest()
            return [
                touchpoint_id, unit_id, channel, source, empty, attributes, nps, csat, ces, comment,
                language, stored_time, received,
                anonymous_key(digest) if external_id is None else None, external_id, digest,
                (customer_id, email) if customer_id or email else None,
            ]  # fmt: skip

        return row
