"""Answers against a definition: visibility, validation, piping, thank-you text, metric columns.

Pure functions with no I/O, shared by every way an answer arrives (the public survey
page, the widget, the API) and by the builder's preview, so a survey behaves the
same everywhere. Typical use by a page handler::

    clean, errors = validate_answers(definition, form_answers)
    if not errors:
        fields = metric_fields(definition, clean)   # nps / csat / ces / comment
        text = thank_you_text(definition, clean, lang)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from otklik.listen.definition import (
    BOOLEAN_TYPES,
    PIPE_RE,
    SCALES,
    AllOf,
    AnyOf,
    AnyQuestion,
    LocalText,
    MultiChoiceQuestion,
    SingleChoiceQuestion,
    SurveyDefinition,
    TextQuestion,
    parse_definition,
    scale_of,
)

_TRUE = {"true", "yes", "1", "on", "да"}
_FALSE = {"false", "no", "0", "off", "нет"}
_YES_NO = {"en": ("Yes", "No"), "ru": ("Да", "Нет")}

ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "required": {"en": "Please answer this question.", "ru": "Пожалуйста, ответьте на вопрос."},
    "must_accept": {"en": "Please give your consent.", "ru": "Пожалуйста, дайте согласие."},
    "out_of_range": {
        "en": "Choose a number from {low} to {high}.",
        "ru": "Выберите число от {low} до {high}.",
    },
    "unknown_choice": {"en": "Choose one of the options.", "ru": "Выберите один из вариантов."},
    "too_many": {"en": "Choose at most {max} options.", "ru": "Выберите не больше {max}."},
    "too_long": {
        "en": "Please shorten the text to {max} characters.",
        "ru": "Сократите текст до {max} символов.",
    },
    "not_boolean": {"en": "Answer yes or no.", "ru": "Ответьте «да» или «нет»."},
    "unknown_question": {"en": "There is no such question.", "ru": "Такого вопроса нет."},
}


@dataclass(frozen=True)
class AnswerError:
    """Why one answer was refused; ``message(lang)`` is ready to show the respondent."""

    question: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        texts = ERROR_MESSAGES[self.code]
        return (texts.get(lang) or texts["en"]).format(**self.params)


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params


def _as_definition(definition: SurveyDefinition | Mapping[str, Any]) -> SurveyDefinition:
    return definition if isinstance(definition, SurveyDefinition) else parse_definition(definition)


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _coerce(q: AnyQuestion, raw: Any) -> Any:
    """Turn a form string or JSON value into the stored value, or raise `_Refused`."""
    scale = scale_of(q)
    if scale is not None:
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if isinstance(raw, bool) or not isinstance(raw, int) or not scale[0] <= raw <= scale[1]:
            raise _Refused("out_of_range", low=scale[0], high=scale[1])
        return raw
    if q.type in BOOLEAN_TYPES:
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            raw = raw.strip().lower() in _TRUE
        if not isinstance(raw, bool):
            raise _Refused("not_boolean")
        if q.type == "consent" and q.required and raw is not True:
            raise _Refused("must_accept")
        return raw
    if isinstance(q, SingleChoiceQuestion):
        if not isinstance(raw, str) or raw not in {c.value for c in q.choices}:
            raise _Refused("unknown_choice")
        return raw
    if isinstance(q, MultiChoiceQuestion):
        values = [raw] if isinstance(raw, str) else raw
        allowed = [c.value for c in q.choices]
        if not isinstance(values, list) or any(v not in allowed for v in values):
            raise _Refused("unknown_choice")
        chosen = [v for v in allowed if v in values]  # definition order, no duplicates
        if q.max_selected and len(chosen) > q.max_selected:
            raise _Refused("too_many", max=q.max_selected)
        return chosen
    assert isinstance(q, TextQuestion)
    if not isinstance(raw, str):
        raw = str(raw)
    text = raw.replace("\x00", "").replace("\r\n", "\n").strip()
    if len(text) > q.max_length:
        raise _Refused("too_long", max=q.max_length)
    return text


def evaluate(condition: Any, answers: Mapping[str, Any]) -> bool:
    """Whether a show-if / thank-you condition holds; an unanswered question fails comparisons."""
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers) for c in condition.any)
    answered = condition.question in answers and not _is_empty(answers[condition.question])
    op, value = condition.op, condition.value
    if op == "answered":
        return answered
    if op == "not_answered":
        return not answered
    if not answered:
        return False
    actual = answers[condition.question]
    try:
        if op == "eq":
            return actual == value
        if op == "ne":
            return actual != value
        if op == "in":
            return actual in value
        if op == "not_in":
            return actual not in value
        if op == "contains":
            return isinstance(actual, list) and value in actual
        return {
            "lt": actual < value,
            "lte": actual <= value,
            "gt": actual > value,
            "gte": actual >= value,
        }[op]
    except TypeError:  # e.g. a text answer compared with a number: the condition is not met
        return False


def visible_questions(
    definition: SurveyDefinition | Mapping[str, Any], answers: Mapping[str, Any]
) -> list[AnyQuestion]:
    """Questions to show given the answers so far; a hidden question's answer never counts."""
    definition = _as_definition(definition)
    shown: list[AnyQuestion] = []
    seen: dict[str, Any] = {}
    for q in definition.questions:
        if q.show_if is None or evaluate(q.show_if, seen):
            shown.append(q)
            if q.id in answers:
                seen[q.id] = answers[q.id]
    return shown


