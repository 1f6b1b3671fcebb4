"""Per-segment pre-aggregates: each segment's counts by day × every pair of dimensions.

A segment never changes, so its counts by day never change either. The writer
(sync, compaction — the worker, never a page) stores them next to the segment
as a small Parquet file; any process then answers a query that fits from those
counts instead of scanning the segment, and a fresh process's first dashboard
needs no scan. Rows of a segment changed or erased after it was written are
subtracted (their counts read from the segment, a few rows) — counts add up,
so the answer is exactly the scan's.

What fits: responses in whole UTC days, split at midnights, grouped by a period
and at most two of ``DIMENSIONS`` counting the filtered ones (the dashboard's
breakdown by touchpoint, channel, unit, survey, language or source, with one
filter). Customer dimensions (segment, attributes) and other shapes are scanned.

The counts come from the portable metric statement itself (``counts_statement``
grouped by day and all six dimensions), then summed into grouping sets; the
read is portable SQL too (``period_start``, ``CASE``, ``SUM``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations

from sqlalchemy import Date, Integer, Select, String, case, column, func, literal_column, select
from sqlalchemy import table as sql_table

from otklik.understand import periods
from otklik.understand.metrics import MetricQuery, Plan, R, counts_statement

BATCH_ROWS = 200_000  # segment rows per cube: in the worst case every row is a group of its own
DIMENSIONS = ("touchpoint_id", "survey_id", "unit_id", "channel", "language", "source")
# Grouping sets by index ``g``: all rows, each dimension, each pair (22 sets).
SETS: tuple[tuple[str, ...], ...] = (
    (),
    *((d,) for d in DIMENSIONS),
    *combinations(DIMENSIONS, 2),
)
COUNTS = ("responses", "nps_n", "nps_p", "nps_d", "csat_n", "csat_top", "csat_sum", "csat_sq",
          "ces_n", "ces_top", "ces_sum", "ces_sq")  # fmt: skip
_TYPES = {"touchpoint_id": Integer, "survey_id": Integer, "unit_id": Integer,
          "channel": String, "language": String, "source": String}  # fmt: skip
_NULL = {d: "CAST(NULL AS INTEGER)" if t is Integer else "CAST(NULL AS VARCHAR)"
         for d, t in _TYPES.items()}  # fmt: skip
ROLLUP = sql_table(
    "rollup",
    column("g", Integer),
    column("day", Date),
    *(column(d, t) for d, t in _TYPES.items()),
    *(column(c, Integer) for c in COUNTS),
)


def batches(day_rows: list[tuple[date, int]], limit: int = 0) -> list[tuple[date, date]]:
    """Consecutive day ranges ``[first, after_last)`` of at most ``limit`` (``BATCH_ROWS``)
    rows each, a bigger day alone: a batch's cube is no larger than its rows, so memory
    stays bounded (one cube of 10M rows of varied dimensions overran 256 MB)."""
    limit = limit or BATCH_ROWS
    out: list[tuple[date, date]] = []
    start, rows = None, 0
    for day, n in day_rows:
        if start is not None and rows + n > limit:
            out.append((start, day))
            start, rows = None, 0
        if start is None:
            start = day
        rows += n
    if start is not None:
        out.append((start, day_rows[-1][0] + timedelta(days=1)))
    return out


def build_sql(segment_path: str, first: date, after: date) -> str:
    """DuckDB SQL whose result is the rollup of one segment file's days ``[first, after)``,
    sorted by set and day (row groups prune by both)."""
    from otklik.understand.engine import duck

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    cube = Plan(
        MetricQuery.make(since=epoch, until=epoch),
        (("day", periods.period_start(R.submitted_at, "day")), *((d, R[d]) for d in DIMENSIONS)),
        (),
        False,
        None,  # type: ignore[arg-type] - no dimension lookups: ids stay ids
        None,
    )
    # Only integer constants (the NPS bands, the cut-offs) are bound: rendered inline.
    sql = str(
        counts_statement(cube).compile(dialect=duck.DIALECT, compile_kwargs={"literal_binds": True})
    )
    k = {d: f"k{i}" for i, d in enumerate(DIMENSIONS, start=1)}
    parts = []
    for g, dims in enumerate(SETS):
        cols = ", ".join(f"{k[d] if d in dims else _NULL[d]} AS {d}" for d in DIMENSIONS)
        sums = ", ".join(f"CAST(sum({c}) AS BIGINT) AS {c}" for c in COUNTS)
        group = ", ".join(["k0", *(k[d] for d in dims)])
        parts.append(f"SELECT {g} AS g, k0 AS day, {cols}, {sums} FROM cube GROUP BY {group}")
    path = segment_path.replace("'", "''")
    return (
        f"WITH response AS (SELECT * FROM read_parquet('{path}') WHERE submitted_at >= "
        f"DATE '{first.isoformat()}' AND submitted_at < DATE '{after.isoformat()}'), "
        f"cube AS MATERIALIZED ({sql}) "
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY g, day"
    )


def fitting_set(p: Plan) -> int | None:
    """The grouping set that answers ``p`` exactly, or None (then the segment is scanned)."""
    q = p.query
    if p.needs_customer or not all(_midnight(t) for t in (q.since, q.until, *q.split_at)):
        return None
    dims: set[str] = set()
    for name, _ in p.sql_keys:
        if name in DIMENSIONS:
            dims.add(name)
        elif name not in periods.GRAINS and name != "window":
            return None
    dims |= {name for name, _ in p.filter_columns}
    if not dims <= set(DIMENSIONS) or len(dims) > 2:
        return None
    # ``where`` must be exactly the date range and the filters (as ``plan`` builds it).
    if len(p.where) != 2 + len(p.filter_columns):
        return None
    wanted = tuple(d for d in DIMENSIONS if d in dims)
    return SETS.index(wanted)


def statement(p: Plan, g: int) -> Select:
    """The plan's counts from a rollup (a table named ``rollup``): the same key names
    (``k0``…) and count names as ``counts_statement``, so rows merge alike."""
    q = p.query
    c = ROLLUP.c
    day = c.day
    keys = []
    for i, (name, _) in enumerate(p.sql_keys):
        if name in periods.GRAINS:
            expr = day if name == "day" else periods.period_start(day, name)
        elif name == "window":
            expr = case(*[(day >= at.astimezone(UTC).date(), n) for n, at in
                          reversed(list(enumerate(q.split_at, start=1)))], else_=0)  # fmt: skip
        else:
            expr = c[name]
        keys.append(expr.label(f"k{i}"))
    where = [c.g == g, day >= q.since.astimezone(UTC).date(), day < q.until.astimezone(UTC).date()]
    where += [c[name].in_(list(values)) for name, values in p.filter_columns]
    # Only the metrics asked for, as ``counts_statement`` does (the rest stay zero).
    sums = [n for n in COUNTS if n == "responses" or n.split("_")[0] in q.metrics]
    stmt = select(*keys, *[func.sum(c[n]).label(n) for n in sums]).where(*where)
    if keys:
        stmt = stmt.group_by(*[literal_column(f"k{i}") for i in range(len(keys))])
    return stmt


def _midnight(t: datetime) -> bool:
    return t.astimezone(UTC).time() == time(0)
