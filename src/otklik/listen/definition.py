"""The survey definition: versioned JSON with a published JSON Schema, as pydantic models.

A definition is what a respondent sees and what answers must satisfy: questions of
ten types with RU and EN texts, show-if conditions on earlier answers, piping of
earlier answers into texts (``{{nps}}``), a usage notice and thank-you texts chosen
by rules. Stored as JSON in ``Survey.definition`` and frozen per published version
in ``SurveyVersion.definition``; ``docs/survey-definition.schema.json`` is generated
from these models (a test keeps it current) and served at ``/api/v1/surveys/schema``.

Structure is checked by pydantic; cross-references (unique ids, conditions that point
to earlier questions, piping, choice values) by :func:`check_definition`, so that
every problem is reported with the path to fix, e.g. ``questions[2].show_if.question``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from otklik.errors import ValidationFailed
from otklik.listen.schemas import reject_nul

SCHEMA_VERSION = 1
SCHEMA_ID = "https://otklik.dev/schemas/survey-definition.schema.json"
LANGS = ("ru", "en")
MAX_QUESTIONS = 100
# Fixed scales of the standard metrics; they match the typed columns of `Response`.
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
QUESTION_TYPES = (
    "nps",
    "csat",
    "ces",
    "rating",
    "single_choice",
    "multi_choice",
    "text",
    "yes_no",
    "consent",
    "contact_permission",
)
BOOLEAN_TYPES = ("yes_no", "consent", "contact_permission")
OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "answered", "not_answered")
PIPE_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")

QuestionId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,47}$",
        description="Stable id: lower-case latin letters, digits, _; the answer's key.",
    ),
]
Scalar = StrictBool | StrictInt | StrictFloat | Annotated[str, Field(max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LocalText(_Model):
    """A text in both languages; neither may be missing or blank."""

    ru: Annotated[str, Field(min_length=1, max_length=2000)]
    en: Annotated[str, Field(min_length=1, max_length=2000)]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ru


# ---- conditions -------------------------------------------------------------------------


class Compare(_Model):
    """``{"question": "nps", "op": "lte", "value": 6}``: compare an earlier answer."""

    question: QuestionId
    op: Literal[OPS]  # type: ignore[valid-type]
    value: Scalar | list[Scalar] | None = Field(
        None, description="Omitted for answered/not_answered; a list for in/not_in."
    )


class AllOf(_Model):
    """True when every condition is true (and)."""

    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(_Model):
    """True when at least one condition is true (or)."""

    any: Annotated[list[Condition], Field(min_length=1)]


def _condition_tag(value: Any) -> str:
    if isinstance(value, dict):
        return "all" if "all" in value else "any" if "any" in value else "compare"
    return "all" if isinstance(value, AllOf) else "any" if isinstance(value, AnyOf) else "compare"


Condition = Annotated[
    Annotated[Compare, Tag("compare")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")],
    Discriminator(_condition_tag),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


# ---- questions --------------------------------------------------------------------------


class _Question(_Model):
    id: QuestionId
    text: LocalText = Field(description="The question; may pipe earlier answers: {{nps}}.")
    help: LocalText | None = Field(None, description="A hint shown under the question.")
    required: bool = False
    show_if: Condition | None = Field(None, description="Ask only when this holds.")


class _Scale(_Question):
    low_label: LocalText | None = Field(None, description="Label of the lowest point.")
    high_label: LocalText | None = Field(None, description="Label of the highest point.")


class NpsQuestion(_Scale):
    """Likelihood to recommend, 0–10; the first one answered fills ``Response.nps``."""

    type: Literal["nps"]


class CsatQuestion(_Scale):
    """Satisfaction, 1–5; top-2-box counts as satisfied; fills ``Response.csat``."""

    type: Literal["csat"]


class CesQuestion(_Scale):
    """Customer effort, 1–7 agreement (7 = easy); fills ``Response.ces``."""

    type: Literal["ces"]


class RatingQuestion(_Scale):
    """A 1–N rating of anything else (stars, points)."""

    type: Literal["rating"]
    scale_max: int = Field(5, ge=2, le=10)


class Choice(_Model):
    value: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,48}$")] = Field(
        description="Stored in the answer; keep it stable across versions."
    )
    label: LocalText


class SingleChoiceQuestion(_Question):
    type: Literal["single_choice"]
    choices: Annotated[list[Choice], Field(min_length=2, max_length=50)]


class MultiChoiceQuestion(_Question):
    type: Literal["multi_choice"]
    choices: Annotated[list[Choice], Field(min_length=1, max_length=50)]
    max_selected: int | None = Field(None, ge=1)


class TextQuestion(_Question):
    type: Literal["text"]
    multiline: bool = True
    max_length: int = Field(2000, ge=1, le=10_000)
    is_comment: bool = Field(
        False, description="Store as the response's comment (default: the first text question)."
    )


class YesNoQuestion(_Question):
    type: Literal["yes_no"]


class ConsentQuestion(_Question):
    """Agreement to a statement; when required, only "yes" is accepted."""

    type: Literal["consent"]


class ContactPermissionQuestion(_Question):
    """May the company contact the respondent about this answer (closes the loop)."""

    type: Literal["contact_permission"]


Question = Annotated[
    NpsQuestion
    | CsatQuestion
    | CesQuestion
    | RatingQuestion
    | SingleChoiceQuestion
    | MultiChoiceQuestion
    | TextQuestion
    | YesNoQuestion
    | ConsentQuestion
    | ContactPermissionQuestion,
    Field(discriminator="type"),
]


# ---- the whole definition ---------------------------------------------------------------


class ThankYouRule(_Model):
    when: Condition
    text: LocalText


class ThankYou(_Model):
    """The first rule whose condition holds gives the text; otherwise ``default``."""

    rules: list[ThankYouRule] = Field(default_factory=list, max_length=20)
    default: LocalText = LocalText(ru="Спасибо за ваш отзыв!", en="Thank you for your feedback!")


class UsageNotice(_Model):
    """How the answers are used, shown on every survey page, with a link to the privacy page."""

    text: LocalText = LocalText(
        ru="Мы используем ваши ответы, чтобы улучшать сервис. Мы не продаём и не передаём их.",
        en="We use your answers to improve our service. We never sell or share them.",
    )
    privacy_url: Annotated[str, Field(pattern=r"^(https?://|/)\S+$", max_length=500)] | None = None


class SurveyDefinition(_Model):
    """A survey as the respondent sees it. JSON, versioned by ``schema_version``."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
        title="Otklik survey definition",
    )

    schema_version: Literal[1] = SCHEMA_VERSION
    title: LocalText = Field(description="Heading shown to the respondent.")
    intro: LocalText | None = None
    layout: Literal["one_page", "steps"] = Field(
        "one_page", description="All questions on one page, or one question per step."
    )
    questions: Annotated[list[Question], Field(max_length=MAX_QUESTIONS)] = Field(
        default_factory=list
    )
    notice: UsageNotice = Field(default_factory=UsageNotice)
    thank_you: ThankYou = Field(default_factory=ThankYou)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return reject_nul(data)

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> SurveyDefinition:
        if not (info.context or {}).get("structure_only"):
            problems = check_definition(self)
            if problems:
                raise ValueError("; ".join(f"{path}: {msg}" for path, msg in problems))
        return self

    def question(self, question_id: str) -> AnyQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


