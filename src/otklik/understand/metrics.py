"""The query layer: sufficient statistics (counts) per group, in portable SQL.

Only counts leave the database — ``COUNT`` and ``SUM(CASE …)`` with ``GROUP BY``
run the same on SQLite, PostgreSQL, DuckDB and ClickHouse — and ``stats.py``
turns them into values and intervals.

A query names dimensions (``by``) and filters; ``plan`` turns them into SQL
group keys on the ``response`` table. Dimensions that are attributes of a
touchpoint (stage, journey) or of the org tree (unit roll-up) are grouped by
the id in SQL and mapped in Python: counts add up, so a journey's counts are
the sum of its touchpoints' and a region's the sum of its branches'. This keeps
the SQL to one table (plus ``customer`` for segments), which a columnar mirror
(``understand.engine``) can serve as well as the system of record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response
from otklik.understand import periods
from otklik.understand.dimensions import Lookups, load_lookups, unit_ancestors
from otklik.understand.sqlfuncs import json_text
from otklik.understand.stats import CES_EASY_MIN, CSAT_TOP2_MIN, NpsCounts, RatingCounts

# NPS bands, fixed by the method (Reichheld 2003): 9–10 promote, 0–6 detract.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6

METRICS = ("nps", "csat", "ces")
DIMENSIONS = (
    "survey",
    "journey",
    "stage",
    "touchpoint",
    "channel",
    "unit",
    "segment",
    "language",
    "source",
    *periods.GRAINS,
)
FILTERS = ("survey", "journey", "stage", "touchpoint", "channel", "unit", "segment", "language",
           "source")  # fmt: skip
ATTRIBUTE_PREFIX = "attribute:"
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")

R = Response.__table__.c
C = Customer.__table__.c


@dataclass(frozen=True)
class Counts:
    """Every sufficient statistic of one group; they add up (``a + b``)."""

    responses: int = 0
    nps: NpsCounts = field(default_factory=NpsCounts)
    csat: RatingCounts = field(default_factory=RatingCounts)
    ces: RatingCounts = field(default_factory=RatingCounts)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            responses=self.responses + other.responses,
            nps=self.nps + other.nps,
            csat=self.csat + other.csat,
            ces=self.ces + other.ces,
        )

    def minus(self, part: Counts) -> Counts:
        """These counts without ``part``, which must be counts of a subset of the same rows
        (a segment's stale copies): so every count stays a valid, non-negative count."""
        return Counts(
            responses=self.responses - part.responses,
            nps=NpsCounts(
                n=self.nps.n - part.nps.n,
                promoters=self.nps.promoters - part.nps.promoters,
                detractors=self.nps.detractors - part.nps.detractors,
            ),
            csat=_rating_minus(self.csat, part.csat),
            ces=_rating_minus(self.ces, part.ces),
        )


def _rating_minus(a: RatingCounts, b: RatingCounts) -> RatingCounts:
    return RatingCounts(
        n=a.n - b.n, total=a.total - b.total, total_sq=a.total_sq - b.total_sq, top=a.top - b.top
    )


@dataclass(frozen=True)
class MetricQuery:
    """What to count: responses submitted in ``[since, until)``, grouped ``by`` dimensions,
    restricted by ``filters`` (dimension → accepted values: touchpoint codes, unit codes
    (the unit and everything below it), survey and journey slugs, stage ids, channel …)."""

    since: datetime
    until: datetime
    by: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    metrics: tuple[str, ...] = METRICS
    # Adjacent periods in one scan: with split points s1 < s2 < …, groups get ``window`` =
    # how many split points are at or before the response (0 before s1, 1 in [s1, s2) …).
    split_at: tuple[datetime, ...] = ()

    @staticmethod
    def make(
        *,
        since: datetime,
        until: datetime,
        by: Sequence[str] = (),
        filters: Mapping[str, Sequence[str]] | None = None,
        metrics: Sequence[str] = METRICS,
        split_at: datetime | Sequence[datetime] | None = None,
    ) -> MetricQuery:
        flt = tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items() if v))
        splits = (split_at,) if isinstance(split_at, datetime) else tuple(split_at or ())
        return MetricQuery(since, until, tuple(by), flt, tuple(metrics), tuple(sorted(splits)))


