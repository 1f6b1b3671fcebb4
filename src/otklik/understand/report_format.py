"""``otklik report`` output: the breakdown as an aligned table, JSON or CSV.

JSON is an array of objects: the group keys, ``n``, ``value``, ``ci_low``,
``ci_high`` (and for NPS ``promoters``, ``passives``, ``detractors``) — the
contract scripts rely on. CSV has the same columns.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

from otklik.errors import ValidationFailed
from otklik.understand.metrics import METRICS, validate_by
from otklik.understand.report import Breakdown

FORMATS = ("table", "json", "csv")


def parse_report_args(
    *, metric: str, by: str, date_from: str | None, date_to: str | None, fmt: str, today: date
) -> tuple[tuple[str, ...], datetime, datetime]:
    """Validate the command's arguments; one readable error each. ``--to`` is inclusive."""
    if metric not in METRICS:
        raise ValidationFailed(f"metric: unknown {metric!r} (one of {', '.join(METRICS)})")
    if fmt not in FORMATS:
        raise ValidationFailed(f"--format: unknown {fmt!r} (one of {', '.join(FORMATS)})")
    dims = validate_by([d.strip() for d in by.split(",") if d.strip()]) if by else ()
    end = _day(date_to, "--to") if date_to else today
    start = _day(date_from, "--from") if date_from else end - timedelta(days=364)
    if start > end:
        raise ValidationFailed("--from must not be after --to")
    since = datetime(start.year, start.month, start.day, tzinfo=UTC)
    until = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    return dims, since, until


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{name}: {text!r} is not a date like 2024-03-31") from None


def render(report: Breakdown, fmt: str) -> str:
    rows = [r.flat(report.metric) for r in report.rows] if report.by else [
        report.total.flat(report.metric)
    ]  # fmt: skip
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    columns = list(rows[0]) if rows else [*report.by, "n", "value", "ci_low", "ci_high"]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(x) for x in [c, *(row[i] for row in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for row in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    lines.append(
        f"{report.metric.upper()} ({report.unit}), 95% CI; values need n ≥ {report.min_n}; "
        f"{report.since:%Y-%m-%d} – {(report.until - timedelta(days=1)):%Y-%m-%d}"
    )
    return "\n".join(lines)


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def export_rows(rows: list[dict], fmt: str, *, columns: list[str]) -> tuple[bytes, str]:
    """Rows (``Row.flat``) as CSV, XLSX or Parquet bytes, and the media type."""
    cols = list(rows[0]) if rows else columns
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().encode("utf-8-sig"), MEDIA_TYPES[fmt]  # BOM: Excel reads UTF-8
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("breakdown")
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue(), MEDIA_TYPES[fmt]
    if fmt == "parquet":
        return _parquet(rows, cols), MEDIA_TYPES[fmt]
    raise ValidationFailed(f"format: unknown {fmt!r} (csv, xlsx, parquet)", field="format")


def _parquet(rows: list[dict], cols: list[str]) -> bytes:
    import tempfile
    from pathlib import Path

    from otklik.understand.engine import duck

    con = duck.connection().cursor()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "rows.json", Path(tmp) / "rows.parquet"
        source.write_text(json.dumps(rows, ensure_ascii=False, default=str))
        select = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
        try:
            if rows:
                con.execute(
                    f"COPY (SELECT {select} FROM read_json('{source}', format='array')) "
                    f"TO '{target}' (FORMAT parquet)"
                )
            else:
                con.execute(
                    f"COPY (SELECT {', '.join(f'NULL::VARCHAR AS {c}' for c in select.split(', '))}"
                    f" WHERE false) TO '{target}' (FORMAT parquet)"
                )
        finally:
            con.close()
        return target.read_bytes()
