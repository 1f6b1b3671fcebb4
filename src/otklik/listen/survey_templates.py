"""Standard surveys to start from (NPS relationship, transactional CSAT, CES after support),
and the default text of each new question type in the builder.

Wording follows the published methods: NPS asks likelihood to recommend on 0–10;
CES 2.0 asks agreement with "The company made it easy for me to handle my issue" on 1–7.
"""

from __future__ import annotations

import copy
from typing import Any


def _t(ru: str, en: str) -> dict[str, str]:
    return {"ru": ru, "en": en}


NPS_TEXT = _t(
    "Насколько вероятно, что вы порекомендуете нас другу или коллеге?",
    "How likely are you to recommend us to a friend or colleague?",
)
CSAT_TEXT = _t(
    "Насколько вы довольны полученным обслуживанием?",
    "How satisfied are you with the service you received?",
)
CES_TEXT = _t(
    "Компания позволила мне легко решить мой вопрос.",
    "The company made it easy for me to handle my issue.",
)
AGREE_LABELS = {
    "low_label": _t("Совершенно не согласен", "Strongly disagree"),
    "high_label": _t("Полностью согласен", "Strongly agree"),
}
CONTACT_TEXT = _t(
    "Можно ли связаться с вами, чтобы обсудить ваш ответ?",
    "May we contact you about your answer?",
)

# The text and options a question of each type starts with in the builder.
QUESTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "nps": {
        "text": NPS_TEXT,
        "low_label": _t("Точно нет", "Not at all likely"),
        "high_label": _t("Обязательно", "Extremely likely"),
    },
    "csat": {
        "text": CSAT_TEXT,
        "low_label": _t("Очень недоволен", "Very dissatisfied"),
        "high_label": _t("Очень доволен", "Very satisfied"),
    },
    "ces": {"text": CES_TEXT, **AGREE_LABELS},
    "rating": {"text": _t("Оцените, пожалуйста", "Please rate"), "scale_max": 5},
    "single_choice": {
        "text": _t("Выберите один вариант", "Choose one option"),
        "choices": [
            {"value": "a", "label": _t("Вариант 1", "Option 1")},
            {"value": "b", "label": _t("Вариант 2", "Option 2")},
        ],
    },
    "multi_choice": {
        "text": _t("Выберите все подходящие варианты", "Choose all that apply"),
        "choices": [
            {"value": "a", "label": _t("Вариант 1", "Option 1")},
            {"value": "b", "label": _t("Вариант 2", "Option 2")},
        ],
    },
    "text": {"text": _t("Расскажите подробнее", "Please tell us more")},
    "yes_no": {"text": _t("Ваш вопрос решён?", "Was your issue resolved?")},
    "consent": {
        "text": _t(
            "Я согласен(а), что мои ответы будут использованы для улучшения сервиса.",
            "I agree that my answers will be used to improve the service.",
        )
    },
    "contact_permission": {"text": CONTACT_TEXT},
}