def validate_answers(
    definition: SurveyDefinition | Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    check_required: Collection[str] | None = None,
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """Clean answers of visible questions and the errors by question id.

    Values are coerced (``"7"`` → 7, ``"yes"`` → True); answers to hidden questions are
    dropped; unknown keys are errors. ``check_required`` limits the required check to
    some questions (a step of a step-by-step page); by default every visible one.
    """
    definition = _as_definition(definition)
    clean: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    known = {q.id for q in definition.questions}
    for key in answers:
        if key not in known:
            errors[key] = AnswerError(str(key), "unknown_question")
    for q in definition.questions:
        if q.show_if is not None and not evaluate(q.show_if, clean):
            continue
        raw = answers.get(q.id)
        if _is_empty(raw) or (q.type == "consent" and raw in (False, "false", "no", "0")):
            if q.required and (check_required is None or q.id in check_required):
                code = "must_accept" if q.type == "consent" else "required"
                errors[q.id] = AnswerError(q.id, code)
            elif q.type == "consent" and not _is_empty(raw):
                clean[q.id] = False
            continue
        try:
            clean[q.id] = _coerce(q, raw)
        except _Refused as refused:
            errors[q.id] = AnswerError(q.id, refused.code, refused.params)
    return clean, errors


def display_answer(question: AnyQuestion, value: Any, lang: str) -> str:
    """An answer as text in ``lang``: choice labels, yes/no words, numbers."""
    if value is None:
        return ""
    if isinstance(question, SingleChoiceQuestion | MultiChoiceQuestion):
        labels = {c.value: c.label.get(lang) for c in question.choices}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if isinstance(value, bool):
        yes, no = _YES_NO.get(lang, _YES_NO["en"])
        return yes if value else no
    return str(value)


def pipe(
    text: LocalText | None,
    definition: SurveyDefinition,
    answers: Mapping[str, Any],
    lang: str,
) -> str:
    """The text in ``lang`` with ``{{question_id}}`` replaced by that answer (empty if none).

    The result is plain text: templates escape it like any other user-provided text.
    """
    if text is None:
        return ""

    def sub(match: Any) -> str:
        q = definition.question(match.group(1))
        return display_answer(q, answers.get(q.id), lang) if q is not None else ""

    return PIPE_RE.sub(sub, text.get(lang))


def thank_you_text(
    definition: SurveyDefinition | Mapping[str, Any], answers: Mapping[str, Any], lang: str
) -> str:
    """The first matching thank-you rule's text (piped), else the default."""
    definition = _as_definition(definition)
    for rule in definition.thank_you.rules:
        if evaluate(rule.when, answers):
            return pipe(rule.text, definition, answers, lang)
    return pipe(definition.thank_you.default, definition, answers, lang)


def metric_fields(
    definition: SurveyDefinition | Mapping[str, Any], clean: Mapping[str, Any]
) -> dict[str, Any]:
    """Values for the typed columns of `Response`: nps, csat, ces, comment.

    The first answered question of each metric type fills its column; the comment is
    the text question marked ``is_comment``, else the first answered text question.
    ``contact_permission`` is True/False/None from a contact-permission question.
    """
    definition = _as_definition(definition)
    out: dict[str, Any] = {
        "nps": None,
        "csat": None,
        "ces": None,
        "comment": None,
        "contact_permission": None,
    }
    marked = next(
        (q for q in definition.questions if isinstance(q, TextQuestion) and q.is_comment), None
    )
    for q in definition.questions:
        value = clean.get(q.id)
        if value is None or value == "":
            continue
        if q.type in SCALES and out[q.type] is None:
            out[q.type] = value
        elif q.type == "contact_permission" and out["contact_permission"] is None:
            out["contact_permission"] = value
        elif isinstance(q, TextQuestion) and out["comment"] is None and marked in (None, q):
            out["comment"] = value
    return out


def render_questions(
    definition: SurveyDefinition | Mapping[str, Any], lang: str, answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Visible questions as plain data for a page (texts piped and in ``lang``)."""
    definition = _as_definition(definition)
    out = []
    for q in visible_questions(definition, answers):
        scale = scale_of(q)
        item: dict[str, Any] = {
            "id": q.id,
            "type": q.type,
            "text": pipe(q.text, definition, answers, lang),
            "help": pipe(q.help, definition, answers, lang),
            "required": q.required,
            "value": answers.get(q.id),
            "conditional": q.show_if is not None,
        }
        if scale is not None:
            item["points"] = list(range(scale[0], scale[1] + 1))
            item["low_label"] = pipe(getattr(q, "low_label", None), definition, answers, lang)
            item["high_label"] = pipe(getattr(q, "high_label", None), definition, answers, lang)
        if isinstance(q, SingleChoiceQuestion | MultiChoiceQuestion):
            item["choices"] = [
                (c.value, pipe(c.label, definition, answers, lang)) for c in q.choices
            ]
        if q.type in BOOLEAN_TYPES:
            item["choices"] = list(
                zip(("yes", "no"), _YES_NO.get(lang, _YES_NO["en"]), strict=True)
            )
        if isinstance(q, TextQuestion):
            item["multiline"] = q.multiline
            item["max_length"] = q.max_length
        out.append(item)
    return out
