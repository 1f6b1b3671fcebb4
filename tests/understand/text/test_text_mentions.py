"""Employee mentions: names, aliases and Russian case forms."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "Спасибо Ольге за помощь",
        "Очень довольна Ольгой",
        "Ольга Петрова всё объяснила",
        "Благодарю Петрову Ольгу",
        "Оля молодец",
        "Большое спасибо Оле",
    ],
)
def test_case_forms_and_aliases_point_to_the_employee(staff, text):
    found = staff.find(text)
    assert [m.employee_id for m in found] == ["e1"]


def test_full_name_with_patronymic_is_one_mention(staff):
    found = staff.find("Иван Сергеевич Смирнов ответил на все вопросы")
    assert [(m.employee_id, m.text, m.matched_by) for m in found] == [
        ("e2", "Иван Сергеевич Смирнов", "full")
    ]


def test_shared_first_name_is_ambiguous_unless_surname_given(staff):
    alone = staff.find("Анна помогла")
    assert alone[0].employee_id is None and alone[0].candidates == ("e3", "e4")
    assert [m.employee_id for m in staff.find("Анна Волкова помогла")] == ["e4"]
    assert [m.employee_id for m in staff.find("спасибо Кузнецовой")] == ["e3"]


def test_english_names_and_aliases(staff):
    assert [m.employee_id for m in staff.find("John Smith was great")] == ["e5"]
    assert [m.employee_id for m in staff.find("Thanks Johnny!")] == ["e5"]


def test_lowercase_common_words_are_not_mentions(staff):
    assert staff.find("оля-ля, анна сказала бы иначе") == []
    assert staff.find("Доставка опоздала") == []
