"""Schemas of the journey editor: ``XCreate`` / ``XUpdate`` / ``XPublic`` per object, and the
import/export document (``JourneyDocument``) that JSON and YAML files follow.

Units and touchpoints are referred to by code, never by id, so a journey file
moves between installations. Texts have an RU/EN variant in ``*_i18n``; the
plain field is the fallback.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from otklik.listen.journey_models import OPPORTUNITY_STATUSES
from otklik.listen.models import CHANNELS

SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"
Slug = Annotated[str, Field(pattern=SLUG, description="Lower-case letters, digits, - and _.")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=5000)]
Channel = Literal[CHANNELS]  # type: ignore[valid-type]
Status = Literal[OPPORTUNITY_STATUSES]  # type: ignore[valid-type]
Nps = Annotated[float, Field(ge=-100, le=100)]
Csat = Annotated[float, Field(ge=0, le=100)]
Ces = Annotated[float, Field(ge=1, le=7)]


class I18n(BaseModel):
    """Translations; missing ones fall back to the plain field."""

    model_config = ConfigDict(extra="forbid")

    ru: Annotated[str, Field(max_length=5000)] | None = None
    en: Annotated[str, Field(max_length=5000)] | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("ru", self.ru), ("en", self.en)) if v}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- journeys ----------------------------------------------------------------------------------


class JourneyCreate(_In):
    slug: Slug
    name: Name
    name_i18n: I18n = I18n()
    description: Text = ""


class JourneyUpdate(_In):
    slug: Slug | None = None
    name: Name | None = None
    name_i18n: I18n | None = None
    description: Text | None = None


# --- stages ------------------------------------------------------------------------------------


class StageCreate(_In):
    name: Name
    name_i18n: I18n = I18n()
    description: Text = ""
    backstage: Text = Field("", description="The internal process behind the stage.")
    backstage_unit: str | None = Field(None, description="Code of the unit that runs it.")


class StageUpdate(_In):
    name: Name | None = None
    name_i18n: I18n | None = None
    description: Text | None = None
    backstage: Text | None = None
    backstage_unit: str | None = None


# --- touchpoints -------------------------------------------------------------------------------


class Targets(_In):
    """The to-be: target scores (NPS points, CSAT top-2 %, CES mean 1–7)."""

    nps: Nps | None = None
    csat: Csat | None = None
    ces: Ces | None = None


class TouchpointCreate(_In):
    code: Slug
    name: Name
    name_i18n: I18n = I18n()
    channel: Channel = "web"
    description: Text = ""
    owner_unit: str | None = Field(None, description="Code of the unit that owns it.")
    targets: Targets = Targets()


class TouchpointUpdate(_In):
    name: Name | None = None
    name_i18n: I18n | None = None
    channel: Channel | None = None
    description: Text | None = None
    owner_unit: str | None = None
    targets: Targets | None = None
    stage_id: int | None = Field(None, description="Move to another stage of the journey.")


# --- personas ----------------------------------------------------------------------------------


class PersonaCreate(_In):
    slug: Slug
    name: Name
    name_i18n: I18n = I18n()
    description: Text = ""
    description_i18n: I18n = I18n()


class PersonaUpdate(_In):
    name: Name | None = None
    name_i18n: I18n | None = None
    description: Text | None = None
    description_i18n: I18n | None = None


# --- opportunities -----------------------------------------------------------------------------


class OpportunityCreate(_In):
    title: Name
    description: Text = ""
    owner: Annotated[str, Field(max_length=200)] = ""
    owner_unit: str | None = None
    status: Status = "idea"
    touchpoint: str | None = Field(None, description="Code of the touchpoint it improves.")


class OpportunityUpdate(_In):
    title: Name | None = None
    description: Text | None = None
    owner: Annotated[str, Field(max_length=200)] | None = None
    owner_unit: str | None = None
    status: Status | None = None
    touchpoint: str | None = None


# --- what the API returns ----------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PersonaPublic(_Out):
    id: int
    slug: str
    name: str
    name_i18n: dict[str, str]
    description: str
    description_i18n: dict[str, str]


class TouchpointPublic(_Out):
    id: int
    code: str
    position: int
    name: str
    name_i18n: dict[str, str]
    channel: str
    description: str
    owner_unit: str | None
    targets: Targets
    surveys: list[str] = Field(description="Slugs of the surveys asked here.")


class StagePublic(_Out):
    id: int
    position: int
    name: str
    name_i18n: dict[str, str]
    description: str
    backstage: str
    backstage_unit: str | None
    touchpoints: list[TouchpointPublic]


class OpportunityPublic(_Out):
    id: int
    position: int
    title: str
    description: str
    owner: str
    owner_unit: str | None
    status: str
    touchpoint: str | None


class JourneySummary(_Out):
    id: int
    slug: str
    name: str
    name_i18n: dict[str, str]
    description: str
    stages: int
    touchpoints: int


class JourneyPublic(_Out):
    id: int
    slug: str
    name: str
    name_i18n: dict[str, str]
    description: str
    personas: list[PersonaPublic]
    stages: list[StagePublic]
    opportunities: list[OpportunityPublic]


# --- the import/export document ----------------------------------------------------------------

FORMAT_VERSION = 1


class TouchpointDoc(TouchpointCreate):
    pass


class StageDoc(StageCreate):
    touchpoints: list[TouchpointDoc] = []


class JourneyDocument(_In):
    """A whole journey as a file: ``otklik_journey: 1`` marks the format version."""

    otklik_journey: Literal[1] = FORMAT_VERSION
    slug: Slug
    name: Name
    name_i18n: I18n = I18n()
    description: Text = ""
    personas: list[PersonaCreate] = []
    stages: list[StageDoc] = []
    opportunities: list[OpportunityCreate] = []

    @field_validator("stages")
    @classmethod
    def _unique_codes(cls, stages: list[StageDoc]) -> list[StageDoc]:
        seen: set[str] = set()
        for stage in stages:
            for tp in stage.touchpoints:
                if tp.code in seen:
                    raise ValueError(f"touchpoint code {tp.code!r} appears twice")
                seen.add(tp.code)
        return stages
