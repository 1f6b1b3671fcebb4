"""The editable theme taxonomy: each theme has RU/EN names, keywords and examples.

Keywords are written in dictionary form (lemmas) and matched against lemmas of
the comment, so one keyword covers every case form. Examples feed the
semantic matcher, which finds a theme when no keyword is there ("ждал курьера
до ночи" → delivery). Analysts edit the taxonomy as JSON (`to_dict` /
`from_dict`); the later DB layer stores exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from otklik.errors import ValidationFailed
from otklik.understand.text.morph import lemmatize

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,48}$")


@dataclass(frozen=True)
class Theme:
    key: str
    name_ru: str
    name_en: str
    keywords: tuple[str, ...] = ()  # RU and EN words or phrases, any form
    examples: tuple[str, ...] = ()  # short RU/EN comments about the theme

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en

    def keyword_lemmas(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(lemmatize(k)) for k in self.keywords if lemmatize(k))


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        seen = set()
        for t in self.themes:
            if not _KEY.match(t.key):
                raise ValidationFailed(
                    f"theme key {t.key!r} must be lower-case latin letters, digits, _",
                    field="key",
                )
            if t.key in seen:
                raise ValidationFailed(f"theme key {t.key!r} is used twice", field="key")
            if not t.name_ru.strip() or not t.name_en.strip():
                raise ValidationFailed(f"theme {t.key!r} needs RU and EN names", field="name")
            if not t.keywords and not t.examples:
                raise ValidationFailed(
                    f"theme {t.key!r} needs keywords or examples", field="keywords"
                )
            seen.add(t.key)

    def get(self, key: str) -> Theme:
        for t in self.themes:
            if t.key == key:
                return t
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "themes": [
                {
                    "key": t.key,
                    "name_ru": t.name_ru,
                    "name_en": t.name_en,
                    "keywords": list(t.keywords),
                    "examples": list(t.examples),
                }
                for t in self.themes
            ]
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Taxonomy:
        try:
            themes = tuple(
                Theme(
                    key=str(t["key"]),
                    name_ru=str(t["name_ru"]),
                    name_en=str(t["name_en"]),
                    keywords=tuple(str(k) for k in t.get("keywords", ())),
                    examples=tuple(str(e) for e in t.get("examples", ())),
                )
                for t in data["themes"]
            )
        except (KeyError, TypeError) as exc:
            raise ValidationFailed(f"taxonomy is missing {exc}", field="themes") from exc
        return cls(themes)


DEFAULT_TAXONOMY = Taxonomy(
    (
        Theme(
            "delivery",
            "Доставка",
            "Delivery",
            (
                "доставка",
                "доставить",
                "курьер",
                "курьерский",
                "привезти",
                "посылка",
                "пункт выдачи",
                "трек",
                "отправление",
                "delivery",
                "deliver",
                "courier",
                "shipping",
                "shipment",
                "parcel",
                "package",
                "tracking",
            ),
            (
                "Курьер привёз заказ с опозданием",
                "Посылка потерялась по дороге",
                "The courier delivered my order late",
                "My parcel never arrived",
            ),
        ),
        Theme(
            "waiting_time",
            "Время ожидания",
            "Waiting time",
            (
                "очередь",
                "ждать",
                "ожидание",
                "долго",
                "задержка",
                "томиться",
                "wait",
                "queue",
                "waiting",
                "on hold",
                "took forever",
                "delay",
                "long line",
            ),
            (
                "Простоял в очереди сорок минут",
                "Пришлось долго ждать ответа",
                "I waited forty minutes in the queue",
                "I was on hold for an hour",
            ),
        ),
        Theme(
            "staff",
            "Персонал и поддержка",
            "Support & staff",
            (
                "сотрудник",
                "сотрудница",
                "оператор",
                "менеджер",
                "консультант",
                "кассир",
                "персонал",
                "поддержка",
                "специалист",
                "вежливый",
                "грубый",
                "хамство",
                "нахамить",
                "staff",
                "employee",
                "agent",
                "support",
                "manager",
                "representative",
                "cashier",
                "rude",
                "polite",
                "helpful",
                "consultant",
                "operator",
            ),
            (
                "Оператор вежливо всё объяснил",
                "Сотрудник был груб со мной",
                "The agent was very polite and helpful",
                "The staff were rude",
            ),
        ),
        Theme(
            "price",
            "Цены и комиссии",
            "Price & fees",
            (
                "цена",
                "стоимость",
                "дорого",
                "дешево",
                "комиссия",
                "тариф",
                "плата",
                "переплата",
                "процент",
                "скидка",
                "price",
                "cost",
                "expensive",
                "cheap",
                "fee",
                "commission",
                "overcharge",
                "tariff",
                "discount",
                "pricey",
                "interest rate",
            ),
            (
                "Слишком высокая комиссия за перевод",
                "Цены выросли",
                "The fees are too high",
                "Prices went up again",
            ),
        ),
        Theme(
            "app_website",
            "Приложение и сайт",
            "App & website",
            (
                "приложение",
                "сайт",
                "личный кабинет",
                "интернет-банк",
                "мобильный банк",
                "интерфейс",
                "обновление",
                "онлайн",
                "app",
                "application",
                "website",
                "site",
                "online",
                "internet bank",
                "online banking",
                "mobile banking",
                "interface",
                "update",
            ),
            (
                "В приложении неудобно искать реквизиты",
                "На сайте неудобно искать",
                "The app is confusing to navigate",
                "The website is confusing",
            ),
        ),
        # A sub-theme of app_website (a comment gets both): signing in and the app
        # failing are the digital complaints that move NPS most, and drown in the
        # broad theme unless they have their own line on the trend.
        Theme(
            "app_login",
            "Вход и сбои приложения",
            "App login & crashes",
            (
                "вход",
                "войти",
                "зайти в приложение",
                "заходить в приложение",
                "авторизация",
                "авторизоваться",
                "разлогинивать",
                "логин",
                "пароль",
                "отпечаток",
                "биометрия",
                "face id",
                "touch id",
                "вылетать",
                "вылететь",
                "зависать",
                "зависнуть",
                "крашиться",
                "глючить",
                "глюк",
                "сбой",
                "выкидывать",
                "приложение падать",
                "приложение закрываться",
                "не открываться",
                "login",
                "log in",
                "logged in",
                "log out",
                "logged out",
                "log me out",
                "sign in",
                "sign-in",
                "signed in",
                "password",
                "fingerprint",
                "biometric",
                "crash",
                "freeze",
                "frozen",
                "glitch",
                "bug",
                "kicks me",
                "something went wrong",
                "not open",
                "doesn't open",
                "won't open",
            ),
            (
                "Приложение вылетает при входе",
                "Не могу войти, пишет неверный пароль",
                "The app keeps crashing on login",
                "Fingerprint sign-in stopped working",
            ),
        ),
        Theme(
            "product_quality",
            "Качество продукта",
            "Product quality",
            (
                "качество",
                "брак",
                "сломаться",
                "сломанный",
                "дефект",
                "бракованный",
                "некачественный",
                "quality",
                "defect",
                "defective",
                "broken",
                "faulty",
                "damaged",
                "fell apart",
            ),
            (
                "Товар пришёл с браком",
                "Качество ужасное, сломалось через неделю",
                "The product broke after a week",
                "Excellent build quality",
            ),
        ),
        Theme(
            "communication",
            "Коммуникация",
            "Communication",
            (
                "звонок",
                "позвонить",
                "перезвонить",
                "смс",
                "уведомление",
                "письмо",
                "рассылка",
                "информировать",
                "спам",
                "call",
                "call back",
                "email",
                "sms",
                "notification",
                "message",
                "inform",
                "spam",
                "newsletter",
            ),
            (
                "Мне так и не перезвонили",
                "Присылают слишком много смс",
                "Nobody called me back",
                "Too many spam emails",
            ),
        ),
        Theme(
            "branch",
            "Отделение и офис",
            "Branch & premises",
            (
                "отделение",
                "офис",
                "филиал",
                "банкомат",
                "парковка",
                "магазин",
                "зал",
                "branch",
                "office",
                "atm",
                "store",
                "parking",
                "premises",
            ),
            (
                "В отделении было душно и тесно",
                "Банкомат не выдал деньги",
                "The branch was clean and spacious",
                "The ATM swallowed my card",
            ),
        ),
    )
)
