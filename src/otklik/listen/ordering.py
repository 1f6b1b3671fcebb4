"""Explicit ``position`` ordering shared by stages, touchpoints, personas and opportunities.

``swap`` exchanges an item with its neighbour, so the no-JavaScript up/down buttons need
nothing else.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

Direction = Literal["up", "down"]


def next_position(session: Session, model, column, value) -> int:
    current = session.scalar(select(func.max(model.position)).where(column == value))
    return 1 if current is None else current + 1


def swap(session: Session, item, siblings: list, direction: Direction) -> None:
    """Swap ``item`` with its neighbour; positions are renumbered 1…n first, so duplicates
    and gaps left by imports or deletions never make a move a no-op."""
    siblings.sort(key=lambda s: (s.position, getattr(s, "id", 0) or 0))
    for i, sib in enumerate(siblings, start=1):
        sib.position = i
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        item.position, siblings[other].position = siblings[other].position, item.position
    session.flush()
