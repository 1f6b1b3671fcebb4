"""Check digits of Russian and international identifiers, so that a random
number that merely *looks* like a card or an INN is not redacted."""

from __future__ import annotations


def luhn_valid(digits: str) -> bool:
    """Luhn check used by payment cards (ISO/IEC 7812)."""
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def snils_valid(digits: str) -> bool:
    """SNILS (Russian pension insurance number): 9 digits and a 2-digit control."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    if total > 101:
        total %= 101
    control = 0 if total in (100, 101) else total
    return control == int(digits[9:])


_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_valid(digits: str) -> bool:
    """INN (Russian taxpayer number): 10 digits (organisation) or 12 (person)."""
    if not digits.isdigit():
        return False
    if len(digits) == 10:
        return _inn_digit(digits, _INN10) == int(digits[9])
    if len(digits) == 12:
        return _inn_digit(digits, _INN11) == int(digits[10]) and _inn_digit(digits, _INN12) == int(
            digits[11]
        )
    return False


def iban_valid(iban: str) -> bool:
    """IBAN mod-97 check (ISO 13616)."""
    s = iban.replace(" ", "").upper()
    if len(s) < 15 or len(s) > 34 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    moved = s[4:] + s[:4]
    try:
        number = "".join(str(int(ch, 36)) for ch in moved)
    except ValueError:
        return False
    return int(number) % 97 == 1
