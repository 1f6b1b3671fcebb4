"""Answers against a definition: show-if, required, coercion, piping, thank-you rules, metrics."""

from __future__ import annotations

import pytest

from otklik.listen.answers import (
    metric_fields,
    pipe,
    render_questions,
    thank_you_text,
    validate_answers,
    visible_questions,
)
from otklik.listen.definition import parse_definition
from otklik.listen.survey_templates import template_definition


def t(ru: str, en: str) -> dict[str, str]:
    return {"ru": ru, "en": en}


DEFINITION = parse_definition(
    {
        "title": t("Опрос", "Survey"),
        "questions": [
            {"id": "nps", "type": "nps", "text": t("Оценка?", "Score?"), "required": True},
            {
                "id": "wrong",
                "type": "text",
                "text": t("Что не так с оценкой {{nps}}?", "What went wrong with {{nps}}?"),
                "required": True,
                "show_if": {"question": "nps", "op": "lte", "value": 6},
            },
            {
                "id": "areas",
                "type": "multi_choice",
                "text": t("Что важно?", "What matters?"),
                "choices": [
                    {"value": "price", "label": t("Цена", "Price")},
                    {"value": "speed", "label": t("Скорость", "Speed")},
                    {"value": "staff", "label": t("Сотрудники", "Staff")},
                ],
                "max_selected": 2,
            },
            {
                "id": "fast",
                "type": "yes_no",
                "text": t("Вы выбрали: {{areas}}. Было быстро?", "You chose: {{areas}}. Fast?"),
                "show_if": {
                    "all": [
                        {"question": "areas", "op": "contains", "value": "speed"},
                        {"question": "nps", "op": "gte", "value": 5},
                    ]
                },
            },
            {"id": "csat", "type": "csat", "text": t("Довольны?", "Satisfied?")},
            {"id": "ces", "type": "ces", "text": t("Легко?", "Easy?")},
            {"id": "stars", "type": "rating", "text": t("Звёзды", "Stars"), "scale_max": 10},
            {"id": "note", "type": "text", "text": t("Ещё?", "Anything else?"), "is_comment": True},
            {"id": "agree", "type": "consent", "text": t("Согласен", "I agree"), "required": True},
            {"id": "call", "type": "contact_permission", "text": t("Звонить?", "Call?")},
        ],
        "thank_you": {
            "rules": [
                {
                    "when": {"question": "nps", "op": "gte", "value": 9},
                    "text": t("Ура!", "Yay, {{nps}}!"),
                },
                {"when": {"question": "nps", "op": "lte", "value": 6}, "text": t("Жаль", "Sorry")},
            ],
            "default": t("Спасибо", "Thanks"),
        },
    }
)


def ids(questions) -> list[str]:
    return [q.id for q in questions]


def test_follow_up_is_shown_only_for_detractors():
    assert "wrong" in ids(visible_questions(DEFINITION, {"nps": 6}))
    assert "wrong" not in ids(visible_questions(DEFINITION, {"nps": 7}))
    assert "wrong" not in ids(visible_questions(DEFINITION, {}))


def test_and_condition_needs_every_part():
    assert "fast" in ids(visible_questions(DEFINITION, {"nps": 8, "areas": ["speed"]}))
    assert "fast" not in ids(visible_questions(DEFINITION, {"nps": 3, "areas": ["speed"]}))
    assert "fast" not in ids(visible_questions(DEFINITION, {"nps": 8, "areas": ["price"]}))


def test_required_visible_question_must_be_answered():
    _, errors = validate_answers(DEFINITION, {"nps": "4", "agree": "yes"})
    assert set(errors) == {"wrong"}
    assert errors["wrong"].code == "required"
    assert errors["wrong"].message("ru") == "Пожалуйста, ответьте на вопрос."


def test_hidden_required_question_is_not_required_and_its_answer_is_dropped():
    clean, errors = validate_answers(
        DEFINITION, {"nps": 9, "wrong": "left over from an earlier score", "agree": True}
    )
    assert errors == {}
    assert clean == {"nps": 9, "agree": True}


def test_required_consent_must_be_given():
    _, errors = validate_answers(DEFINITION, {"nps": 9, "agree": "no"})
    assert errors["agree"].code == "must_accept"