AnyQuestion = (
    NpsQuestion
    | CsatQuestion
    | CesQuestion
    | RatingQuestion
    | SingleChoiceQuestion
    | MultiChoiceQuestion
    | TextQuestion
    | YesNoQuestion
    | ConsentQuestion
    | ContactPermissionQuestion
)


def scale_of(question: AnyQuestion) -> tuple[int, int] | None:
    """(lowest, highest) of a numeric question, else None."""
    if question.type in SCALES:
        return SCALES[question.type]
    if isinstance(question, RatingQuestion):
        return (1, question.scale_max)
    return None


# ---- cross-reference checks -------------------------------------------------------------


def _pipes(text: LocalText | None) -> set[str]:
    if text is None:
        return set()
    return set(PIPE_RE.findall(text.ru)) | set(PIPE_RE.findall(text.en))


def _check_condition(
    cond: Any, path: str, known: dict[str, AnyQuestion], what: str
) -> list[tuple[str, str]]:
    if isinstance(cond, AllOf | AnyOf):
        items = cond.all if isinstance(cond, AllOf) else cond.any
        key = "all" if isinstance(cond, AllOf) else "any"
        return [
            p
            for i, c in enumerate(items)
            for p in _check_condition(c, f"{path}.{key}[{i}]", known, what)
        ]
    target = known.get(cond.question)
    if target is None:
        return [(f"{path}.question", f"'{cond.question}' is not {what}")]
    op, value = cond.op, cond.value
    if op in ("answered", "not_answered"):
        return [] if value is None else [(f"{path}.value", f"'{op}' takes no value")]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return [(f"{path}.value", f"'{op}' needs a non-empty list")]
        values = value
    elif isinstance(value, list) or value is None:
        return [(f"{path}.value", f"'{op}' needs a single value")]
    else:
        values = [value]
    scale = scale_of(target)
    if op in ("lt", "lte", "gt", "gte") and scale is None:
        return [(f"{path}.op", f"'{op}' needs a numeric question; '{target.id}' is {target.type}")]
    if op == "contains" and target.type != "multi_choice":
        return [(f"{path}.op", f"'contains' needs a multi_choice question; '{target.id}' is not")]
    for v in values:
        if scale is not None and (
            isinstance(v, bool) or not isinstance(v, int | float) or not scale[0] <= v <= scale[1]
        ):
            return [(f"{path}.value", f"must be a number from {scale[0]} to {scale[1]}")]
        if isinstance(target, SingleChoiceQuestion | MultiChoiceQuestion):
            allowed = {c.value for c in target.choices}
            if v not in allowed:
                return [(f"{path}.value", f"'{v}' is not a choice of '{target.id}'")]
        if target.type in BOOLEAN_TYPES and not isinstance(v, bool):
            return [(f"{path}.value", "must be true or false")]
    return []


