"""Plain HTML form fields ↔ survey definition JSON, for the builder (no JavaScript needed).

Choices are edited as lines ``value | RU label | EN label``; a show-if is either one
comparison (question, operator, value) or, for and/or logic, a JSON condition.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from otklik.errors import ValidationFailed
from otklik.listen.definition import BOOLEAN_TYPES, SCALES
from otklik.listen.survey_templates import QUESTION_DEFAULTS

SCALE_TYPES = (*SCALES, "rating")
CHOICE_TYPES = ("single_choice", "multi_choice")


def _local(form: Mapping[str, Any], name: str) -> dict[str, str] | None:
    ru, en = (str(form.get(f"{name}_{lang}", "")).strip() for lang in ("ru", "en"))
    return {"ru": ru, "en": en} if ru or en else None


def choices_to_text(choices: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c['value']} | {c['label']['ru']} | {c['label']['en']}" for c in choices)


def choices_from_text(text: str) -> list[dict[str, Any]]:
    choices = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise ValidationFailed(
                f"choices, line {n}: write 'value | RU label | EN label'", field="choices"
            )
        choices.append({"value": parts[0], "label": {"ru": parts[1], "en": parts[2]}})
    return choices


def _value(raw: str, target_type: str | None) -> Any:
    raw = raw.strip()
    if target_type in BOOLEAN_TYPES and raw.lower() in ("true", "false", "yes", "no", "да", "нет"):
        return raw.lower() in ("true", "yes", "да")
    if target_type in SCALE_TYPES and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def condition_from_form(form: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any] | None:
    """The show-if from the form: the JSON box wins when filled, else the simple fields."""
    raw_json = str(form.get("show_if_json", "")).strip()
    if raw_json:
        try:
            return json.loads(raw_json)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                f"show_if: not valid JSON ({exc.msg})", field="show_if"
            ) from None
    question = str(form.get("show_q", "")).strip()
    if not question:
        return None
    op = str(form.get("show_op", "eq"))
    cond: dict[str, Any] = {"question": question, "op": op}
    raw = str(form.get("show_value", ""))
    if op in ("in", "not_in"):
        cond["value"] = [_value(v, types.get(question)) for v in raw.split(",") if v.strip()]
    elif op not in ("answered", "not_answered"):
        cond["value"] = _value(raw, types.get(question))
    return cond


def question_from_form(
    form: Mapping[str, Any], current: dict[str, Any], types: Mapping[str, str]
) -> dict[str, Any]:
    """A question's JSON from the edit form; switching the type keeps the shared fields
    and starts the new type's own fields from their defaults."""
    qtype = str(form.get("type", current["type"]))
    q: dict[str, Any] = {
        "id": str(form.get("id", current["id"])).strip(),
        "type": qtype,
        "text": _local(form, "text") or {"ru": "", "en": ""},
        "required": form.get("required") == "on",
    }
    if help_text := _local(form, "help"):
        q["help"] = help_text
    if (show_if := condition_from_form(form, types)) is not None:
        q["show_if"] = show_if
    same_type = qtype == current["type"]
    if qtype in SCALE_TYPES:
        for name in ("low_label", "high_label"):
            if label := _local(form, name):
                q[name] = label
    if qtype == "rating":
        raw = str(form.get("scale_max", "")).strip()
        q["scale_max"] = int(raw) if raw.isdigit() else 5
    if qtype in CHOICE_TYPES:
        text = str(form.get("choices", ""))
        if same_type or current["type"] in CHOICE_TYPES:
            q["choices"] = choices_from_text(text)
        else:
            q["choices"] = QUESTION_DEFAULTS[qtype]["choices"]
    if qtype == "multi_choice" and (raw := str(form.get("max_selected", "")).strip()):
        q["max_selected"] = int(raw) if raw.isdigit() else raw
    if qtype == "text":
        q["multiline"] = form.get("multiline") == "on" if same_type else True
        raw = str(form.get("max_length", "")).strip()
        q["max_length"] = int(raw) if raw.isdigit() else 2000
        q["is_comment"] = form.get("is_comment") == "on"
    return q


def condition_fields(show_if: dict[str, Any] | None) -> dict[str, str]:
    """Prefill for the edit form: simple fields for one comparison, else the JSON box."""
    if not show_if:
        return {"show_q": "", "show_op": "lte", "show_value": "", "show_if_json": ""}
    if "question" in show_if:
        value = show_if.get("value")
        if isinstance(value, list):
            text = ", ".join(json.dumps(v) if isinstance(v, bool) else str(v) for v in value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = "" if value is None else str(value)
        return {
            "show_q": show_if["question"],
            "show_op": show_if["op"],
            "show_value": text,
            "show_if_json": "",
        }
    return {
        "show_q": "",
        "show_op": "lte",
        "show_value": "",
        "show_if_json": json.dumps(show_if, ensure_ascii=False, indent=2),
    }


def settings_from_form(form: Mapping[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    """The survey-level texts (title, intro, layout, usage notice, default thank-you)."""
    out = dict(definition)
    out["title"] = _local(form, "title") or {"ru": "", "en": ""}
    if intro := _local(form, "intro"):
        out["intro"] = intro
    else:
        out.pop("intro", None)
    out["layout"] = str(form.get("layout", "one_page"))
    notice: dict[str, Any] = {"text": _local(form, "notice") or {"ru": "", "en": ""}}
    if url := str(form.get("privacy_url", "")).strip():
        notice["privacy_url"] = url
    out["notice"] = notice
    thank_you = dict(out.get("thank_you") or {})
    thank_you["default"] = _local(form, "thanks") or {"ru": "", "en": ""}
    out["thank_you"] = thank_you
    return out


_OP_SIGNS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}


def describe_condition(cond: dict[str, Any] | None) -> str:
    """A one-line reading of a condition for the question list: ``nps ≤ 6 or resolved = false``."""
    if not cond:
        return ""
    for key, word in (("all", " and "), ("any", " or ")):
        if key in cond:
            parts = [describe_condition(c) for c in cond[key]]
            return parts[0] if len(parts) == 1 else "(" + word.join(parts) + ")"
    op = cond.get("op", "")
    if op in ("answered", "not_answered"):
        return f"{cond.get('question')} {op.replace('_', ' ')}"
    value = json.dumps(cond.get("value"), ensure_ascii=False)
    return f"{cond.get('question')} {_OP_SIGNS.get(op, op.replace('_', ' '))} {value}"
