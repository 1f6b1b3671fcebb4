"""The UI string catalog, one module per area of the product, merged into one ``MESSAGES``.

Each area module holds the keys of its pages (``jm.*`` for the journey map, ``survey.*`` for
the builder…), so a translator or a page author finds a string next to its neighbours. The
merge refuses a key defined by two areas: a plain ``dict`` union would keep the later text
and hide the other one. Import the catalog through ``otklik.web.ui.i18n``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType

from otklik.web.ui.messages import (
    comments,
    common,
    insights,
    invitations,
    journeys,
    public,
    surveys,
)

AREAS: tuple[ModuleType, ...] = (
    common,
    journeys,
    invitations,
    comments,
    insights,
    surveys,
    public,
)


def merge(catalogs: Iterable[Mapping[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """One catalog from several; a key in two of them is an error, not a silent overwrite."""
    merged: dict[str, dict[str, str]] = {}
    for catalog in catalogs:
        clash = merged.keys() & catalog.keys()
        if clash:
            raise ValueError(f"UI message keys defined in two areas: {', '.join(sorted(clash))}")
        merged.update(catalog)
    return merged


MESSAGES: dict[str, dict[str, str]] = merge(area.MESSAGES for area in AREAS)
