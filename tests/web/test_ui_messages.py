"""The UI catalog is split by area; the merge keeps every string and both languages."""

from __future__ import annotations

import itertools
import pkgutil
import string

import pytest

from otklik.web.ui import messages
from otklik.web.ui.i18n import MESSAGES, translate


def test_no_key_is_defined_by_two_area_modules():
    clashes = [
        (key, a.__name__, b.__name__)
        for a, b in itertools.combinations(messages.AREAS, 2)
        for key in sorted(a.MESSAGES.keys() & b.MESSAGES.keys())
    ]
    assert clashes == []
    assert len(MESSAGES) == sum(len(area.MESSAGES) for area in messages.AREAS)


def test_every_area_module_in_the_package_is_merged():
    on_disk = {m.name for m in pkgutil.iter_modules(messages.__path__)}
    assert on_disk == {area.__name__.rsplit(".", 1)[1] for area in messages.AREAS}


def test_merge_refuses_a_key_defined_twice_instead_of_overwriting():
    first = {"nav.home": {"en": "Overview", "ru": "Обзор"}}
    second = {"nav.home": {"en": "Home", "ru": "Домой"}, "nav.x": {"en": "X", "ru": "X"}}
    with pytest.raises(ValueError, match=r"nav\.home"):
        messages.merge([first, second])
    assert messages.merge([first, {"nav.x": second["nav.x"]}]).keys() == {"nav.home", "nav.x"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_has_russian_and_english_with_the_same_placeholders():
    incomplete = [
        key
        for key, entry in MESSAGES.items()
        if set(entry) != {"ru", "en"} or not all(text.strip() for text in entry.values())
    ]
    # translate() formats with the caller's kwargs: a placeholder only one language has
    # would raise KeyError (or show a raw "{name}") in that language only.
    mismatched = [
        key
        for key, entry in MESSAGES.items()
        if key not in incomplete and _placeholders(entry["ru"]) != _placeholders(entry["en"])
    ]
    assert incomplete == [] and mismatched == []


def test_translate_falls_back_to_english_then_to_the_key():
    assert translate("jm.unhappy_help", "ru", d=3, n=10) == "3 критиков из 10"
    assert translate("jm.unhappy_help", "de", d=3, n=10) == "3 detractors of 10 NPS answers"
    assert translate("no.such.key", "en") == "no.such.key"
