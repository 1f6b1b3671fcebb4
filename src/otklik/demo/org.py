"""Write the bank's skeleton: unit tree, staff, the card journey, one survey per touchpoint.

These are a few hundred rows, so plain ORM objects are fine here; the bulk
(customers, responses) goes through Core inserts in ``build``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from otklik.demo.company import (
    BRANCH_TITLES,
    BRANCHES,
    COMPANY_CODE,
    COMPANY_NAME,
    ENGLISH_STAFF,
    JOURNEY_NAME,
    JOURNEY_SLUG,
    REGIONS,
    STAR_EMPLOYEES,
    TEAM_TITLES,
    TEAMS,
)
from otklik.demo.journey import ASPECT_LABELS, STAGES, TOUCHPOINTS, TouchpointSpec
from otklik.demo.names import RU_FIRST_NAMES, RU_LAST_NAMES, female_last_name, ru_cases, translit
from otklik.listen.models import Journey, Stage, Survey, SurveyVersion, Touchpoint
from otklik.org.models import Employee, Unit

EMAIL_DOMAIN = "orient-bank.example"
_REGIONAL_TITLE = ("Региональный директор", "Regional Director")


@dataclass(frozen=True)
class StaffMember:
    """An employee as customers refer to them."""

    employee_id: int
    unit: str
    first_ru: str  # "" for English-speaking staff
    alias_ru: str
    name_en: str
    gender: str
    star: bool

    def forms(self, lang: str, rng: random.Random) -> dict[str, str]:
        """Name forms for a comment: Russian cases (full name or the short form) or English."""
        if lang == "en" or not self.first_ru:
            return dict.fromkeys(("nom", "gen", "dat", "acc", "ins"), self.name_en)
        name = self.alias_ru if self.alias_ru and rng.random() < 0.25 else self.first_ru
        return ru_cases(name, self.gender)


@dataclass
class Org:
    """Database ids of the demo's objects, keyed by the demo's own keys."""

    unit_ids: dict[str, int] = field(default_factory=dict)
    touchpoint_ids: dict[str, int] = field(default_factory=dict)
    survey_ids: dict[str, int] = field(default_factory=dict)
    staff: dict[str, list[StaffMember]] = field(default_factory=dict)
    employees: int = 0


def build_org(*, session: Session, rng: random.Random) -> Org:
    """Create units (with materialised paths), employees, journey, stages, touchpoints, surveys."""
    org = Org()
    company = _unit(session, None, COMPANY_CODE, COMPANY_NAME["ru"], COMPANY_NAME, "company")
    org.unit_ids["company"] = company.id
    regions: dict[str, Unit] = {}
    for r in REGIONS:
        regions[r.key] = _unit(
            session, company, f"{COMPANY_CODE}-{r.key}", r.ru, {"ru": r.ru, "en": r.en}, "region"
        )
        org.unit_ids[r.key] = regions[r.key].id
    for b in BRANCHES:
        names = {"ru": f"Отделение «{b.ru}»", "en": f"{b.en} branch"}
        unit = _unit(
            session, regions[b.region], f"{COMPANY_CODE}-{b.key}", names["ru"], names, "branch"
        )
        org.unit_ids[b.key] = unit.id
    for key, kind, ru, en in TEAMS:
        unit = _unit(session, company, f"{COMPANY_CODE}-{key}", ru, {"ru": ru, "en": en}, kind)
        org.unit_ids[key] = unit.id
    _staff(session, rng, org)
    _journey(session, org)
    session.flush()
    return org


def _unit(
    session: Session, parent: Unit | None, code: str, name: str, i18n: dict, kind: str
) -> Unit:
    unit = Unit(
        code=code,
        name=name,
        name_i18n=i18n,
        kind=kind,
        path="/",
        parent_id=parent.id if parent else None,
    )
    session.add(unit)
    session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def _staff(session: Session, rng: random.Random, org: Org) -> None:
    """About 65 people: stars first, English-speaking staff, then generated Russian colleagues."""
    star_names = {s[0] for s in STAR_EMPLOYEES}
    pool = [n for n in RU_FIRST_NAMES if n[0] not in star_names]
    known = {n[0]: (n[1], n[2]) for n in RU_FIRST_NAMES}  # full name -> (short form, English)
    branch_keys = {b.key for b in BRANCHES}
    # (unit key, Russian first name, last name, gender, English name, (title ru, title en), star)
    people: list[tuple[str, str, str, str, str, tuple[str, str], bool]] = []
    for first, last, gender, unit, en in STAR_EMPLOYEES:
        title = BRANCH_TITLES[1] if unit in branch_keys else TEAM_TITLES[unit][0]
        people.append((unit, first if first in known else "", last, gender, en, title, True))
    for first, last, gender, unit, title_ru, title_en in ENGLISH_STAFF:
        people.append((unit, "", last, gender, first, (title_ru, title_en), False))
    for r in REGIONS:
        people.append((r.key, "", "", "", "", _REGIONAL_TITLE, False))
    for key, titles in [(b.key, BRANCH_TITLES) for b in BRANCHES] + list(TEAM_TITLES.items()):
        taken = sum(1 for s in STAR_EMPLOYEES if s[3] == key)
        people.extend((key, "", "", "", "", title, False) for title in titles[taken:])
    used: dict[str, set[str]] = {}
    for unit_key, first, last, gender, en, title, star in people:
        taken_names = used.setdefault(unit_key, set())
        if not first and not en:  # a generated colleague; first names are unique in a unit
            first, _, _, gender = rng.choice([n for n in pool if n[0] not in taken_names])
            last = rng.choice(RU_LAST_NAMES)
            last = female_last_name(last) if gender == "f" else last
        taken_names.add(first or en)
        alias_ru, name_en = known.get(first, ("", en))
        login = f"{translit(first) if first else en.lower()}.{translit(last)}"
        employee = Employee(
            unit_id=org.unit_ids[unit_key],
            first_name=first or en,
            last_name=last,
            aliases=[a for a in (alias_ru, name_en if first else "") if a],
            email=f"{login}@{EMAIL_DOMAIN}",
            title=title[0] if first else title[1],
        )
        session.add(employee)
        session.flush()
        org.employees += 1
        org.staff.setdefault(unit_key, []).append(
            StaffMember(employee.id, unit_key, first, alias_ru, name_en, gender, star)
        )


def _journey(session: Session, org: Org) -> None:
    journey = Journey(
        slug=JOURNEY_SLUG,
        name=JOURNEY_NAME["en"],
        name_i18n=JOURNEY_NAME,
        description="From first look at the card to renewal: Orient Bank's debit card journey.",
    )
    session.add(journey)
    session.flush()
    stage_ids: dict[str, int] = {}
    for pos, (key, ru, en) in enumerate(STAGES, start=1):
        stage = Stage(journey_id=journey.id, position=pos, name=en, name_i18n={"ru": ru, "en": en})
        session.add(stage)
        session.flush()
        stage_ids[key] = stage.id
    positions: dict[str, int] = {}
    for spec in TOUCHPOINTS:
        positions[spec.stage] = positions.get(spec.stage, 0) + 1
        owner = "company" if spec.owner == "branch" else spec.owner
        tp = Touchpoint(
            code=spec.code,
            stage_id=stage_ids[spec.stage],
            position=positions[spec.stage],
            name=spec.en,
            name_i18n={"ru": spec.ru, "en": spec.en},
            channel=spec.channel,
            owner_unit_id=org.unit_ids[owner],
        )
        session.add(tp)
        session.flush()
        org.touchpoint_ids[spec.code] = tp.id
        definition = survey_definition(spec)
        survey = Survey(
            slug=f"{spec.code}-feedback",
            title=f"{spec.en} — feedback",
            touchpoint_id=tp.id,
            status="published",
            version=1,
            definition=definition,
            settings={"languages": ["ru", "en"], "default_language": "ru"},
        )
        session.add(survey)
        session.flush()
        session.add(SurveyVersion(survey_id=survey.id, version=1, definition=definition))
        org.survey_ids[spec.code] = survey.id


def survey_definition(spec: TouchpointSpec) -> dict:
    """A short bilingual questionnaire: metrics, the driver question, a reason, a comment."""
    about = {"ru": spec.ru.lower(), "en": spec.en.lower()}
    questions: list[dict] = []
    if "nps" in spec.metrics:
        questions.append(
            {
                "id": "nps",
                "type": "nps",
                "required": True,
                "text": {
                    "ru": "Насколько вероятно, что вы порекомендуете Банк Ориент друзьям?",
                    "en": "How likely are you to recommend Orient Bank to a friend or colleague?",
                },
            }
        )
    if "csat" in spec.metrics:
        questions.append(
            {
                "id": "csat",
                "type": "csat",
                "required": "nps" not in spec.metrics,
                "text": {
                    "ru": f"Оцените, пожалуйста: {about['ru']}",
                    "en": f"How satisfied are you with the {about['en']}?",
                },
            }
        )
    if "ces" in spec.metrics:
        questions.append(
            {
                "id": "ces",
                "type": "ces",
                "required": "nps" not in spec.metrics,
                "text": {
                    "ru": "Банку было легко решить мой вопрос (1 — не согласен, 7 — согласен)",
                    "en": "The bank made it easy to handle my request (1 = disagree, 7 = agree)",
                },
            }
        )
    if spec.driver == "issue_resolved":
        questions.append(
            {
                "id": "issue_resolved",
                "type": "yes_no",
                "text": {"ru": "Ваш вопрос решён?", "en": "Was your issue resolved?"},
            }
        )
    elif spec.driver == "wait_minutes":
        questions.append(
            {
                "id": "wait_minutes",
                "type": "number",
                "min": 0,
                "max": 240,
                "text": {
                    "ru": "Сколько минут вы ждали обслуживания?",
                    "en": "How many minutes did you wait to be served?",
                },
            }
        )
    questions.append(
        {
            "id": "main_reason",
            "type": "choice",
            "text": {
                "ru": "Что повлияло на вашу оценку больше всего?",
                "en": "What influenced your score the most?",
            },
            "options": [
                {"value": a, "text": {"ru": ASPECT_LABELS[a][0], "en": ASPECT_LABELS[a][1]}}
                for a in spec.aspects
            ],
        }
    )
    questions.append(
        {
            "id": "comment",
            "type": "text",
            "text": {
                "ru": "Расскажите, пожалуйста, почему вы поставили такую оценку",
                "en": "Please tell us why you gave this score",
            },
        }
    )
    return {"questions": questions, "languages": ["ru", "en"]}