@dataclass(frozen=True)
class Plan:
    """A validated query: SQL group keys, SQL filters, and how to map keys back to dimensions."""

    query: MetricQuery
    sql_keys: tuple[tuple[str, ColumnElement], ...]  # (name, expression) in GROUP BY order
    where: tuple[ColumnElement, ...]
    needs_customer: bool
    lookups: Lookups
    unit_scope: frozenset[int] | None  # roll-ups stay inside the filtered subtree
    # The filters again as (``response`` column, accepted values), for readers that answer
    # from pre-aggregated counts (``engine.rollup``) instead of running ``where``.
    filter_columns: tuple[tuple[str, tuple], ...] = ()


@dataclass(frozen=True)
class Group:
    """One output group: ``keys`` are codes (touchpoint code, unit code, 2024-03 …) for
    machines; ``labels`` are names for people (localised where translated)."""

    keys: dict[str, str | None]
    labels: dict[str, str | None]
    counts: Counts
    window: int | None = None  # with ``split_at``: how many split points are at or before


def validate_by(by: Sequence[str]) -> tuple[str, ...]:
    """Check dimension names; one readable error naming the allowed ones."""
    seen: list[str] = []
    for name in by:
        if name.startswith(ATTRIBUTE_PREFIX):
            if not _ATTRIBUTE_NAME.match(name[len(ATTRIBUTE_PREFIX) :]):
                raise ValidationFailed(
                    f"by: bad attribute name {name!r} (letters, digits, _)", field="by"
                )
        elif name not in DIMENSIONS:
            raise ValidationFailed(
                f"by: unknown dimension {name!r} (one of {', '.join(DIMENSIONS)}, "
                f"{ATTRIBUTE_PREFIX}NAME)",
                field="by",
            )
        if name in seen:
            raise ValidationFailed(f"by: {name!r} given twice", field="by")
        seen.append(name)
    if sum(1 for name in by if name in periods.GRAINS) > 1:
        raise ValidationFailed("by: at most one period (day, week, month, quarter)", field="by")
    return tuple(seen)


def plan(*, session: Session, query: MetricQuery, lookups: Lookups | None = None) -> Plan:
    """Validate ``query`` and resolve codes to ids against the system of record (``lookups``
    when the caller already loaded them for another query of the same request)."""
    if query.since.tzinfo is None or query.until.tzinfo is None:
        raise ValidationFailed("since/until must be timezone-aware", field="since")
    if query.since > query.until:
        raise ValidationFailed("since must not be after until", field="since")
    for metric in query.metrics:
        if metric not in METRICS:
            raise ValidationFailed(f"metric: unknown {metric!r} (nps, csat, ces)", field="metric")
    validate_by(query.by)
    lk = lookups or load_lookups(session)

    keys: dict[str, ColumnElement] = {}
    needs_customer = False
    for name in query.by:
        if name in ("journey", "stage", "touchpoint"):
            keys["touchpoint_id"] = R.touchpoint_id
        elif name == "survey":
            keys["survey_id"] = R.survey_id
        elif name == "unit":
            keys["unit_id"] = R.unit_id
        elif name in ("channel", "language", "source"):
            keys[name] = R[name]
        elif name in periods.GRAINS:
            keys[name] = periods.period_start(R.submitted_at, name)
        elif name == "segment":
            keys["segment"] = C.segment
            needs_customer = True
        else:  # attribute:NAME
            keys[name] = json_text(C.attributes, name[len(ATTRIBUTE_PREFIX) :])
            needs_customer = True

    if query.split_at:
        latest_first = [(R.submitted_at >= at, i) for i, at in
                        reversed(list(enumerate(query.split_at, start=1)))]  # fmt: skip
        keys["window"] = case(*latest_first, else_=0)
    where: list[ColumnElement] = [R.submitted_at >= query.since, R.submitted_at < query.until]
    unit_scope = None
    columns: list[tuple[str, tuple]] = []

    def accept(column: str, values) -> None:
        columns.append((column, tuple(values)))
        where.append(R[column].in_(list(values)))

    for name, values in query.filters:
        if name == "touchpoint":
            accept("touchpoint_id", lk.touchpoint_ids(codes=values))
        elif name == "stage":
            accept("touchpoint_id", lk.touchpoint_ids(stages=values))
        elif name == "journey":
            accept("touchpoint_id", lk.touchpoint_ids(journeys=values))
        elif name == "survey":
            accept("survey_id", lk.survey_ids(values))
        elif name == "unit":
            unit_scope = frozenset(lk.unit_subtree_ids(values))
            accept("unit_id", sorted(unit_scope))
        elif name in ("channel", "language", "source"):
            accept(name, values)
        elif name == "segment":
            where.append(C.segment.in_(values))
            needs_customer = True
        else:
            raise ValidationFailed(
                f"filter: unknown {name!r} (one of {', '.join(FILTERS)})", field=name
            )
    return Plan(query, tuple(keys.items()), tuple(where), needs_customer, lk, unit_scope,
                tuple(columns))  # fmt: skip


