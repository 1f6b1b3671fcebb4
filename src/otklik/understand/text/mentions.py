"""Employee mentions: names and aliases from the directory, in any Russian case.

"Спасибо Ольге Петровой" and "Ольгой довольна" both point to Ольга Петрова:
every word is reduced to its possible dictionary forms (pymorphy3), and
compared with the dictionary forms of the directory's names. A first name
alone counts only when one employee has it; otherwise the mention is kept as
ambiguous with its candidates, so recognition never credits the wrong person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from otklik.understand.text.morph import ru_lemmas

_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CYR = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class Employee:
    id: str
    name: str  # "Ольга Петрова", "Ольга Ивановна Петрова", "John Smith"
    aliases: tuple[str, ...] = ()  # "Оля", "Olga", "Ольга из кассы"


@dataclass(frozen=True, slots=True)
class Mention:
    employee_id: str | None  # None when ambiguous
    start: int
    end: int
    text: str
    matched_by: str  # "full", "first", "surname" or "alias"
    candidates: tuple[str, ...] = ()  # employee ids when ambiguous


def word_forms(word: str) -> frozenset[str]:
    """Possible dictionary forms of a word (lower case, ё → е)."""
    w = word.lower().replace("ё", "е")
    if _CYR.search(w):
        return ru_lemmas(w) | {w}
    return frozenset({w})


def _lemma_seq(phrase: str) -> tuple[frozenset[str], ...]:
    return tuple(word_forms(w) for w in _TOKEN.findall(phrase))


class EmployeeDirectory:
    """Index of employees' names for mention matching and PII exceptions."""

    def __init__(self, employees: Iterable[Employee]) -> None:
        self.employees = {e.id: e for e in employees}
        self._first: dict[str, set[str]] = {}
        self._last: dict[str, set[str]] = {}
        self._aliases: list[tuple[tuple[frozenset[str], ...], str]] = []
        self._lemmas: set[str] = set()
        for e in self.employees.values():
            seq = _lemma_seq(e.name)
            if not seq:
                continue
            for forms in seq:
                self._lemmas |= forms
            for lem in seq[0]:
                self._first.setdefault(lem, set()).add(e.id)
            if len(seq) > 1:
                for lem in seq[-1]:
                    self._last.setdefault(lem, set()).add(e.id)
            for alias in e.aliases:
                aseq = _lemma_seq(alias)
                if aseq:
                    self._aliases.append((aseq, e.id))
                    for forms in aseq:
                        self._lemmas |= forms

    def keep_names(self) -> frozenset[str]:
        """Lemmas that PII redaction leaves in place when employee names are kept."""
        return frozenset(self._lemmas)

    def _ids(self, index: dict[str, set[str]], forms: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for f in forms:
            out |= index.get(f, set())
        return out

    def find(self, text: str) -> list[Mention]:
        """Mentions in reading order; a full name wins over its parts."""
        if not self.employees:
            return []
        tokens = list(_TOKEN.finditer(text))
        forms = [word_forms(t.group()) for t in tokens]
        capital = [t.group()[0].isupper() for t in tokens]
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            found = self._alias_at(forms, i) or self._full_at(forms, i)
            if found:
                length, emp, how = found
            else:
                length, emp, how = 1, None, ""
                if capital[i]:
                    first = self._ids(self._first, forms[i])
                    last = self._ids(self._last, forms[i])
                    ids, how = (first, "first") if first else (last, "surname")
                    if len(ids) == 1:
                        emp = next(iter(ids))
                    elif len(ids) > 1:
                        s, e = tokens[i].start(), tokens[i].end()
                        out.append(Mention(None, s, e, text[s:e], how, tuple(sorted(ids))))
            if emp:
                s, e = tokens[i].start(), tokens[i + length - 1].end()
                out.append(Mention(emp, s, e, text[s:e], how))
            i += length
        return out

    def _alias_at(self, forms, i):
        for aseq, emp in self._aliases:
            n = len(aseq)
            if i + n <= len(forms) and all(forms[i + k] & aseq[k] for k in range(n)):
                return n, emp, "alias"
        return None

    def _full_at(self, forms, i):
        """First + (patronymic) + last name, or last + first, starting at token i."""
        for gap in (1, 2):
            j = i + gap
            if j >= len(forms):
                break
            a = self._ids(self._first, forms[i]) & self._ids(self._last, forms[j])
            b = self._ids(self._last, forms[i]) & self._ids(self._first, forms[j])
            both = a | b
            if len(both) == 1:
                return gap + 1, next(iter(both)), "full"
        return None
