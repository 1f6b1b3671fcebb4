"""The shape of a response at the edge: one schema for the API, webhooks and file imports.

Validation lives here so that every way in applies the same rules and reports
errors naming the field: nps 0–10, csat 1–5, ces 1–7 (integers, not booleans or
fractions), at least one answer, bounded text, timezone-aware times not in the future,
no text that a database cannot store (NUL characters, lone UTF-16 surrogates) and no
numbers that JSON consumers cannot read back (NaN, infinities, integers beyond 2**53).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from otklik.listen.models import CHANNELS, RESPONSE_SOURCES

MAX_COMMENT_CHARS = 20_000
MAX_TEXT_CHARS = 10_000
MAX_ANSWERS = 200
MAX_ATTRIBUTES = 50
# JavaScript (dashboards, webhook receivers) reads JSON numbers as doubles: keep integers exact.
MAX_SAFE_INT = 2**53 - 1
# Clocks drift; a device a little ahead of the server is not lying about the future.
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

Channel = Literal[CHANNELS]  # type: ignore[valid-type]
Source = Literal[RESPONSE_SOURCES]  # type: ignore[valid-type]
SafeInt = Annotated[StrictInt, Field(ge=-MAX_SAFE_INT, le=MAX_SAFE_INT)]


def _no_int(value: Any) -> Any:
    # Strict floats still take ints: an int too big for SafeInt would become an inexact float.
    if isinstance(value, int):
        raise ValueError(f"integers must be between -{MAX_SAFE_INT} and {MAX_SAFE_INT}")
    return value


FiniteFloat = Annotated[float, BeforeValidator(_no_int), Field(strict=True, allow_inf_nan=False)]
Scalar = StrictBool | SafeInt | FiniteFloat | Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
AnswerValue = Scalar | list[Annotated[str, Field(max_length=500)]] | None
Code = Annotated[str, Field(min_length=1, max_length=64)]
Key = Annotated[str, Field(min_length=1, max_length=64)]


def _check_text(value: str, path: str) -> None:
    if "\x00" in value:
        raise ValueError(f"{path or 'text'} must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{path or 'text'} is not valid Unicode (lone surrogate)") from None


def reject_nul(value: Any, path: str = "") -> Any:
    """Refuse text PostgreSQL and SQLite cannot store (NUL, lone surrogates), at any depth.

    Raises ``ValueError`` naming the path (``answers.q1``) of the first bad string.
    """
    if isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                _check_text(k, path)
            reject_nul(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for item in value:
            reject_nul(item, path)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return reject_nul(data)


class CustomerRef(_Strict):
    """Who answered. ``external_id`` (your CRM id) or ``email`` finds or creates the customer.

    An existing customer is found, not modified: the other fields only fill a new one.
    """

    external_id: Annotated[str, Field(min_length=1, max_length=128)] | None = Field(
        None, description="Your id of the customer (CRM, billing); matched first."
    )
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = (
        Field(None, description="Email; matched (case-insensitively) when there is no external_id.")
    )
    name: Annotated[str, Field(max_length=200)] | None = Field(None, description="Full name.")
    phone: Annotated[str, Field(max_length=32)] | None = Field(None, description="Phone number.")
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = Field(
        None, description="Preferred language, ISO 639-1 (ru, en)."
    )
    attributes: dict[Key, Scalar | None] = Field(
        default_factory=dict,
        max_length=MAX_ATTRIBUTES,
        description="Extra facts about the customer (segment, plan, city…).",
    )

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str | None) -> str | None:
        return value.lower() if value else value

    @model_validator(mode="after")
    def _has_key(self) -> CustomerRef:
        if not self.external_id and not self.email:
            raise ValueError("customer needs external_id or email")
        return self


class ResponseIn(_Strict):
    """One response. At least one of nps, csat, ces, comment or answers is required."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "touchpoint": "branch-visit",
                    "unit": "msk-1",
                    "customer": {"external_id": "crm-1042"},
                    "nps": 9,
                    "comment": "Ольга помогла быстро открыть счёт",
                    "language": "ru",
                    "submitted_at": "2025-03-01T10:15:00+03:00",
                    "external_id": "callcentre-778812",
                }
            ]
        }
    )

    survey: Code | None = Field(None, description="Survey slug.")
    touchpoint: Code | None = Field(
        None, description="Touchpoint code; defaults to the survey's touchpoint."
    )
    unit: Code | None = Field(None, description="Unit code (branch, team) the answer is about.")
    channel: Channel | None = Field(None, description="Channel; defaults to the touchpoint's.")
    customer: CustomerRef | None = Field(
        None, description="Who answered; omit for an anonymous response."
    )
    nps: StrictInt | None = Field(None, ge=0, le=10, description="Likelihood to recommend, 0–10.")
    csat: StrictInt | None = Field(None, ge=1, le=5, description="Satisfaction, 1–5.")
    ces: StrictInt | None = Field(None, ge=1, le=7, description="Customer effort, 1–7 (7 = easy).")
    comment: Annotated[str, Field(max_length=MAX_COMMENT_CHARS)] | None = Field(
        None, description="Free-text comment (up to 20,000 characters)."
    )
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = Field(
        None, description="ISO 639-1 code of the comment, e.g. ru or en."
    )
    answers: dict[Key, AnswerValue] = Field(
        default_factory=dict, max_length=MAX_ANSWERS, description="Other answers by question id."
    )
    attributes: dict[Key, Scalar | None] = Field(
        default_factory=dict, max_length=MAX_ATTRIBUTES, description="Extra context to keep."
    )
    submitted_at: AwareDatetime | None = Field(
        None, description="When the customer answered (timezone required); default: now."
    )
    external_id: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(
        None, description="Your id for this response; a retry with the same id is not duplicated."
    )
    source: Source = Field("api", description="How the response arrived.")

    @field_validator("submitted_at")
    @classmethod
    def _not_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return value
        # Compare before converting: astimezone() overflows on year 1 with a positive offset.
        if value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("submitted_at is in the future")
        if value < EARLIEST:
            raise ValueError("submitted_at is before 2000-01-01")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _has_an_answer(self) -> ResponseIn:
        if (
            self.nps is None
            and self.csat is None
            and self.ces is None
            and not (self.comment and self.comment.strip())
            and not self.answers
        ):
            raise ValueError("at least one answer is required: nps, csat, ces, comment or answers")
        return self


class ResponsePublic(BaseModel):
    """A stored response as the API returns it."""

    id: int = Field(description="Otklik's id of the response.")
    survey: str | None = Field(description="Survey slug.")
    touchpoint: str | None = Field(description="Touchpoint code.")
    unit: str | None = Field(description="Unit code.")
    channel: str | None = Field(description="Channel the response came through.")
    customer_id: int | None = Field(description="Otklik's id of the customer; null if anonymous.")
    nps: int | None = Field(description="Likelihood to recommend, 0–10.")
    csat: int | None = Field(description="Satisfaction, 1–5.")
    ces: int | None = Field(description="Customer effort, 1–7.")
    comment: str | None = Field(description="Free-text comment.")
    language: str | None = Field(description="ISO 639-1 code of the comment.")
    source: str = Field(description="How the response arrived (api, import, widget…).")
    answers: dict[str, Any] = Field(description="Other answers by question id.")
    attributes: dict[str, Any] = Field(description="Extra context.")
    submitted_at: datetime = Field(description="When the customer answered (UTC).")
    received_at: datetime = Field(description="When Otklik stored it (UTC).")
    external_id: str | None = Field(description="Your id for this response.")
