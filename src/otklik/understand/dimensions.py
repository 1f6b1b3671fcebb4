"""The small dimension tables (touchpoints, stages, journeys, units, surveys) read once per
query, to resolve filter codes to ids and to map SQL keys to what people read.

They are tiny next to ``response`` (hundreds of rows, not millions), so mapping
touchpoint → stage → journey and rolling units up their tree happens here in
Python, on counts, instead of in joins every engine would have to run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import ValidationFailed
from otklik.listen.models import Journey, Stage, Survey, Touchpoint
from otklik.org.models import Unit
from otklik.understand import periods


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    name_i18n: dict
    parent: int | None = None  # touchpoint → stage, stage → journey

    def label(self, lang: str) -> str:
        return (self.name_i18n or {}).get(lang) or self.name


@dataclass(frozen=True)
class Lookups:
    touchpoints: dict[int, Named]
    stages: dict[int, Named]
    journeys: dict[int, Named]
    units: dict[int, tuple[Named, str]]  # id → (unit, materialised path)
    surveys: dict[int, Named]
    channels: dict[int, str]  # touchpoint id → channel

    def touchpoint_ids(self, *, codes=(), stages=(), journeys=()) -> list[int]:
        if codes:
            by_code = {t.code: i for i, t in self.touchpoints.items()}
            _known("touchpoint", codes, by_code)
            return [by_code[c] for c in codes]
        if stages:
            _known("stage", stages, {str(i) for i in self.stages})
            wanted = {int(s) for s in stages}
            return [i for i, t in self.touchpoints.items() if t.parent in wanted]
        by_slug = {j.code: i for i, j in self.journeys.items()}
        _known("journey", journeys, by_slug)
        wanted = {by_slug[j] for j in journeys}
        return [
            i
            for i, t in self.touchpoints.items()
            if t.parent in self.stages and self.stages[t.parent].parent in wanted
        ]

    def survey_ids(self, slugs: Iterable[str]) -> list[int]:
        by_slug = {s.code: i for i, s in self.surveys.items()}
        _known("survey", slugs, by_slug)
        return [by_slug[s] for s in slugs]

    def unit_subtree_ids(self, codes: Iterable[str]) -> list[int]:
        """Ids of the units ``codes`` and everything below them (materialised path prefix)."""
        by_code = {u.code: path for u, path in self.units.values()}
        _known("unit", codes, by_code)
        prefixes = tuple(by_code[c] for c in codes)
        return [i for i, (_, path) in self.units.items() if path.startswith(prefixes)]

    def touchpoint_dimension(self, touchpoint_id: int | None, dim: str) -> int | None:
        """A touchpoint's own id, its stage id or its journey id."""
        if dim == "touchpoint" or touchpoint_id is None:
            return touchpoint_id
        tp = self.touchpoints.get(touchpoint_id)
        stage_id = tp.parent if tp else None
        if dim == "stage" or stage_id is None:
            return stage_id
        stage = self.stages.get(stage_id)
        return stage.parent if stage else None

    def describe(self, dim: str, value, lang: str) -> tuple[str | None, str | None]:
        """(key for machines, label for people) of one dimension value."""
        if value is None:
            return None, None
        if dim in periods.GRAINS:
            text = periods.label(value, dim)
            return text, text
        table = {
            "touchpoint": self.touchpoints,
            "stage": self.stages,
            "journey": self.journeys,
            "survey": self.surveys,
        }.get(dim)
        if table is not None:
            item = table.get(value)
            return (item.code, item.label(lang)) if item else (str(value), str(value))
        if dim == "unit":
            unit = self.units.get(value)
            return (unit[0].code, unit[0].label(lang)) if unit else (str(value), str(value))
        return str(value), str(value)


def load_lookups(session: Session) -> Lookups:
    touchpoints, channels = {}, {}
    for row in session.execute(
        select(Touchpoint.id, Touchpoint.code, Touchpoint.name, Touchpoint.name_i18n,
               Touchpoint.stage_id, Touchpoint.channel)
    ):  # fmt: skip
        touchpoints[row.id] = Named(row.code, row.name, row.name_i18n, row.stage_id)
        channels[row.id] = row.channel
    stages = {
        r.id: Named(str(r.id), r.name, r.name_i18n, r.journey_id)
        for r in session.execute(select(Stage.id, Stage.name, Stage.name_i18n, Stage.journey_id))
    }
    journeys = {
        r.id: Named(r.slug, r.name, r.name_i18n)
        for r in session.execute(select(Journey.id, Journey.slug, Journey.name, Journey.name_i18n))
    }
    units = {
        r.id: (Named(r.code, r.name, r.name_i18n), r.path or "/")
        for r in session.execute(select(Unit.id, Unit.code, Unit.name, Unit.name_i18n, Unit.path))
    }
    surveys = {
        r.id: Named(r.slug, r.title, {})
        for r in session.execute(select(Survey.id, Survey.slug, Survey.title))
    }
    return Lookups(touchpoints, stages, journeys, units, surveys, channels)


def unit_ancestors(lk: Lookups, unit_id: int | None, scope: frozenset[int] | None) -> list:
    """The unit and every unit above it (from its path), kept inside ``scope`` when filtered:
    a response at a branch counts for the branch, its region and the company."""
    if unit_id is None or unit_id not in lk.units:
        return [unit_id]
    path = lk.units[unit_id][1]
    ids = [int(part) for part in path.strip("/").split("/") if part.isdigit()] or [unit_id]
    if unit_id not in ids:
        ids.append(unit_id)
    return [i for i in ids if i in lk.units and (scope is None or i in scope)]


def _known(what: str, values: Iterable[str], known) -> None:
    missing = [v for v in values if v not in known]
    if missing:
        raise ValidationFailed(f"{what}: unknown {', '.join(map(repr, missing))}", field=what)
