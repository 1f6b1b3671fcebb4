"""People's names for the demo: Russian and English names, short forms, and Russian cases.

Customers write "Спасибо Ольге", "с Олей", "поблагодарить Дмитрия": recognition
must find the employee behind every case form and nickname, so the demo uses them.
"""

from __future__ import annotations

from functools import cache


def _words(text: str) -> list[str]:
    return text.split()


# (full name, short form customers use, English spelling, gender)
RU_FIRST_NAMES = [
    ("Ольга", "Оля", "Olga", "f"),
    ("Анна", "Аня", "Anna", "f"),
    ("Марина", "", "Marina", "f"),
    ("Екатерина", "Катя", "Ekaterina", "f"),
    ("Елена", "Лена", "Elena", "f"),
    ("Татьяна", "Таня", "Tatiana", "f"),
    ("Наталья", "Наташа", "Natalia", "f"),
    ("Ирина", "Ира", "Irina", "f"),
    ("Светлана", "Света", "Svetlana", "f"),
    ("Юлия", "Юля", "Yulia", "f"),
    ("Мария", "Маша", "Maria", "f"),
    ("Дарья", "Даша", "Daria", "f"),
    ("Ксения", "Ксюша", "Ksenia", "f"),
    ("Анастасия", "Настя", "Anastasia", "f"),
    ("Виктория", "Вика", "Victoria", "f"),
    ("Полина", "", "Polina", "f"),
    ("Алина", "", "Alina", "f"),
    ("Евгения", "Женя", "Evgenia", "f"),
    ("Валерия", "Лера", "Valeria", "f"),
    ("Вероника", "", "Veronika", "f"),
    ("Дмитрий", "Дима", "Dmitry", "m"),
    ("Алексей", "Лёша", "Alexey", "m"),
    ("Сергей", "Серёжа", "Sergey", "m"),
    ("Андрей", "", "Andrey", "m"),
    ("Иван", "Ваня", "Ivan", "m"),
    ("Михаил", "Миша", "Mikhail", "m"),
    ("Николай", "Коля", "Nikolay", "m"),
    ("Артём", "", "Artem", "m"),
    ("Максим", "Макс", "Maxim", "m"),
    ("Игорь", "", "Igor", "m"),
    ("Павел", "Паша", "Pavel", "m"),
    ("Никита", "", "Nikita", "m"),
    ("Роман", "Рома", "Roman", "m"),
    ("Денис", "", "Denis", "m"),
    ("Кирилл", "", "Kirill", "m"),
    ("Евгений", "Женя", "Evgeny", "m"),
    ("Владимир", "Володя", "Vladimir", "m"),
    ("Александр", "Саша", "Alexander", "m"),
    ("Антон", "", "Anton", "m"),
    ("Егор", "", "Egor", "m"),
]

RU_LAST_NAMES = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов "
    "Поляков Сорокин Виноградов Белов Медведев Антонов Тарасов Жуков Баранов Филиппов "
    "Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов "
    "Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев "
    "Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров "
    "Калинин Исаев Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Голубев "
    "Кудрявцев Прохоров Наумов Потапов Журавлёв Трофимов Леонов Соболев Ермаков Колесников "
    "Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов "
    "Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Тихомиров "
    "Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов "
    "Князев Цветков Левин Воронов Аксёнов Мальцев Логинов Горшков Савин Краснов Майоров "
    "Демидов Елисеев Рыбаков Сафонов Плотников Хохлов Фадеев Молчанов Игнатов Литвинов Ершов "
    "Ушаков Рябов Мухин Калашников Лобанов Корнилов "
)

EN_FIRST_NAMES = [
    tuple(w.split(":"))
    for w in _words(
        "James:m John:m Michael:m David:m Daniel:m Thomas:m Robert:m William:m Mark:m Peter:m "
        "Lucas:m Oliver:m Ben:m Chris:m Andrew:m Emma:f Olivia:f Sophie:f Emily:f Sarah:f "
        "Laura:f Kate:f Hannah:f Jessica:f Rachel:f Claire:f Amy:f Lucy:f Megan:f Charlotte:f "
    )
]
EN_LAST_NAMES = _words(
    "Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts Walker Wright Robinson "
    "Thompson White Hughes Edwards Green Hall Wood Harris Martin Jackson Clarke Lewis Baker "
    "Turner Hill Scott Cooper Ward Morris King Watson Harrison Morgan Bennett Gray Palmer "
)

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"),
        strict=True,
    )
)

_IRREGULAR = {"Павел": ("Павла", "Павлу", "Павла", "Павлом")}
_HUSHING = "жшщчц"


def female_last_name(last: str) -> str:
    """Иванов → Иванова, Ильин → Ильина (every name in the list declines this way)."""
    return last + "а"


@cache
def translit(text: str) -> str:
    """A plain Latin spelling for e-mail addresses (Соловьёв → solovev)."""
    out = []
    for ch in text.lower():
        latin = _TRANSLIT.get(ch)
        out.append(ch if latin is None else ("" if latin == "-" else latin))
    return "".join(out)


def ru_cases(name: str, gender: str) -> dict[str, str]:
    """The five case forms customers use: nom, gen, dat, acc, ins.

    >>> ru_cases("Ольга", "f")["dat"], ru_cases("Дмитрий", "m")["ins"]
    ('Ольге', 'Дмитрием')
    """
    if name in _IRREGULAR:
        gen, dat, acc, ins = _IRREGULAR[name]
    elif name.endswith("ия"):
        stem = name[:-1]
        gen, dat, acc, ins = stem + "и", stem + "и", stem + "ю", stem + "ей"
    elif name.endswith("я"):
        stem = name[:-1]
        gen, dat, acc, ins = stem + "и", stem + "е", stem + "ю", stem + "ей"
    elif name.endswith("а"):
        stem = name[:-1]
        gen = stem + ("и" if stem[-1] in "гкх" + _HUSHING else "ы")
        ins = stem + ("ей" if stem[-1] in _HUSHING else "ой")
        dat, acc = stem + "е", stem + "у"
    elif gender == "m" and name[-1] in "йь":
        stem = name[:-1]
        gen, dat, acc, ins = stem + "я", stem + "ю", stem + "я", stem + "ем"
    elif gender == "m" and name[-1] not in "аеёиоуыэюя":
        gen, dat, acc, ins = name + "а", name + "у", name + "а", name + "ом"
    else:  # foreign female names (Emily) and the like do not decline
        gen = dat = acc = ins = name
    return {"nom": name, "gen": gen, "dat": dat, "acc": acc, "ins": ins}


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """Russian number agreement: 1 минуту, 3 минуты, 25 минут."""
    if n % 10 == 1 and n % 100 != 11:
        word = one
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = few
    else:
        word = many
    return f"{n} {word}"
