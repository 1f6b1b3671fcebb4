"""PII redaction: each type, check digits, Russian formats, employee-name exceptions."""

from __future__ import annotations

import pytest

from otklik.understand.text import redact
from otklik.understand.text.checksums import iban_valid, inn_valid, luhn_valid, snils_valid


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        ("Пишите на ivan.petrov@mail.ru", "Пишите на [EMAIL]", {"EMAIL": 1}),
        ("Мой номер +7 916 123-45-67", "Мой номер [PHONE]", {"PHONE": 1}),
        ("звоните 8 (916) 123-45-67", "звоните [PHONE]", {"PHONE": 1}),
        ("тел. 89161234567!", "тел. [PHONE]!", {"PHONE": 1}),
        ("тел 9161234567", "тел [PHONE]", {"PHONE": 1}),
        ("call (555) 123-4567 or +1 415 555 2671", "call [PHONE] or [PHONE]", {"PHONE": 2}),
        ("карта 4111 1111 1111 1111 заблокирована", "карта [CARD] заблокирована", {"CARD": 1}),
        ("card 5500-0000-0000-0004", "card [CARD]", {"CARD": 1}),
        ("счёт 40817810099910004312", "счёт [ACCOUNT]", {"ACCOUNT": 1}),
        ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN [IBAN] please", {"IBAN": 1}),
        ("СНИЛС 112-233-445 95", "СНИЛС [SNILS]", {"SNILS": 1}),
        ("ИНН 7707083893", "ИНН [INN]", {"INN": 1}),
        ("мой инн 500100732259", "мой инн [INN]", {"INN": 1}),
        ("паспорт 45 08 123456", "паспорт [PASSPORT]", {"PASSPORT": 1}),
        ("паспорт 4508123456", "паспорт [PASSPORT]", {"PASSPORT": 1}),
    ],
)
def test_each_pii_type_is_replaced_and_counted(text, expected, counts):
    result = redact(text, names=False)
    assert result.text == expected
    assert result.counts == counts


@pytest.mark.parametrize(
    "text",
    [
        "карта 4111 1111 1111 1112 не работает",  # fails Luhn
        "СНИЛС 112-233-445 96",  # wrong control number
        "20.11.2024 в 10:15 перевёл 1 500 000 рублей",  # dates and amounts
        "заказ № 123456, трек 55",
        "IBAN GB82 WEST 1234 5698 7654 33",  # fails mod-97
    ],
)
def test_numbers_that_fail_their_check_or_are_ordinary_stay(text):
    assert redact(text, names=False).text == text


def test_checksums_on_known_values():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert inn_valid("7707083893") and not inn_valid("7707083894")
    assert inn_valid("500100732259") and not inn_valid("500100732258")
    assert snils_valid("11223344595") and not snils_valid("11223344596")
    assert iban_valid("DE89 3704 0044 0532 0130 00") and not iban_valid(
        "DE89 3704 0044 0532 0130 01"
    )


def test_russian_names_in_any_case_are_redacted():
    result = redact("Оператор Ольга Петрова помогла, спасибо Ольге! Иван Сергеевич не ответил.")
    assert result.text == "Оператор [NAME] помогла, спасибо [NAME]! [NAME] не ответил."
    assert result.counts == {"NAME": 3}


def test_english_names_are_redacted_but_ordinary_capitalised_words_are_not():
    result = redact("Anna Smith from support was great. Thanks to John! Will it work in May?")
    assert result.text == "[NAME] from support was great. Thanks to [NAME]! Will it work in May?"


def test_employee_names_from_the_directory_can_be_kept(staff):
    text = "Ольга Петрова помогла, а Мария нахамила"
    kept = redact(text, keep_names=staff.keep_names())
    assert kept.text == "Ольга Петрова помогла, а [NAME] нахамила"
    assert redact(text).text == "[NAME] помогла, а [NAME] нахамила"


def test_plain_text_without_pii_is_unchanged_and_has_no_counts():
    result = redact("Доставка опоздала на два часа")
    assert result.text == "Доставка опоздала на два часа"
    assert result.counts == {} and result.total == 0


@pytest.mark.parametrize(
    "text",
    [
        "Пишите на ivan.petrov@mail.ru",
        "тел 9161234567",
        "IBAN GB82 WEST 1234 5698 7654 32 please",
        "спасибо Ольге за помощь",
        "thanks to John Smith",
        "мой номер ٩١٦١٢٣٤٥٦٧",  # non-ASCII digits are digits to the patterns too
    ],
)
def test_the_cheap_precheck_never_skips_text_that_redact_changes(text):
    from otklik.understand.text.pii import may_contain_pii

    assert redact(text).text != text
    assert may_contain_pii(text)


def test_text_without_digits_at_signs_or_capitals_is_skipped_by_the_precheck():
    from otklik.understand.text.pii import may_contain_pii

    assert not may_contain_pii("доставка опоздала на два часа, but the courier was nice")


def test_kept_names_are_matched_case_insensitively_for_any_collection():
    text = "Ольга Петрова помогла, а Мария нахамила"
    for keep in (frozenset({"Ольга", "ПЕТРОВ"}), ["ольга", "петров"], ("Ольга", "Петров")):
        assert redact(text, keep_names=keep).text == "Ольга Петрова помогла, а [NAME] нахамила"