def _q(qid: str, qtype: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": qtype, **copy.deepcopy(QUESTION_DEFAULTS[qtype]), **extra}


def _lte(question: str, value: int) -> dict[str, Any]:
    return {"question": question, "op": "lte", "value": value}


_NPS_RELATIONSHIP = {
    "title": _t("Ваше мнение о нас", "Your opinion of us"),
    "intro": _t("Два коротких вопроса — меньше минуты.", "Two short questions — under a minute."),
    "questions": [
        _q("nps", "nps", required=True),
        _q(
            "reason",
            "text",
            text=_t(
                "Какова главная причина вашей оценки {{nps}}?",
                "What is the main reason for your score of {{nps}}?",
            ),
            is_comment=True,
        ),
        _q(
            "improve",
            "text",
            text=_t("Что нам стоит исправить в первую очередь?", "What should we fix first?"),
            show_if=_lte("nps", 6),
        ),
        _q("contact", "contact_permission", show_if=_lte("nps", 6)),
    ],
    "thank_you": {
        "rules": [
            {
                "when": {"question": "nps", "op": "gte", "value": 9},
                "text": _t(
                    "Спасибо! Мы рады, что вы готовы нас рекомендовать.",
                    "Thank you! We are glad you would recommend us.",
                ),
            },
            {
                "when": _lte("nps", 6),
                "text": _t(
                    "Спасибо за честность. Мы разберёмся и станем лучше.",
                    "Thank you for your honesty. We will look into it and do better.",
                ),
            },
        ],
        "default": _t("Спасибо за ваш отзыв!", "Thank you for your feedback!"),
    },
}

_CSAT_TRANSACTIONAL = {
    "title": _t("Как всё прошло?", "How did it go?"),
    "questions": [
        _q("csat", "csat", required=True),
        _q(
            "problems",
            "multi_choice",
            text=_t("Что пошло не так?", "What went wrong?"),
            show_if=_lte("csat", 3),
            choices=[
                {"value": "wait", "label": _t("Долгое ожидание", "Long wait")},
                {"value": "staff", "label": _t("Отношение сотрудника", "Staff attitude")},
                {"value": "competence", "label": _t("Не смогли помочь", "Could not help me")},
                {"value": "result", "label": _t("Результат не устроил", "Unhappy with the result")},
                {"value": "other", "label": _t("Другое", "Something else")},
            ],
        ),
        _q(
            "comment",
            "text",
            text=_t("Что мы могли бы сделать лучше?", "What could we have done better?"),
        ),
    ],
    "thank_you": {
        "rules": [
            {
                "when": _lte("csat", 3),
                "text": _t(
                    "Спасибо. Нам жаль, что всё прошло не так — мы учтём ваш отзыв.",
                    "Thank you. We are sorry it went wrong — we will act on your feedback.",
                ),
            }
        ],
        "default": _t("Спасибо за вашу оценку!", "Thank you for your rating!"),
    },
}

_CES_SUPPORT = {
    "title": _t("Оцените обращение в поддержку", "Rate your support request"),
    "questions": [
        _q("ces", "ces", required=True),
        _q("resolved", "yes_no", required=True),
        _q(
            "difficulty",
            "text",
            text=_t("Что затруднило решение вопроса?", "What made it difficult?"),
            show_if={"any": [_lte("ces", 3), {"question": "resolved", "op": "eq", "value": False}]},
            is_comment=True,
        ),
        _q("contact", "contact_permission", show_if=_lte("ces", 3)),
    ],
    "thank_you": {
        "rules": [
            {
                "when": {"question": "resolved", "op": "eq", "value": False},
                "text": _t(
                    "Спасибо. Мы передадим ваш вопрос, чтобы его решили.",
                    "Thank you. We will pass your issue on so that it gets solved.",
                ),
            }
        ],
        "default": _t("Спасибо за ваш отзыв!", "Thank you for your feedback!"),
    },
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "nps-relationship": {
        "name": _t("NPS: отношение к компании", "NPS relationship"),
        "description": _t(
            "Готовность рекомендовать, причина оценки, просьба о связи с критиками.",
            "Likelihood to recommend, the reason, and a follow-up for detractors.",
        ),
        "definition": _NPS_RELATIONSHIP,
    },
    "csat-transactional": {
        "name": _t("CSAT после взаимодействия", "Transactional CSAT"),
        "description": _t(
            "Удовлетворённость конкретным визитом или обращением и что пошло не так.",
            "Satisfaction with one visit or contact, and what went wrong.",
        ),
        "definition": _CSAT_TRANSACTIONAL,
    },
    "ces-support": {
        "name": _t("CES после обращения в поддержку", "CES after support"),
        "description": _t(
            "Лёгкость решения вопроса (CES 2.0), решён ли вопрос и что мешало.",
            "Ease of handling the issue (CES 2.0), whether it was resolved, what got in the way.",
        ),
        "definition": _CES_SUPPORT,
    },
}


def template_definition(key: str) -> dict[str, Any]:
    """A fresh copy of a template's definition JSON (callers may edit it freely)."""
    return copy.deepcopy(TEMPLATES[key]["definition"])


def new_question(qtype: str, qid: str) -> dict[str, Any]:
    """A question of ``qtype`` with its default RU/EN texts, ready to edit."""
    return _q(qid, qtype)