def counts_statement(p: Plan, *, extra_where: Sequence[ColumnElement] = ()) -> Select:
    """The one SQL statement: counts of ``response`` grouped by the plan's keys.

    Portable by construction (COUNT, SUM(CASE), one optional join); the
    analytics engine compiles the same statement for DuckDB.
    """
    metrics = p.query.metrics
    cols: list[ColumnElement] = [func.count().label("responses")]
    if "nps" in metrics:
        cols += [
            func.count(R.nps).label("nps_n"),
            func.sum(case((R.nps >= PROMOTER_MIN, 1), else_=0)).label("nps_p"),
            func.sum(case((R.nps <= DETRACTOR_MAX, 1), else_=0)).label("nps_d"),
        ]
    for metric, top in (("csat", CSAT_TOP2_MIN), ("ces", CES_EASY_MIN)):
        if metric in metrics:
            col = R[metric]
            cols += [
                func.count(col).label(f"{metric}_n"),
                func.sum(case((col >= top, 1), else_=0)).label(f"{metric}_top"),
                func.sum(col).label(f"{metric}_sum"),
                func.sum(col * col).label(f"{metric}_sq"),
            ]
    key_cols = [expr.label(f"k{i}") for i, (_, expr) in enumerate(p.sql_keys)]
    source = Response.__table__
    if p.needs_customer:
        source = source.outerjoin(Customer.__table__, R.customer_id == C.id)
    stmt = select(*key_cols, *cols).select_from(source).where(*p.where, *extra_where)
    if key_cols:
        # By output name: a key with a bound parameter (the window split) would otherwise be
        # two different expressions to DuckDB. SQLite, PostgreSQL, DuckDB, ClickHouse allow it.
        stmt = stmt.group_by(*[literal_column(f"k{i}") for i in range(len(key_cols))])
    return stmt


def row_counts(row: Mapping) -> Counts:
    """One result row (any engine) → ``Counts``; SUM over no rows is NULL, i.e. 0."""

    def g(name: str) -> int | float:
        return row.get(name) or 0

    return Counts(
        responses=int(g("responses")),
        nps=NpsCounts(n=int(g("nps_n")), promoters=int(g("nps_p")), detractors=int(g("nps_d"))),
        csat=RatingCounts(
            n=int(g("csat_n")), top=int(g("csat_top")), total=g("csat_sum"), total_sq=g("csat_sq")
        ),
        ces=RatingCounts(
            n=int(g("ces_n")), top=int(g("ces_top")), total=g("ces_sum"), total_sq=g("ces_sq")
        ),
    )


def merge_rows(p: Plan, rows, into: dict[tuple, Counts] | None = None) -> dict[tuple, Counts]:
    """Add result rows into ``{sql key tuple: Counts}`` (segments + tail merge here)."""
    out = into if into is not None else {}
    width = len(p.sql_keys)
    for row in rows:
        m = row if isinstance(row, Mapping) else row._mapping
        key = tuple(_norm_key(p.sql_keys[i][0], m[f"k{i}"]) for i in range(width))
        c = row_counts(m)
        if c.responses:
            out[key] = out[key] + c if key in out else c
    return out


def sql_counts(*, session: Session, p: Plan, extra_where=()) -> dict[tuple, Counts]:
    """Counts straight from the system of record (the reference every engine must equal)."""
    return merge_rows(p, session.execute(counts_statement(p, extra_where=extra_where)))


