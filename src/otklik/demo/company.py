"""The fictional bank's fixed shape: regions, branches, staff roles, the card journey.

Plain data only, so that the generator and the tests read the same truth
(e.g. which touchpoint worsens, which employees are praised).
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY_CODE = "orient"
COMPANY_NAME = {"ru": "Банк Ориент", "en": "Orient Bank"}
JOURNEY_SLUG = "debit-card"
JOURNEY_NAME = {"ru": "Оформление и использование карты", "en": "Open and use a debit card"}

# Planted effects (see the package docstring); times are days before the anchor ("now").
WORSENING_TOUCHPOINT = "courier-delivery"
WORSENING_DAYS_AGO = 120
WORSENING_SHIFT = -1.0  # on the latent 0–10 scale: about −30 NPS points
IMPROVING_TOUCHPOINT = "app-login"
IMPROVING_DAYS_AGO = 180
IMPROVING_SHIFT = 1.3  # about +45 NPS points, ramped in over 30 days after the release
IMPROVING_RAMP_DAYS = 30
UNRESOLVED_SHIFT = -3.5  # support answer issue_resolved = "no"
WAIT_SHIFT_PER_MINUTE = -0.06  # branch answer wait_minutes, beyond the first five minutes

SEGMENTS = {  # share, latent shift, card product
    "mass": (0.55, 0.0, "Orient Classic"),
    "salary-project": (0.20, 0.1, "Orient Salary"),
    "youth": (0.15, -0.2, "Orient Youth"),
    "premium": (0.10, 0.6, "Orient Gold"),
}


@dataclass(frozen=True)
class Region:
    key: str
    ru: str
    en: str
    timezone: str


@dataclass(frozen=True)
class Branch:
    key: str
    region: str
    city_ru: str
    city_en: str
    ru: str
    en: str
    where_ru: str  # "на Тверской": fits "из отделения {where}"
    where_en: str  # "Tverskaya": fits "at the {where} branch"
    weight: float = 1.0


REGIONS = [
    Region("msk", "Московский регион", "Moscow Region", "Europe/Moscow"),
    Region("nw", "Северо-Западный регион", "North-West Region", "Europe/Moscow"),
    Region("ural", "Уральский регион", "Ural Region", "Asia/Yekaterinburg"),
    Region("sib", "Сибирский регион", "Siberian Region", "Asia/Novosibirsk"),
]

BRANCHES = [
    Branch(
        "tverskaya",
        "msk",
        "Москва",
        "Moscow",
        "Тверская",
        "Tverskaya",
        "на Тверской",
        "Tverskaya",
        1.6,
    ),
    Branch("arbat", "msk", "Москва", "Moscow", "Арбат", "Arbat", "на Арбате", "Arbat", 1.2),
    Branch(
        "kievskaya",
        "msk",
        "Москва",
        "Moscow",
        "Киевская",
        "Kievskaya",
        "на Киевской",
        "Kievskaya",
        1.1,
    ),
    Branch(
        "taganka", "msk", "Москва", "Moscow", "Таганка", "Taganka", "на Таганке", "Taganka", 1.0
    ),
    Branch("khimki", "msk", "Химки", "Khimki", "Химки", "Khimki", "в Химках", "Khimki", 0.7),
    Branch(
        "nevsky",
        "nw",
        "Санкт-Петербург",
        "Saint Petersburg",
        "Невский проспект",
        "Nevsky Prospekt",
        "на Невском",
        "Nevsky",
        1.4,
    ),
    Branch(
        "vasileostrovsky",
        "nw",
        "Санкт-Петербург",
        "Saint Petersburg",
        "Васильевский остров",
        "Vasilyevsky Island",
        "на Васильевском",
        "Vasilyevsky Island",
        0.9,
    ),
    Branch(
        "petrogradsky",
        "nw",
        "Санкт-Петербург",
        "Saint Petersburg",
        "Петроградская",
        "Petrogradskaya",
        "на Петроградке",
        "Petrogradskaya",
        0.8,
    ),
    Branch(
        "ekb-center",
        "ural",
        "Екатеринбург",
        "Yekaterinburg",
        "Екатеринбург-Центр",
        "Yekaterinburg Centre",
        "в центре Екатеринбурга",
        "Yekaterinburg Centre",
        1.0,
    ),
    Branch(
        "chelyabinsk",
        "ural",
        "Челябинск",
        "Chelyabinsk",
        "Челябинск",
        "Chelyabinsk",
        "в Челябинске",
        "Chelyabinsk",
        0.7,
    ),
    Branch(
        "nsk-center",
        "sib",
        "Новосибирск",
        "Novosibirsk",
        "Красный проспект",
        "Krasny Prospekt",
        "на Красном проспекте",
        "Krasny Prospekt",
        0.9,
    ),
    Branch(
        "krasnoyarsk",
        "sib",
        "Красноярск",
        "Krasnoyarsk",
        "Красноярск",
        "Krasnoyarsk",
        "в Красноярске",
        "Krasnoyarsk",
        0.7,
    ),
]

# Central teams hang directly under the company: (key, kind, ru, en).
TEAMS = [
    ("contact-centre", "team", "Контакт-центр", "Contact Centre"),
    ("digital", "team", "Цифровые каналы", "Digital Team"),
    ("card-ops", "department", "Карточный операционный центр", "Card Operations"),
]

# Employees customers praise by name (first name, last name, gender, unit key, EN name).
# They get most of the named praise; no other employee shares their first name.
STAR_EMPLOYEES = [
    ("Ольга", "Смирнова", "f", "tverskaya", "Olga"),
    ("Дмитрий", "Ковалёв", "m", "nevsky", "Dmitry"),
    ("Марина", "Соколова", "f", "contact-centre", "Marina"),
    ("Emily", "Clarke", "f", "contact-centre", "Emily"),
]
# English-speaking staff beside the stars: (first, last, gender, unit key, title RU, title EN).
ENGLISH_STAFF = [
    ("James", "Walker", "m", "digital", "Владелец продукта", "Product Owner"),
    ("Daniel", "Moore", "m", "digital", "Дизайнер", "UX Designer"),
    ("Sarah", "Hughes", "f", "card-ops", "Менеджер по качеству", "Quality Manager"),
]
BRANCH_TITLES = [
    ("Управляющий отделением", "Branch Manager"),
    ("Менеджер по обслуживанию", "Customer Service Manager"),
    ("Менеджер по обслуживанию", "Customer Service Manager"),
    ("Кассир-операционист", "Teller"),
]
TEAM_TITLES = {
    "contact-centre": [("Оператор контакт-центра", "Contact Centre Agent")] * 5
    + [("Руководитель смены", "Shift Supervisor")],
    "digital": [("Разработчик мобильного приложения", "Mobile Developer")] * 2,
    "card-ops": [("Специалист по доставке карт", "Card Delivery Specialist")],
}
