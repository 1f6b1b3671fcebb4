"""Calendar periods (day, week, month, quarter) in SQL every engine runs, and their labels.

The query layer groups by the *start date* of a period. Engines spell that
differently (SQLite has no ``date_trunc``), so ``period_start`` is one
SQLAlchemy expression compiled per dialect: SQLite, PostgreSQL and DuckDB
here, ClickHouse (``toStartOfMonth`` …) later. Periods are in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, Literal

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

Grain = Literal["day", "week", "month", "quarter"]
GRAINS: tuple[str, ...] = ("day", "week", "month", "quarter")


class period_start(FunctionElement):
    """``period_start(column, grain)``: the first day (UTC) of the period containing ``column``."""

    type = Date()
    inherit_cache = True
    name = "period_start"
    # The grain is rendered into the SQL, so it must be part of the compiled-SQL cache key;
    # without it a month query's SQL would be reused for the next week query.
    _traverse_internals: ClassVar[list] = [
        *FunctionElement._traverse_internals,
        ("grain", InternalTraversal.dp_string),
    ]

    def __init__(self, column, grain: str) -> None:
        if grain not in GRAINS:
            raise ValueError(f"unknown period {grain!r}")
        self.grain = grain
        super().__init__(column)


@compiles(period_start)
def _period_start_default(element, compiler, **kw):  # PostgreSQL and DuckDB spell it alike
    (column,) = element.clauses
    col = compiler.process(column, **kw)
    if compiler.dialect.name == "postgresql":
        col = f"({col} AT TIME ZONE 'UTC')"  # timestamptz → UTC wall time before truncating
    return f"CAST(date_trunc('{element.grain}', {col}) AS DATE)"


@compiles(period_start, "sqlite")
def _period_start_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    col = compiler.process(column, **kw)  # stored as UTC text, 'YYYY-MM-DD HH:MM:SS…'
    if element.grain == "day":
        return f"date({col})"
    if element.grain == "week":  # Monday: next Sunday (or today), then back six days
        return f"date({col}, 'weekday 0', '-6 days')"
    if element.grain == "month":
        return f"date({col}, 'start of month')"
    return (
        f"date({col}, 'start of month', "
        f"printf('-%d months', (CAST(strftime('%m', {col}) AS INTEGER) - 1) % 3))"
    )


def as_date(value: date | datetime | str) -> date:
    """Engines return a period start as a date, a datetime or ISO text; make it a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def label(start: date, grain: str) -> str:
    """A period's key as people and files write it: 2024-03-05, 2024-W10, 2024-03, 2024-Q1."""
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def floor(moment: datetime, grain: str) -> datetime:
    """The start (UTC midnight) of the period containing ``moment``."""
    d = moment.astimezone(UTC).date()
    if grain == "week":
        d -= timedelta(days=d.weekday())
    elif grain == "month":
        d = d.replace(day=1)
    elif grain == "quarter":
        d = d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def shift(start: datetime, grain: str, steps: int) -> datetime:
    """The start of the period ``steps`` periods after (or before, if negative) ``start``."""
    if grain == "day":
        return start + timedelta(days=steps)
    if grain == "week":
        return start + timedelta(weeks=steps)
    months = steps * (3 if grain == "quarter" else 1)
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)
