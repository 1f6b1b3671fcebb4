"""The survey definition: structure, cross-references, RU/EN completeness, the published schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from otklik.listen.definition import (
    DefinitionInvalid,
    SurveyDefinition,
    definition_json_schema,
    dump_definition,
    parse_definition,
)
from otklik.listen.survey_templates import QUESTION_DEFAULTS, TEMPLATES, template_definition

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "survey-definition.schema.json"


def t(ru: str, en: str) -> dict[str, str]:
    return {"ru": ru, "en": en}


def survey(*questions: dict, **extra) -> dict:
    return {"title": t("Опрос", "Survey"), "questions": list(questions), **extra}


NPS = {"id": "nps", "type": "nps", "text": t("Порекомендуете?", "Recommend?"), "required": True}


def problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionInvalid) as info:
        parse_definition(data)
    return info.value.problems


def test_missing_english_text_is_refused_with_its_path():
    q = {"id": "why", "type": "text", "text": {"ru": "Почему?"}}
    assert problems(survey(NPS, q)) == [("questions[1].text.en", "Field required")]


def test_blank_russian_label_of_a_choice_is_refused():
    q = {
        "id": "pick",
        "type": "single_choice",
        "text": t("Выберите", "Pick"),
        "choices": [{"value": "a", "label": t("  ", "A")}, {"value": "b", "label": t("Б", "B")}],
    }
    [(path, msg)] = problems(survey(q))
    assert path == "questions[0].choices[0].label.ru"
    assert "at least 1 character" in msg


def test_missing_title_language_is_refused():
    assert problems({"title": {"en": "Survey"}}) == [("title.ru", "Field required")]


def test_duplicate_question_ids_are_refused():
    dup = {**NPS, "text": t("Ещё раз?", "Again?")}
    assert problems(survey(NPS, dup)) == [("questions[1].id", "duplicate question id 'nps'")]


def test_condition_must_refer_to_an_earlier_question():
    why = {
        "id": "why",
        "type": "text",
        "text": t("Почему?", "Why?"),
        "show_if": {"question": "nps", "op": "lte", "value": 6},
    }
    assert problems(survey(why, NPS)) == [
        ("questions[0].show_if.question", "'nps' is not an earlier question")
    ]


def test_nested_condition_errors_name_the_nested_path():
    why = {
        "id": "why",
        "type": "text",
        "text": t("Почему?", "Why?"),
        "show_if": {"any": [{"question": "nps", "op": "lte", "value": 6}, {"question": "x"}]},
    }
    [(path, msg)] = problems(survey(NPS, why))
    assert path == "questions[1].show_if.any[1].op"
    assert msg == "Field required"


@pytest.mark.parametrize(
    ("condition", "path", "message"),
    [
        ({"question": "nps", "op": "lte", "value": 11}, "value", "must be a number from 0 to 10"),
        ({"question": "nps", "op": "contains", "value": 3}, "op", "needs a multi_choice"),
        ({"question": "nps", "op": "in", "value": 3}, "value", "needs a non-empty list"),
        ({"question": "nps", "op": "answered", "value": 3}, "value", "takes no value"),
        ({"question": "pick", "op": "eq", "value": "zz"}, "value", "'zz' is not a choice"),
        ({"question": "pick", "op": "gt", "value": 1}, "op", "needs a numeric question"),
    ],
)
def test_condition_values_must_fit_the_question(condition, path, message):
    pick = {
        "id": "pick",
        "type": "single_choice",
        "text": t("Выберите", "Pick"),
        "choices": [{"value": "a", "label": t("А", "A")}, {"value": "b", "label": t("Б", "B")}],
    }
    why = {"id": "why", "type": "text", "text": t("Почему?", "Why?"), "show_if": condition}
    [(got_path, got_msg)] = problems(survey(NPS, pick, why))
    assert got_path == f"questions[2].show_if.{path}"
    assert message in got_msg


def test_choices_must_be_present_and_unique():
    empty = {"id": "pick", "type": "single_choice", "text": t("В", "P"), "choices": []}
    assert problems(survey(empty))[0][0] == "questions[0].choices"
    same = {
        "id": "many",
        "type": "multi_choice",
        "text": t("В", "P"),
        "choices": [{"value": "a", "label": t("А", "A")}, {"value": "a", "label": t("Б", "B")}],
    }
    assert problems(survey(same)) == [("questions[0].choices[1].value", "duplicate value 'a'")]


def test_piping_must_refer_to_an_earlier_question():
    why = {"id": "why", "type": "text", "text": t("Почему {{score}}?", "Why {{ score }}?")}
    assert problems(survey(NPS, why)) == [
        ("questions[1].text", "{{score}} is not an earlier question")
    ]


def test_thank_you_rules_may_refer_to_any_question_but_not_unknown_ones():
    rule = {"when": {"question": "ghost", "op": "answered"}, "text": t("Спасибо", "Thanks")}
    [(path, _)] = problems(survey(NPS, thank_you={"rules": [rule]}))
    assert path == "thank_you.rules[0].when.question"


def test_only_one_comment_question_and_unknown_fields_are_refused():
    a = {"id": "a", "type": "text", "text": t("А", "A"), "is_comment": True}
    b = {"id": "b", "type": "text", "text": t("Б", "B"), "is_comment": True}
    assert problems(survey(a, b)) == [
        ("questions[1].is_comment", "only one question can be the comment")
    ]
    odd = {**NPS, "colour": "red"}
    assert problems(survey(odd))[0][0] == "questions[0].colour"


def test_unknown_question_type_is_refused_naming_the_type_field():
    [(path, msg)] = problems(survey({"id": "x", "type": "slider", "text": t("А", "A")}))
    assert path == "questions[0]"
    assert "slider" in msg


def test_privacy_link_must_be_a_web_or_site_path():
    bad = survey(NPS, notice={"text": t("Т", "T"), "privacy_url": "javascript:alert(1)"})
    assert problems(bad)[0][0] == "notice.privacy_url"
    good = parse_definition(survey(NPS, notice={"text": t("Т", "T"), "privacy_url": "/privacy"}))
    assert good.notice.privacy_url == "/privacy"


def test_direct_model_validation_also_checks_cross_references():
    with pytest.raises(ValueError, match=r"questions\[1\]\.id: duplicate"):
        SurveyDefinition.model_validate(survey(NPS, NPS))


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_is_a_valid_bilingual_definition(key):
    definition = parse_definition(template_definition(key))
    assert definition.questions and definition.questions[0].required
    assert dump_definition(parse_definition(dump_definition(definition))) == dump_definition(
        definition
    )


def test_ces_template_uses_the_standard_wording():
    ces = parse_definition(template_definition("ces-support")).question("ces")
    assert ces.text.en == "The company made it easy for me to handle my issue."
    assert ces.text.ru == "Компания позволила мне легко решить мой вопрос."


@pytest.mark.parametrize("qtype", sorted(QUESTION_DEFAULTS))
def test_every_question_type_has_valid_default_texts(qtype):
    parse_definition(survey({"id": "q", "type": qtype, **QUESTION_DEFAULTS[qtype]}))


def test_published_schema_file_is_up_to_date():
    """Regenerate with: OTKLIK_WRITE_SCHEMA=1 pytest tests/listen/test_definition.py -k schema"""
    current = json.dumps(definition_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("OTKLIK_WRITE_SCHEMA") == "1":
        SCHEMA_FILE.write_text(current, encoding="utf-8")
    assert SCHEMA_FILE.exists(), f"{SCHEMA_FILE} is missing"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == current, (
        "docs/survey-definition.schema.json is stale: run "
        "OTKLIK_WRITE_SCHEMA=1 pytest tests/listen/test_definition.py -k schema"
    )


def test_schema_describes_every_question_type_and_requires_both_languages():
    schema = definition_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    local = schema["$defs"]["LocalText"]
    assert sorted(local["required"]) == ["en", "ru"]
    types = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {}) and "const" in d["properties"]["type"]
    }
    assert types == set(QUESTION_DEFAULTS)
