"""Feature columns for key-driver analysis, built from responses as stored.

Where drivers come from: answers in ``Response.answers`` (numbers, yes/no,
choices), the touchpoint, the customer's segment and attributes, the
response's attributes (app version, platform), and any extra columns a caller
passes in (text themes, once text analytics tags responses).

Encoding decisions, so the regression behind the weights is well posed:
- a choice (or yes/no) becomes one 0/1 column per level except the most
  common one (the reference); a missing answer is 0 in every column;
- a number keeps its value; a missing number takes the mean of the answers
  (the touchpoint columns absorb who was asked);
- levels and numbers answered fewer than ``min_count`` times, free text
  (more than ``MAX_LEVELS`` distinct values) and the metric answers
  themselves (nps, csat, ces) are left out; columns identical to an earlier
  one (a product that maps 1:1 to a segment) are dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MAX_LEVELS = 12
METRIC_KEYS = frozenset({"nps", "csat", "ces", "comment"})


@dataclass(frozen=True)
class FeatureColumn:
    """One candidate driver. ``level`` is None for a number; ``present`` marks the rows
    the driver applies to (answered / in that group), for its performance."""

    key: str  # stable id, e.g. "answer:issue_resolved=no"
    source: str  # answer | touchpoint | segment | customer | response | extra
    name: str  # question, attribute or column name
    level: str | None
    values: np.ndarray
    present: np.ndarray  # bool


@dataclass(frozen=True)
class RawRow:
    """What one response contributes to the features."""

    response_id: int
    answers: Mapping
    touchpoint: str | None
    segment: str | None
    customer_attributes: Mapping
    response_attributes: Mapping


def build_columns(
    rows: Sequence[RawRow],
    *,
    min_count: int,
    exclude: frozenset[str] = METRIC_KEYS,
    extra: Mapping[str, Mapping[int, float]] | None = None,
) -> list[FeatureColumn]:
    """All usable driver columns for ``rows`` (see the module docstring for the rules)."""
    columns: list[FeatureColumn] = []
    columns += _from_mapping(rows, "answer", lambda r: r.answers, min_count, exclude)
    columns += _categorical("touchpoint", "touchpoint", [r.touchpoint for r in rows], min_count)
    columns += _categorical("segment", "segment", [r.segment for r in rows], min_count)
    columns += _from_mapping(
        rows, "customer", lambda r: r.customer_attributes, min_count, exclude | {"segment"}
    )
    columns += _from_mapping(
        rows, "response", lambda r: r.response_attributes, min_count, exclude | {"segment"}
    )
    for name, by_id in (extra or {}).items():
        values = np.array([float(by_id.get(r.response_id, 0.0)) for r in rows])
        present = np.array([r.response_id in by_id for r in rows])
        if present.sum() >= min_count and values.std() > 0:
            columns.append(FeatureColumn(f"extra:{name}", "extra", name, None, values, present))
    return _drop_duplicates(columns)


def _from_mapping(rows, source, get, min_count, exclude) -> list[FeatureColumn]:
    seen: dict[str, list] = {}
    for i, row in enumerate(rows):
        for key, value in (get(row) or {}).items():
            if key in exclude or value is None or isinstance(value, dict | list):
                continue
            if key not in seen:
                seen[key] = [None] * len(rows)
            seen[key][i] = value
    out: list[FeatureColumn] = []
    for key in sorted(seen):
        values = seen[key]
        given = [v for v in values if v is not None]
        if len(given) < min_count:
            continue
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
            out += _numeric(source, key, values)
        else:
            labels = [None if v is None else _label(v) for v in values]
            out += _categorical(source, key, labels, min_count)
    return out


def _label(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _numeric(source: str, name: str, values: list) -> list[FeatureColumn]:
    present = np.array([v is not None for v in values])
    raw = np.array([float(v) if v is not None else np.nan for v in values])
    filled = np.where(present, raw, np.nanmean(raw))
    if filled.std() == 0:
        return []
    return [FeatureColumn(f"{source}:{name}", source, name, None, filled, present)]


def _categorical(source: str, name: str, labels: list, min_count: int) -> list[FeatureColumn]:
    counts = Counter(v for v in labels if v is not None)
    if len(counts) > MAX_LEVELS and source != "touchpoint":
        return []  # free text or an id, not a choice
    kept = [level for level, n in counts.most_common() if n >= min_count]
    if len(kept) < 2:
        return []
    # The most common level is the reference (no column): the others are read against it.
    # Rows without the field are 0 in every column; the touchpoint columns absorb who was asked.
    levels = kept[1:]
    out = []
    for level in sorted(levels):
        present = np.array([v == level for v in labels])
        out.append(
            FeatureColumn(
                f"{source}:{name}={level}", source, name, level, present.astype(float), present
            )
        )
    return out


def _drop_duplicates(columns: list[FeatureColumn]) -> list[FeatureColumn]:
    kept: list[FeatureColumn] = []
    seen: set[bytes] = set()
    for col in columns:
        if col.values.std() == 0:
            continue
        fingerprint = col.values.tobytes()
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        kept.append(col)
    return kept