def groups(p: Plan, raw: Mapping[tuple, Counts], *, lang: str = "en") -> list[Group]:
    """Map SQL keys to the requested dimensions (touchpoint → stage → journey, unit roll-up),
    adding up counts, and attach codes and labels."""
    names = [n for n, _ in p.sql_keys]
    lk = p.lookups
    out: dict[tuple, Counts] = {}
    for sql_key, counts in raw.items():
        by_name = dict(zip(names, sql_key, strict=True))
        options: list[list] = []
        for dim in p.query.by:
            if dim in ("journey", "stage", "touchpoint"):
                options.append([lk.touchpoint_dimension(by_name["touchpoint_id"], dim)])
            elif dim == "survey":
                options.append([by_name["survey_id"]])
            elif dim == "unit":
                options.append(unit_ancestors(lk, by_name["unit_id"], p.unit_scope))
            else:
                options.append([by_name[dim]])
        options.append([by_name.get("window")])
        for combo in _product(options):
            out[combo] = out[combo] + counts if combo in out else counts
    result = []
    for combo, counts in out.items():
        keys, labels = {}, {}
        for dim, value in zip(p.query.by, combo[:-1], strict=True):
            keys[dim], labels[dim] = lk.describe(dim, value, lang)
        result.append(Group(keys=keys, labels=labels, counts=counts, window=combo[-1]))
    result.sort(key=lambda g: tuple(_sort_key(g.keys[d]) for d in p.query.by))
    return result


def raw_counts(
    *, session: Session, p: Plan, engine=None, cache: bool = False
) -> dict[tuple, Counts]:
    """Counts by SQL key (before mapping to dimensions): through the analytics ``engine``
    when given (columnar mirror + fresh tail; ``cache`` keeps segment counts for statements
    that repeat), else straight from the system of record. Both give identical numbers."""
    if engine is not None:
        return engine.counts(session=session, p=p, cache=cache)
    return sql_counts(session=session, p=p)


def grouped_counts(
    *, session: Session, query: MetricQuery, engine=None, lang: str = "en"
) -> list[Group]:
    """Counts per group of ``query`` (see ``raw_counts``), labelled for people."""
    p = plan(session=session, query=query)
    raw = raw_counts(session=session, p=p, engine=engine)
    if not query.by and not query.split_at:
        raw = {(): raw.get((), Counts())}
    return groups(p, raw, lang=lang)


def _norm_key(name: str, value):
    if value is None:
        return None
    if name in periods.GRAINS:
        return periods.as_date(value)
    if name.endswith("_id") or name == "window":
        return int(value)
    return str(value)


def _product(options: list[list]) -> list[tuple]:
    combos: list[tuple] = [()]
    for opts in options:
        combos = [(*c, o) for c in combos for o in opts]
    return combos


def _sort_key(value: str | None) -> tuple[int, str]:
    return (1, "") if value is None else (0, value)


# --- The first, narrow API (home overview): NPS per touchpoint id -----------------------------


@dataclass(frozen=True)
class NpsGroup:
    """Counts for one group: ``key`` is the touchpoint id (None = the whole range, or
    responses without a touchpoint); ``responses`` counts every response, with NPS or not."""

    key: int | str | None
    nps: NpsCounts
    responses: int


def nps_counts(
    *, session: Session, since: datetime, until: datetime, by: str | None = None, engine=None
) -> list[NpsGroup]:
    """NPS counts and response count in ``[since, until)``, overall (one group, key None,
    even when empty) or ``by="touchpoint"`` (keyed by touchpoint id)."""
    if by is not None and by != "touchpoint":
        raise ValidationFailed(f"by: unknown dimension {by!r} (touchpoint)", field="by")
    query = MetricQuery.make(since=since, until=until, metrics=("nps",))
    p = plan(session=session, query=query)
    if by is not None:
        p = Plan(query, (("touchpoint_id", R.touchpoint_id),), p.where, False, p.lookups, None)
    raw = (
        engine.counts(session=session, p=p)
        if engine is not None
        else sql_counts(session=session, p=p)
    )
    if by is None:
        c = raw.get((), Counts())
        return [NpsGroup(key=None, nps=c.nps, responses=c.responses)]
    return [NpsGroup(key=k[0], nps=c.nps, responses=c.responses) for k, c in raw.items()]
