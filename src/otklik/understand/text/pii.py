"""Redact personal data from a comment before it is stored, counting each type.

Types: EMAIL, PHONE (Russian +7/8 formats and international), CARD (Luhn
checked), IBAN (mod-97 checked), ACCOUNT (Russian 20-digit account), SNILS and
INN (check digits), PASSPORT (Russian series and number), NAME (see names.py).
A number that fails its check digit is left alone: "карта 1234 5678 9012 3456"
is not a card. Employee names from the directory can be kept, so praise can
still be credited.

    >>> redact("Пишите на ivan@mail.ru или +7 916 123-45-67").text
    'Пишите на [EMAIL] или [PHONE]'
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

from otklik.understand.text.checksums import iban_valid, inn_valid, luhn_valid, snils_valid
from otklik.understand.text.names import SlovnetNames, find_names

PII_TYPES = ("EMAIL", "PHONE", "CARD", "IBAN", "ACCOUNT", "SNILS", "INN", "PASSPORT", "NAME")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# A run of digits with the separators people type inside numbers.
_NUMBER = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d\u00a0 ()./-]{0,3}\d){7,25}(?!\w)")
_PHONE_RU = re.compile(r"(?:\+7|8|7)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
_SNILS_FMT = re.compile(r"\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}")
_PASSPORT_FMT = re.compile(r"\d{2} ?\d{2} (?:№ ?)?\d{6}")
_DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# What each family of patterns needs before it can match anything. Most comments have no
# digit and no "@", so the number and e-mail scans (and their Python loops) are skipped.
_DIGIT = re.compile(r"\d")
_CAPITAL = re.compile(r"[A-ZА-ЯЁ]")  # every name pattern starts with one (see names.py)
_MAYBE_PII = re.compile(r"[\d@A-ZА-ЯЁ]")
_CONTEXT = {
    "SNILS": re.compile(r"снилс|snils", re.IGNORECASE),
    "INN": re.compile(r"инн|\binn\b|taxpayer", re.IGNORECASE),
    "PASSPORT": re.compile(r"паспорт|passport", re.IGNORECASE),
    "ACCOUNT": re.compile(r"сч[её]т|account|р/с", re.IGNORECASE),
}


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _context(text: str, start: int, kind: str) -> bool:
    return bool(_CONTEXT[kind].search(text[max(0, start - 30) : start]))


def classify_number(raw: str, *, text: str = "", start: int = 0) -> str | None:
    """The PII type of one digit run, or None when it is an ordinary number."""
    digits = re.sub(r"\D", "", raw)
    n = len(digits)
    plus = raw.startswith("+")
    if 13 <= n <= 19 and not plus and luhn_valid(digits):
        return "CARD"
    if n == 20 and not plus:
        return "ACCOUNT"
    if (
        n == 11
        and snils_valid(digits)
        and (_SNILS_FMT.fullmatch(raw.strip()) or _context(text, start, "SNILS"))
    ):
        return "SNILS"
    if n == 10 and (_PASSPORT_FMT.fullmatch(raw.strip()) or _context(text, start, "PASSPORT")):
        return "PASSPORT"
    if n in (10, 12) and _context(text, start, "INN") and inn_valid(digits):
        return "INN"
    if plus and 10 <= n <= 15:
        return "PHONE"
    if n == 11 and digits[0] in "78":
        return "PHONE"
    if n == 10 and (digits[0] == "9" or re.search(r"[()-]", raw)):
        return "PHONE"
    if n in (10, 12) and inn_valid(digits):
        return "INN"
    return None


def may_contain_pii(text: str) -> bool:
    """False when :func:`redact` (without a NER model) cannot find anything in ``text``:
    no digit, no "@" and no capital letter that starts a name."""
    return _MAYBE_PII.search(text) is not None


@lru_cache(maxsize=8)
def _lowered(keep_names: frozenset[str]) -> frozenset[str]:
    return frozenset(k.lower() for k in keep_names)


def _keep_set(keep_names: Collection[str]) -> Collection[str]:
    """`keep_names` lower-cased, once per directory rather than once per comment."""
    if isinstance(keep_names, frozenset):
        return _lowered(keep_names)
    return {k.lower() for k in keep_names}


def redact(
    text: str,
    *,
    names: bool = True,
    keep_names: Collection[str] = (),
    ner: SlovnetNames | None = None,
) -> Redaction:
    """Replace personal data with [TYPE] placeholders and count them.

    `keep_names` holds lower-case name lemmas (e.g. employee first names and
    surnames); a name whose words are all in it stays in the text.
    """
    spans: list[tuple[int, int, str]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b, _ in spans)

    if "@" in text:
        for m in _EMAIL.finditer(text):
            spans.append((m.start(), m.end(), "EMAIL"))
    if _DIGIT.search(text) is not None:
        for m in _IBAN.finditer(text):
            if free(m.start(), m.end()) and iban_valid(m.group()):
                spans.append((m.start(), m.end(), "IBAN"))
        for m in _NUMBER.finditer(text):
            raw = m.group().rstrip(" .-/(")
            s, e = m.start(), m.start() + len(raw)
            if not free(s, e) or _DATE_LIKE.fullmatch(raw):
                continue
            kind = classify_number(raw, text=text, start=s)
            if kind:
                spans.append((s, e, kind))
                continue
            # A phone glued to other numbers ("8 916 123 45 67 2 раза").
            for pm in _PHONE_RU.finditer(raw):
                if free(s + pm.start(), s + pm.end()):
                    spans.append((s + pm.start(), s + pm.end(), "PHONE"))
    if names and _CAPITAL.search(text) is not None:
        keep: Collection[str] | None = None
        for span in find_names(text, ner=ner):
            if keep_names:
                if keep is None:
                    keep = _keep_set(keep_names)
                if all(lemma in keep for lemma in span.lemmas):
                    continue
            if free(span.start, span.end):
                spans.append((span.start, span.end, "NAME"))
    if not spans:
        return Redaction(text, {})
    counts: dict[str, int] = {}
    out, last = [], 0
    for s, e, kind in sorted(spans):
        out.append(text[last:s])
        out.append(f"[{kind}]")
        counts[kind] = counts.get(kind, 0) + 1
        last = e
    out.append(text[last:])
    return Redaction("".join(out), counts)
