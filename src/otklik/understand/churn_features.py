"""Churn-risk features: every customer's lifecycle and answers as arrays, a snapshot as numpy.

A snapshot at time t describes each customer active at t from history strictly
before t (answers, tenure, segment); a label says whether they left within the
horizon after t. Customers and answers are loaded once (two queries) into
:class:`Lifecycles` — times as integer microseconds, answers grouped by customer
in time order — so a snapshot of 50,000 customers is a handful of numpy passes
(counts with ``bincount``, "the last answer before t" as the last row of each
customer's group) instead of a Python loop per customer.

Feature columns (``FEEDBACK_FEATURES``, then ``LIFECYCLE_FEATURES``, then one
0/1 column per segment level):

- ``last_nps`` (7 when none, ``no_nps`` marks that), ``nps_trend`` (last − the one
  before), ``detractor_answers`` (0–6 answers) and ``log_days_since_detractor``
  (when none: the tenure, at least three years);
- ``last_ces`` (5 when none, ``no_ces``), ``log_days_since_response`` (when none:
  the tenure; ``never_answered``), ``log_responses``; ``log_tenure_days``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from otklik.listen.models import Customer, Response

MAX_SEGMENTS = 8
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
DAY_SECONDS = 86400
NEVER = np.iinfo(np.int64).max  # churn time of a customer who has not left

# Feature → the reason group it explains (a reason names a group once, e.g. "last NPS").
FEEDBACK_FEATURES = {
    "last_nps": "last_nps",
    "no_nps": "last_nps",
    "nps_trend": "nps_trend",
    "detractor_answers": "detractor_answers",
    "log_days_since_detractor": "detractor_answers",
    "last_ces": "last_ces",
    "no_ces": "last_ces",
    "log_days_since_response": "days_since_response",
    "never_answered": "days_since_response",
    "log_responses": "responses",
}
LIFECYCLE_FEATURES = {"log_tenure_days": "tenure"}


def micros(t: datetime) -> int:
    """An aware datetime as integer microseconds since 1970 (exact, unlike a float timestamp)."""
    return (t - EPOCH) // MICROSECOND


def from_micros(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=int(us))


@dataclass
class History:
    """One customer's lifecycle and answers, answers in time order (a readable form of one
    customer of :class:`Lifecycles`)."""

    id: int
    external_id: str | None
    name: str | None
    segment: str | None
    acquired_at: datetime
    churned_at: datetime | None
    times: list[datetime] = field(default_factory=list)
    nps: list[int | None] = field(default_factory=list)
    ces: list[int | None] = field(default_factory=list)


@dataclass(frozen=True)
class Lifecycles:
    """Customers (by id) and their answers, grouped by customer in (time, id) order."""

    ids: np.ndarray  # int64, ascending
    external_ids: list
    names: list
    segments: list
    acquired: np.ndarray  # int64 µs
    churned: np.ndarray  # int64 µs, NEVER when still a customer
    owner: np.ndarray  # per answer: index of its customer
    times: np.ndarray  # int64 µs
    nps: np.ndarray  # float, NaN when not answered
    ces: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_histories(cls, histories: Sequence[History]) -> Lifecycles:
        ordered = sorted(histories, key=lambda h: h.id)
        return cls(
            ids=np.array([h.id for h in ordered], dtype=np.int64),
            external_ids=[h.external_id for h in ordered],
            names=[h.name for h in ordered],
            segments=[h.segment for h in ordered],
            acquired=np.array([micros(h.acquired_at) for h in ordered], dtype=np.int64),
            churned=np.array(
                [NEVER if h.churned_at is None else micros(h.churned_at) for h in ordered],
                dtype=np.int64,
            ),
            owner=np.array([i for i, h in enumerate(ordered) for _ in h.times], dtype=np.int64),
            times=np.array([micros(t) for h in ordered for t in h.times], dtype=np.int64),
            nps=_floats([v for h in ordered for v in h.nps]),
            ces=_floats([v for h in ordered for v in h.ces]),
        )


def _floats(values: Sequence[int | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def load_lifecycles(*, session: Session) -> Lifecycles:
    """Every customer with a known acquisition date, with their NPS/CES answers (2 queries)."""
    conn = session.connection()
    as_text = conn.dialect.name == "sqlite"
    customers = conn.execute(
        select(
            Customer.id,
            Customer.external_id,
            Customer.name,
            Customer.segment,
            _time(Customer.acquired_at, as_text),
            _time(Customer.churned_at, as_text),
        )
        .where(Customer.acquired_at.is_not(None))
        .order_by(Customer.id)
    ).all()
    ids, external_ids, names, segments, acquired, churned = (
        zip(*customers, strict=True) if customers else ([],) * 6
    )
    answers = conn.execute(
        select(
            Response.customer_id,
            _time(Response.submitted_at, as_text),
            Response.nps,
            Response.ces,
        )
        .where(Response.customer_id.is_not(None))
        .order_by(Response.customer_id, Response.submitted_at, Response.id)
    ).all()
    cids, times, nps, ces = zip(*answers, strict=True) if answers else ([],) * 4
    id_array = np.array(ids, dtype=np.int64)
    cid_array = np.array(cids, dtype=np.int64)
    owner = np.searchsorted(id_array, cid_array)
    known = owner < len(id_array)
    known[known] = id_array[owner[known]] == cid_array[known]  # customers without acquired_at
    keep = np.flatnonzero(known)
    return Lifecycles(
        ids=id_array,
        external_ids=list(external_ids),
        names=list(names),
        segments=list(segments),
        acquired=_micros(acquired),
        churned=_micros(churned),
        owner=owner[keep],
        times=_micros(times)[keep],
        nps=_floats(nps)[keep],
        ces=_floats(ces)[keep],
    )


def _time(column, as_text: bool):
    # SQLite keeps UTC times as text ("2025-06-07 14:27:44.000000"): numpy reads 100,000
    # of them in milliseconds, where a datetime object per value takes a large share of
    # the load. Other databases hand back datetimes.
    return type_coerce(column, String).label(column.key) if as_text else column


def _micros(values: Sequence) -> np.ndarray:
    """Times (SQLite text or aware datetimes; None = never) as int64 µs since 1970, UTC."""
    if any(isinstance(v, str) for v in values):
        try:
            parsed = np.array(["NaT" if v is None else v for v in values], dtype="datetime64[us]")
            out = parsed.astype(np.int64)
            out[np.isnat(parsed)] = NEVER
            return out
        except ValueError:  # a form numpy does not read: take the slow, sure way
            values = [None if v is None else _aware(datetime.fromisoformat(v)) for v in values]
    return np.array([NEVER if v is None else micros(v) for v in values], dtype=np.int64)


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


@dataclass(frozen=True)
class Snapshot:
    """Feature rows of the customers active at ``at`` (columns named in ``names``).

    ``customers`` are indexes into ``people``; ``last_nps`` and ``last_response``
    (µs, −1 for none) are each row's latest answer before ``at``, for the list.
    """

    at: datetime
    people: Lifecycles
    customers: np.ndarray
    x: np.ndarray
    names: list[str]
    labels: np.ndarray | None
    last_nps: np.ndarray
    last_response: np.ndarray


def snapshot(
    people: Lifecycles | Sequence[History],
    *,
    at: datetime,
    segments: Sequence[str],
    label_until: datetime | None = None,
) -> Snapshot:
    """Features as of ``at`` from history strictly before it; labels when ``label_until``."""
    if not isinstance(people, Lifecycles):
        people = Lifecycles.from_histories(people)
    t = micros(at)
    active = np.flatnonzero((people.acquired < t) & (people.churned >= t))
    n = len(people)
    before = people.times < t  # answers before the snapshot
    scored = before & ~np.isnan(people.nps)
    bad = scored & (people.nps <= 6)
    k = np.bincount(people.owner[before], minlength=n)
    last_any = _last(people.owner, before, n)
    last_score = _last(people.owner, scored, n)
    previous = scored.copy()
    previous[last_score[last_score >= 0]] = False
    prev_score = _last(people.owner, previous, n)
    last_bad = _last(people.owner, bad, n)
    last_effort = _last(people.owner, before & ~np.isnan(people.ces), n)

    def value(index: np.ndarray, of: np.ndarray, default: float) -> np.ndarray:
        return np.where(index >= 0, of[np.maximum(index, 0)], default)

    def days_since(index: np.ndarray, otherwise: np.ndarray) -> np.ndarray:
        # (at − t) in seconds as Python's timedelta.total_seconds() gives it: µs / 10⁶.
        seconds = (t - people.times[np.maximum(index, 0)]).astype(float) / 1e6
        return np.where(index >= 0, seconds / DAY_SECONDS, otherwise)

    tenure = np.maximum((t - people.acquired).astype(float) / 1e6 / DAY_SECONDS, 0.0)
    has_score, has_two = last_score >= 0, prev_score >= 0
    last_nps = value(last_score, people.nps, 7.0)  # a neutral stand-in; no_nps marks the gap
    trend = np.where(has_two, last_nps - value(prev_score, people.nps, 0.0), 0.0)
    columns = [
        last_nps,
        np.where(has_score, 0.0, 1.0),
        trend,
        np.bincount(people.owner[bad], minlength=n).astype(float),
        _log1p(days_since(last_bad, np.maximum(tenure, 3 * 365.0))),
        value(last_effort, people.ces, 5.0),
        np.where(last_effort >= 0, 0.0, 1.0),
        _log1p(days_since(last_any, tenure)),
        np.where(k > 0, 0.0, 1.0),
        _log1p(k.astype(float)),
        _log1p(tenure),
    ]
    segment_of = np.array(people.segments, dtype=object)
    columns += [(segment_of == s).astype(float) for s in segments]
    names = [*FEEDBACK_FEATURES, *LIFECYCLE_FEATURES, *(f"segment={s}" for s in segments)]
    x = np.column_stack(columns)[active] if n else np.zeros((0, len(names)))
    labels = None
    if label_until is not None:
        churned = people.churned[active]
        labels = ((churned >= t) & (churned < micros(label_until))).astype(int)
    return Snapshot(
        at=at,
        people=people,
        customers=active,
        x=x.reshape(len(active), len(names)),
        names=names,
        labels=labels,
        last_nps=np.where(has_score, last_nps, np.nan)[active],
        last_response=np.where(last_any >= 0, people.times[np.maximum(last_any, 0)], -1)[active],
    )


def _last(owner: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per customer, the index of their last answer where ``mask`` holds (−1 for none).
    Answers are grouped by customer in time order, so it is the last of each group."""
    out = np.full(n, -1, dtype=np.int64)
    index = np.flatnonzero(mask)
    if index.size:
        group = owner[index]
        ends = np.append(group[1:] != group[:-1], True)
        out[group[ends]] = index[ends]
    return out


def _log1p(values: np.ndarray) -> np.ndarray:
    # math.log1p per value, not np.log1p: the same bits as the features have always had.
    return np.fromiter(map(math.log1p, values.tolist()), dtype=float, count=len(values))


def segment_levels(people: Lifecycles | Sequence[History]) -> list[str]:
    """Segments as one-hot columns: all but the most common (the reference), at most 8."""
    segments = people.segments if isinstance(people, Lifecycles) else [h.segment for h in people]
    counts: dict[str, int] = {}
    for s in segments:
        if s:
            counts[s] = counts.get(s, 0) + 1
    ranked = sorted(counts, key=lambda s: (-counts[s], s))
    return sorted(ranked[1 : MAX_SEGMENTS + 1])