def test_form_strings_are_coerced_to_typed_values():
    clean, errors = validate_answers(
        DEFINITION,
        {
            "nps": "8",
            "areas": ["staff", "speed"],
            "fast": "yes",
            "csat": "5",
            "ces": 6,
            "stars": "10",
            "note": "  Всё хорошо \r\n спасибо ",
            "agree": "on",
            "call": "false",
        },
    )
    assert errors == {}
    assert clean == {
        "nps": 8,
        "areas": ["speed", "staff"],
        "fast": True,
        "csat": 5,
        "ces": 6,
        "stars": 10,
        "note": "Всё хорошо \n спасибо",
        "agree": True,
        "call": False,
    }


@pytest.mark.parametrize(
    ("answers", "question", "code"),
    [
        ({"nps": 11}, "nps", "out_of_range"),
        ({"nps": True}, "nps", "out_of_range"),
        ({"nps": "7.5"}, "nps", "out_of_range"),
        ({"csat": 0}, "csat", "out_of_range"),
        ({"ces": 8}, "ces", "out_of_range"),
        ({"stars": 11}, "stars", "out_of_range"),
        ({"areas": ["price", "speed", "staff"]}, "areas", "too_many"),
        ({"areas": ["cheap"]}, "areas", "unknown_choice"),
        ({"call": "maybe"}, "call", "not_boolean"),
        ({"note": "x" * 2001}, "note", "too_long"),
        ({"bogus": 1}, "bogus", "unknown_question"),
    ],
)
def test_bad_answers_are_refused_with_a_code(answers, question, code):
    _, errors = validate_answers(DEFINITION, {"nps": 9, "agree": True, **answers})
    assert errors[question].code == code
    assert errors[question].message("en")


def test_check_required_limits_the_required_check_to_one_step():
    _, errors = validate_answers(DEFINITION, {"nps": 3}, check_required={"nps"})
    assert errors == {}


def test_piping_inserts_earlier_answers_in_the_language():
    answers = {"nps": 4, "areas": ["price", "speed"], "fast": False}
    wrong = DEFINITION.question("wrong")
    assert pipe(wrong.text, DEFINITION, answers, "en") == "What went wrong with 4?"
    fast = DEFINITION.question("fast")
    assert pipe(fast.text, DEFINITION, answers, "ru") == "Вы выбрали: Цена, Скорость. Было быстро?"
    assert pipe(fast.text, DEFINITION, {}, "en") == "You chose: . Fast?"


def test_thank_you_text_follows_the_first_matching_rule():
    assert thank_you_text(DEFINITION, {"nps": 10}, "en") == "Yay, 10!"
    assert thank_you_text(DEFINITION, {"nps": 2}, "ru") == "Жаль"
    assert thank_you_text(DEFINITION, {"nps": 7}, "en") == "Thanks"
    assert thank_you_text(DEFINITION, {}, "ru") == "Спасибо"


def test_metric_columns_come_from_the_typed_questions_and_the_marked_comment():
    clean, _ = validate_answers(
        DEFINITION,
        {
            "nps": 3,
            "wrong": "Долго ждал",
            "csat": 2,
            "ces": 5,
            "note": "Итог",
            "agree": True,
            "call": "yes",
        },
    )
    assert metric_fields(DEFINITION, clean) == {
        "nps": 3,
        "csat": 2,
        "ces": 5,
        "comment": "Итог",
        "contact_permission": True,
    }


def test_comment_defaults_to_the_first_answered_text_question():
    definition = parse_definition(template_definition("csat-transactional"))
    clean, errors = validate_answers(
        definition, {"csat": "2", "problems": ["wait"], "comment": "Очередь"}
    )
    assert errors == {}
    assert metric_fields(definition, clean) == {
        "nps": None,
        "csat": 2,
        "ces": None,
        "comment": "Очередь",
        "contact_permission": None,
    }


def test_ces_template_asks_what_made_it_hard_when_unresolved_or_effortful():
    definition = parse_definition(template_definition("ces-support"))
    assert "difficulty" in ids(visible_questions(definition, {"ces": 7, "resolved": False}))
    assert "difficulty" in ids(visible_questions(definition, {"ces": 2, "resolved": True}))
    assert "difficulty" not in ids(visible_questions(definition, {"ces": 6, "resolved": True}))
    assert thank_you_text(definition, {"ces": 6, "resolved": False}, "en").startswith("Thank you.")


def test_rendered_questions_are_plain_data_in_the_language():
    items = render_questions(DEFINITION, "en", {"nps": 5})
    first, second = items[0], items[1]
    assert first["points"] == list(range(11))
    assert second["text"] == "What went wrong with 5?"
    consent = next(i for i in items if i["id"] == "agree")
    assert consent["choices"] == [("yes", "Yes"), ("no", "No")]