def check_definition(definition: SurveyDefinition) -> list[tuple[str, str]]:
    """Cross-reference problems as (path, message); empty when the definition is sound."""
    problems: list[tuple[str, str]] = []
    if _pipes(definition.title) or _pipes(definition.intro):
        problems.append(("title", "the title and intro cannot pipe answers"))
    earlier: dict[str, AnyQuestion] = {}
    comments = 0
    for i, q in enumerate(definition.questions):
        path = f"questions[{i}]"
        if q.id in earlier:
            problems.append((f"{path}.id", f"duplicate question id '{q.id}'"))
        if q.show_if is not None:
            problems += _check_condition(
                q.show_if, f"{path}.show_if", earlier, "an earlier question"
            )
        texts = [("text", q.text), ("help", q.help)]
        if isinstance(q, SingleChoiceQuestion | MultiChoiceQuestion):
            seen: set[str] = set()
            for j, c in enumerate(q.choices):
                if c.value in seen:
                    problems.append((f"{path}.choices[{j}].value", f"duplicate value '{c.value}'"))
                seen.add(c.value)
                texts.append((f"choices[{j}].label", c.label))
        for field, text in texts:
            for ref in sorted(_pipes(text) - set(earlier)):
                problems.append((f"{path}.{field}", f"{{{{{ref}}}}} is not an earlier question"))
        if isinstance(q, TextQuestion) and q.is_comment:
            comments += 1
            if comments > 1:
                problems.append((f"{path}.is_comment", "only one question can be the comment"))
        earlier.setdefault(q.id, q)
    for i, rule in enumerate(definition.thank_you.rules):
        path = f"thank_you.rules[{i}]"
        problems += _check_condition(rule.when, f"{path}.when", earlier, "a question")
        for ref in sorted(_pipes(rule.text) - set(earlier)):
            problems.append((f"{path}.text", f"{{{{{ref}}}}} is not a question"))
    for ref in sorted(_pipes(definition.thank_you.default) - set(earlier)):
        problems.append(("thank_you.default", f"{{{{{ref}}}}} is not a question"))
    return problems


# ---- parsing with readable errors -------------------------------------------------------

_TAGS = {*QUESTION_TYPES, "compare", "all", "any"}


def format_loc(loc: tuple[Any, ...]) -> str:
    """``('questions', 2, 'nps', 'text', 'en')`` → ``questions[2].text.en`` (union tags dropped)."""
    out = ""
    prev: Any = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS and (isinstance(prev, int) or prev in ("show_if", "when")):
            pass
        else:
            out += f".{part}" if out else str(part)
        prev = part
    return out or "definition"


class DefinitionInvalid(ValidationFailed):
    """A survey definition broke the schema; ``problems`` lists (path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        text = "; ".join(f"{p}: {m}" for p, m in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"survey definition is invalid: {text}{more}", field=problems[0][0])


def parse_definition(data: Any) -> SurveyDefinition:
    """Validate a JSON definition; raise :class:`DefinitionInvalid` naming every bad path."""
    if isinstance(data, SurveyDefinition):
        data = data.model_dump(mode="json")
    try:
        definition = SurveyDefinition.model_validate(data, context={"structure_only": True})
    except ValidationError as exc:
        problems = [(format_loc(e["loc"]), e["msg"]) for e in exc.errors()]
        raise DefinitionInvalid(problems) from None
    problems = check_definition(definition)
    if problems:
        raise DefinitionInvalid(problems)
    return definition


def dump_definition(definition: SurveyDefinition) -> dict[str, Any]:
    """The JSON stored in the database (defaults included, so old rows read the same later)."""
    return definition.model_dump(mode="json", exclude_none=True)


def definition_json_schema() -> dict[str, Any]:
    """The published JSON Schema (Draft 2020-12) of a survey definition."""
    schema = SurveyDefinition.model_json_schema(mode="validation")
    return {"$schema": schema.pop("$schema"), "$id": SCHEMA_ID, **schema}
