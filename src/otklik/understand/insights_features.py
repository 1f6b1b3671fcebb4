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

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import orjson

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
class Coded:
    """A column stored once per distinct value: row ``i`` holds ``values[codes[i]]``.

    Example: ``coded(["a", "b", "a"])`` → codes [0, 1, 0], values ["a", "b"].
    """

    codes: np.ndarray  # int64, one per row
    values: list

    def __len__(self) -> int:
        return len(self.codes)


def coded(items: Iterable[Hashable]) -> Coded:
    """Code ``items`` by first appearance (so the value order is the order rows show them)."""
    items = items if isinstance(items, list | tuple) else list(items)
    values = list(dict.fromkeys(items))  # distinct, in order of first appearance
    index = {v: i for i, v in enumerate(values)}
    codes = np.fromiter(map(index.__getitem__, items), dtype=np.int64, count=len(items))
    return Coded(codes, values)


def parse_objects(texts: Coded) -> Coded:
    """JSON object texts → the objects (one parse per distinct text); null/invalid → {}."""
    return Coded(texts.codes, [_parse(t) for t in texts.values])


def _parse(text) -> Mapping:
    if text is None:
        return {}
    if not isinstance(text, str | bytes):  # a driver that hands back JSON already parsed
        return text if isinstance(text, Mapping) else {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN / Infinity, which Python's json writes
        import json

        value = json.loads(text)
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class ResponseColumns:
    """What the responses contribute to the features, one entry per response in each column."""

    response_ids: np.ndarray
    answers: Coded  # of mappings
    touchpoint: Coded  # of codes (str | None)
    segment: Coded  # of str | None
    customer_attributes: Coded  # of mappings
    response_attributes: Coded  # of mappings

    def __len__(self) -> int:
        return len(self.response_ids)


def build_columns(
    rows: ResponseColumns,
    *,
    min_count: int,
    exclude: frozenset[str] = METRIC_KEYS,
    extra: Mapping[str, Mapping[int, float]] | None = None,
) -> list[FeatureColumn]:
    """All usable driver columns for ``rows`` (see the module docstring for the rules)."""
    columns: list[FeatureColumn] = []
    columns += _from_mapping(rows.answers, "answer", min_count, exclude)
    columns += _categorical("touchpoint", "touchpoint", rows.touchpoint, min_count)
    columns += _categorical("segment", "segment", rows.segment, min_count)
    columns += _from_mapping(rows.customer_attributes, "customer", min_count, exclude | {"segment"})
    columns += _from_mapping(rows.response_attributes, "response", min_count, exclude | {"segment"})
    ids = rows.response_ids.tolist()
    for name, by_id in (extra or {}).items():
        values = np.array([float(by_id.get(rid, 0.0)) for rid in ids])
        present = np.array([rid in by_id for rid in ids], dtype=bool)
        if present.sum() >= min_count and values.std() > 0:
            columns.append(FeatureColumn(f"extra:{name}", "extra", name, None, values, present))
    return _drop_duplicates(columns)


def _from_mapping(mappings: Coded, source, min_count, exclude) -> list[FeatureColumn]:
    # Walk each distinct mapping once: key → its value in every distinct mapping (or None).
    seen: dict[str, list] = {}
    for u, mapping in enumerate(mappings.values):
        for key, value in mapping.items():
            if key in exclude or value is None or isinstance(value, dict | list):
                continue
            if key not in seen:
                seen[key] = [None] * len(mappings.values)
            seen[key][u] = value
    rows_per_value = np.bincount(mappings.codes, minlength=len(mappings.values))
    out: list[FeatureColumn] = []
    for key in sorted(seen):
        values = seen[key]
        given = [u for u, v in enumerate(values) if v is not None]
        if int(rows_per_value[given].sum()) < min_count:
            continue
        if all(
            isinstance(values[u], int | float) and not isinstance(values[u], bool) for u in given
        ):
            out += _numeric(source, key, values, mappings.codes)
        else:
            labels = coded(None if v is None else _label(v) for v in values)
            per_row = Coded(labels.codes[mappings.codes], labels.values)
            out += _categorical(source, key, per_row, min_count)
    return out


def _label(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _numeric(source: str, name: str, values: list, codes: np.ndarray) -> list[FeatureColumn]:
    given = np.array([v is not None for v in values], dtype=bool)
    raw_per_value = np.array([float(v) if v is not None else np.nan for v in values])
    present = given[codes]
    raw = raw_per_value[codes]
    filled = np.where(present, raw, np.nanmean(raw))
    if filled.std() == 0:
        return []
    return [FeatureColumn(f"{source}:{name}", source, name, None, filled, present)]


def _categorical(source: str, name: str, labels: Coded, min_count: int) -> list[FeatureColumn]:
    counts = np.bincount(labels.codes, minlength=len(labels.values))
    levels = [
        (int(counts[c]), c)
        for c, level in enumerate(labels.values)
        if level is not None and counts[c]
    ]
    if len(levels) > MAX_LEVELS and source != "touchpoint":
        return []  # free text or an id, not a choice
    # Most common first; a tie goes to the level seen first (codes follow first appearance).
    first_row = np.zeros(len(labels.values), dtype=np.int64)
    found, first = np.unique(labels.codes, return_index=True)
    first_row[found] = first
    ranked = sorted(levels, key=lambda nc: (-nc[0], first_row[nc[1]]))
    kept = [c for n, c in ranked if n >= min_count]
    if len(kept) < 2:
        return []
    # The most common level is the reference (no column): the others are read against it.
    # Rows without the field are 0 in every column; the touchpoint columns absorb who was asked.
    out = []
    for code in sorted(kept[1:], key=lambda c: labels.values[c]):
        level = labels.values[code]
        present = labels.codes == code
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


__all__ = ["Coded", "FeatureColumn", "ResponseColumns", "build_columns", "coded", "parse_objects"]
