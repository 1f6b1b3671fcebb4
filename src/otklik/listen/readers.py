"""Read response files — CSV, XLSX, JSONL — as ``(line, {column: value}, issues)``.

Each reader reports the line a user sees in their editor (header = 1 for CSV and
XLSX; the first line = 1 for JSONL) so the error report can point at it, and turns
the mess real exports bring (Excel's BOM and ``;`` delimiter, invalid UTF-8, stray
cells) into row issues instead of tracebacks. Standard column names are matched
case-insensitively and trimmed; other names are kept trimmed as written, because
they become attribute keys.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import orjson

from otklik.errors import NotFound, ValidationFailed

STANDARD_COLUMNS = (
    "submitted_at",
    "external_id",
    "customer_id",
    "customer_email",
    "touchpoint",
    "channel",
    "unit",
    "nps",
    "csat",
    "ces",
    "comment",
    "language",
)
_STANDARD = frozenset(STANDARD_COLUMNS)
FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# Long comments are an error for the validator to report, not a csv.Error that stops the file.
_FIELD_LIMIT = 16 * 1024 * 1024

# (column, value, reason); the caller adds the line.
Issue = tuple[str, str, str]
Row = tuple[int, dict[str, Any], list[Issue]]


def column_key(name: str) -> str:
    """The key a column is stored under: a standard name in lower case, else the trimmed name."""
    name = name.strip().lstrip("\ufeff").strip()
    lower = name.lower()
    return lower if lower in _STANDARD else name


class RowFile:
    """Base of the readers: rows, plus ``done``/``total`` for a progress bar."""

    total: int = 0

    def done(self) -> int:
        return 0

    def estimate(self, rows_read: int) -> int:
        """Rows in the whole file, guessed from the share of ``total`` read so far."""
        done = self.done()
        return max(rows_read, round(rows_read * self.total / done)) if done else rows_read

    def __iter__(self) -> Iterator[Row]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        pass


def open_rows(path: Path) -> RowFile:
    """Open ``path`` with the reader its extension names; file-level problems raise one line."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        hint = " (save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise ValidationFailed(
            f"unsupported file type '{path.suffix or path.name}'{hint}: use .csv, .xlsx or .jsonl",
            field="file",
        )
    if not path.is_file():
        raise NotFound(f"file not found: {path}")
    if kind == "csv":
        return CsvRows(path)
    if kind == "xlsx":
        return XlsxRows(path)
    return JsonlRows(path)


def _header(path: Path, names: list[str]) -> list[str]:
    """Column keys for a header row; unnamed columns are ``""``, repeated names are an error."""
    keys = [column_key(n) if n is not None else "" for n in names]
    seen: set[str] = set()
    for key in keys:
        folded = key.casefold()
        if key and folded in seen:
            raise ValidationFailed(f"{path.name}: column '{key}' appears twice in the header")
        seen.add(folded)
    if not any(keys):
        raise ValidationFailed(f"{path.name}: the first line must name the columns")
    return keys


def _cells_to_row(keys: list[str], cells: list | tuple, issues: list[Issue]) -> dict[str, Any]:
    """Pair cells with column keys; a value under no header or past the last column is an issue."""
    if len(cells) > len(keys):
        extra = [c for c in cells[len(keys) :] if c not in (None, "")]
        if extra:
            issues.append(("", str(extra[0]), f"row has {len(cells)} cells, header {len(keys)}"))
    row = dict(zip(keys, cells, strict=False))
    if "" in row:
        value = row.pop("")
        if value not in (None, "") and not (isinstance(value, str) and not value.strip()):
            issues.append(("", str(value), "value in a column without a name in the header"))
    return row


class CsvRows(RowFile):
    """CSV with a header; UTF-8 with or without BOM; delimiter ``,`` ``;`` or tab, detected."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = path.stat().st_size
        self._fh = path.open("rb")
        first = self._fh.readline()
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._fh.close()
            raise ValidationFailed(
                f"{path.name} is UTF-16 text; save it as 'CSV UTF-8' instead", field="file"
            )
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8) :]
        try:
            header = first.decode("utf-8")
        except UnicodeDecodeError:
            self._fh.close()
            raise ValidationFailed(
                f"{path.name}: the header line is not valid UTF-8; save the file as 'CSV UTF-8'",
                field="file",
            ) from None
        if not header.strip():
            self._fh.close()
            raise ValidationFailed(f"{path.name} is empty: the first line must name the columns")
        self._bad_lines: set[int] = set()
        self.delimiter = _detect_delimiter(header)
        csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
        self._reader = csv.reader(self._lines(header), delimiter=self.delimiter)
        try:
            names = next(self._reader)
        except StopIteration:
            self._fh.close()
            raise ValidationFailed(f"{path.name} is empty", field="file") from None
        self.keys = _header(path, names)

    def _lines(self, first: str) -> Iterator[str]:
        """Decode line by line so one bad byte marks one row, not the whole file."""
        yield first
        number = 1
        for raw in self._fh:
            number += 1
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self._bad_lines.add(number)
                yield raw.decode("utf-8", "replace")

    def done(self) -> int:
        return self._fh.tell()

    def records(self) -> Iterator[tuple[int, list[str], tuple[Issue, ...]]]:
        """``(line, cells, issues)`` with the cells as the csv module gives them, in `keys`
        order: the importer's fast path reads them by position. Pass a row to `as_row`
        for the ``{column: value}`` form. ``issues`` is empty unless the line had bad bytes.
        """
        reader, bad = self._reader, self._bad_lines
        end = reader.line_num
        none: tuple[Issue, ...] = ()
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ValidationFailed(
                    f"{self.path.name}, line {reader.line_num}: {exc}", field="file"
                ) from None
            start, end = end + 1, reader.line_num
            if not any(cells):
                continue
            if bad and any(n in bad for n in range(start, end + 1)):
                reason = "not valid UTF-8; save the file as 'CSV UTF-8'"
                yield start, cells, (("", _first_replaced(cells), reason),)
            else:
                yield start, cells, none

    def as_row(
        self, cells: list[str], issues: tuple[Issue, ...]
    ) -> tuple[dict[str, Any], list[Issue]]:
        """A record as ``({column: value}, issues)``, as iterating the file yields it."""
        found = list(issues)
        return _cells_to_row(self.keys, cells, found), found

    def __iter__(self) -> Iterator[Row]:
        for line, cells, issues in self.records():
            row, found = self.as_row(cells, issues)
            yield line, row, found

    def close(self) -> None:
        self._fh.close()


def _detect_delimiter(header: str) -> str:
    """The most frequent of ``,`` ``;`` tab in the header (Excel uses ``;`` in many locales)."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _first_replaced(cells: list[str]) -> str:
    return next((c for c in cells if "\ufffd" in c), "")[:200]


class XlsxRows(RowFile):
    """The first sheet of an XLSX workbook; row 1 is the header."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self.path = path
        try:
            self._wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ValidationFailed(
                f"{path.name} is not a readable XLSX workbook ({exc})", field="file"
            ) from None
        sheet = self._wb.worksheets[0]
        self.total = sheet.max_row or 0
        self._rows = sheet.iter_rows(values_only=True)
        try:
            names = next(self._rows)
        except StopIteration:
            self._wb.close()
            raise ValidationFailed(f"{path.name}: the first sheet is empty", field="file") from None
        self.keys = _header(path, [None if n is None else str(n) for n in names])
        self._line = 1

    def done(self) -> int:
        return self._line

    def estimate(self, rows_read: int) -> int:
        return max(rows_read, self.total - 1)

    def __iter__(self) -> Iterator[Row]:
        keys = self.keys
        # Attributes are text, as in a CSV: a number-formatted "order id" stays "1042".
        as_text = [k not in _STANDARD for k in keys]
        for line, cells in enumerate(self._rows, start=2):
            self._line = line
            if all(c is None or c == "" for c in cells):
                continue
            issues: list[Issue] = []
            values = [_xlsx_value(c) for c in cells]
            for i, text in enumerate(as_text):
                if text and i < len(values) and values[i] is not None:
                    value = values[i]
                    values[i] = value.isoformat() if isinstance(value, datetime) else str(value)
            row = _cells_to_row(keys, values, issues)
            yield line, row, issues

    def close(self) -> None:
        self._wb.close()


def _xlsx_value(value: Any) -> Any:
    """Excel keeps integers as floats at times and dates as naive datetimes; undo the first."""
    if type(value) is float and value.is_integer():
        return int(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


class JsonlRows(RowFile):
    """One JSON object per line; keys are columns, plus optional ``answers``/``attributes``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = path.stat().st_size
        self._fh = path.open("rb")

    def done(self) -> int:
        return self._fh.tell()

    def __iter__(self) -> Iterator[Row]:
        for line, raw in enumerate(self._fh, start=1):
            if line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            issues: list[Issue] = []
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                issues.append(("", _snippet(raw), f"not valid JSON: {exc}"))
                yield line, {}, issues
                continue
            if not isinstance(obj, dict):
                issues.append(("", _snippet(raw), "each line must be a JSON object"))
                yield line, {}, issues
                continue
            row: dict[str, Any] = {}
            for name, value in obj.items():
                key = column_key(name)
                if key in row or not key:
                    issues.append((name, "", "key is empty or repeats another key"))
                    continue
                row[key] = value
            yield line, row, issues

    def close(self) -> None:
        self._fh.close()


def _snippet(raw: bytes) -> str:
    return raw[:200].decode("utf-8", "replace").strip()
