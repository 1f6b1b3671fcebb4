"""Analyse a CSV file of comments into a CSV of results, without a database.

Backs `otklik text analyze`. Input is decoded strictly as UTF-8 (a BOM is
fine): a file that is not UTF-8 is refused with the line where it breaks,
rather than analysed as garbage.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from otklik.errors import ValidationFailed
from otklik.understand.text.mentions import Employee, EmployeeDirectory
from otklik.understand.text.taxonomy import Taxonomy

OUTPUT_COLUMNS = ("id", "language", "sentiment", "sentiment_score", "themes", "redacted_text")
DETAIL_COLUMNS = ("truncated", "pii", "mentions")


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV file as dicts, or a ValidationFailed naming the problem."""
    if not path.is_file():
        raise ValidationFailed(f"{path}: no such file", field="file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            f"{path}: line {line} is not valid UTF-8; save the file as UTF-8", field="file"
        ) from exc
    return list(csv.DictReader(io.StringIO(text, newline="")))


def load_directory(path: Path) -> EmployeeDirectory:
    """Employees from a CSV with columns id, name and optional aliases ('|'-separated)."""
    rows = read_csv_rows(path)
    if rows and not {"id", "name"} <= set(rows[0]):
        raise ValidationFailed(f"{path}: needs columns 'id' and 'name'", field="employees")
    return EmployeeDirectory(
        Employee(
            r["id"],
            r["name"],
            tuple(a.strip() for a in (r.get("aliases") or "").split("|") if a.strip()),
        )
        for r in rows
    )


def load_taxonomy(path: Path) -> Taxonomy:
    try:
        return Taxonomy.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ValidationFailed(
            f"{path}: not a readable taxonomy JSON ({exc})", field="taxonomy"
        ) from exc


def analyze_csv(
    *,
    source: Path,
    out: Path,
    analyzer,
    text_column: str = "text",
    id_column: str = "id",
    details: bool = False,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write one result row per input row to `out`; returns the number of rows."""
    rows = read_csv_rows(source)
    columns = set(rows[0]) if rows else set()
    for name, option in ((text_column, "--text-column"), (id_column, "--id-column")):
        if rows and name not in columns:
            raise ValidationFailed(
                f"{source}: no column {name!r} ({option}); columns are: "
                + ", ".join(sorted(c for c in columns if c)),
                field=option,
            )
    header = OUTPUT_COLUMNS + (DETAIL_COLUMNS if details else ())
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        batches = [rows[start : start + batch_size] for start in range(0, len(rows), batch_size)]
        texts = ([r.get(text_column) or "" for r in batch] for batch in batches)
        for batch, results in zip(batches, analyzer.analyze_batches(texts), strict=True):
            for row, result in zip(batch, results, strict=True):
                writer.writerow({"id": row.get(id_column, ""), **result.to_row()})
            if progress:
                progress(len(batch))
    return len(rows)
