"""What the demo bank's journey map adds to its journey: personas, the backstage of each
stage, targets (the to-be) and improvement ideas — written through the editor's domain
functions, like an analyst would."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.demo.company import COMPANY_CODE, JOURNEY_SLUG
from otklik.listen import journey_opportunities as opportunities
from otklik.listen import journey_personas as personas
from otklik.listen import journey_schemas as js
from otklik.listen import journeys as editing
from otklik.listen.models import Touchpoint

PERSONAS = [
    (
        "young-professional",
        "Молодой специалист",
        "Young professional",
        "25–34, всё делает в приложении, ценит скорость.",
        "25–34, does everything in the app, values speed.",
    ),
    (
        "pensioner",
        "Пенсионер",
        "Pensioner",
        "Приходит в отделение, переводит пенсию, ценит внимание сотрудников.",
        "Visits the branch, moves the pension over, values attentive staff.",
    ),
]
BACKSTAGE = {  # stage position → (process RU/EN, owner unit key)
    1: ("Маркетинг, контент сайта, консультации в отделениях", "digital"),
    2: ("Скоринг заявки, проверка документов, выпуск карты", "card-ops"),
    3: ("Персонализация карты, логистика курьерской службы-партнёра", "card-ops"),
    4: ("Мобильная разработка, процессинг платежей, программа лояльности", "digital"),
    5: ("Контакт-центр, база знаний, маршрутизация обращений", "contact-centre"),
    6: ("Перевыпуск карт, удержание клиентов", "card-ops"),
}
TARGETS = {
    "courier-delivery": {"nps": 30},
    "app-login": {"nps": 30},
    "chat-support": {"nps": 40, "ces": 5.5},
    "branch-application": {"nps": 30},
}
OPPORTUNITIES = [
    (
        "Курьер звонит за час и присылает ссылку на отслеживание",
        "courier-delivery",
        "Sarah Hughes",
        "card-ops",
        "in_progress",
    ),
    (
        "Сменить курьерскую службу в регионах с задержками > 7 дней",
        "courier-delivery",
        "Карточный центр",
        "card-ops",
        "idea",
    ),
    ("Вход по биометрии в приложении 6.0", "app-login", "James Walker", "digital", "done"),
    (
        "Передавать чат оператору после двух неудачных ответов бота",
        "chat-support",
        "Марина Соколова",
        "contact-centre",
        "planned",
    ),
]


def add_journey_map(*, session: Session) -> None:
    """Personas, backstage, targets and opportunities on the demo journey."""
    journey = editing.get_journey(session=session, slug=JOURNEY_SLUG)
    for slug, ru, en, about_ru, about_en in PERSONAS:
        persona = personas.save_persona(
            session=session,
            data=js.PersonaCreate(
                slug=slug,
                name=en,
                name_i18n={"ru": ru, "en": en},
                description=about_en,
                description_i18n={"ru": about_ru, "en": about_en},
            ),
        )
        personas.link_persona(session=session, journey=journey, persona=persona)
    for stage in journey.stages:
        text, unit = BACKSTAGE.get(stage.position, ("", None))
        editing.update_stage(
            session=session,
            journey=journey,
            stage_id=stage.id,
            data=js.StageUpdate(backstage=text, backstage_unit=f"{COMPANY_CODE}-{unit}"),
        )
    for code, targets in TARGETS.items():
        tp_id = session.scalar(select(Touchpoint.id).where(Touchpoint.code == code))
        editing.update_touchpoint(
            session=session,
            journey=journey,
            touchpoint_id=tp_id,
            data=js.TouchpointUpdate(targets=js.Targets(**targets)),
        )
    for title, code, owner, unit, status in OPPORTUNITIES:
        opportunities.add_opportunity(
            session=session,
            journey=journey,
            data=js.OpportunityCreate(
                title=title,
                touchpoint=code,
                owner=owner,
                owner_unit=f"{COMPANY_CODE}-{unit}",
                status=status,
            ),
        )
