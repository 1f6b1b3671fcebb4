"""Compose varied customer comments from fragments: aspect × sentiment × language.

A comment is built from an optional opener, one or two aspect phrases (or a
praise of a named employee), an optional closer, then "written by a person":
lower case, a dropped full stop, a typo, ё written as е, an emoji, or contact
details now and then (so PII redaction has something to find).

>>> import random
>>> ctx = CommentContext(lang="ru", customer_gender="f")
>>> compose(random.Random(1), sentiment="neg", aspect="queue", ctx=ctx)  # doctest: +SKIP
'Очередь в отделении огромная, простояла 40 минут.'
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from otklik.demo import text_en, text_ru
from otklik.demo.names import plural_ru

_TEXTS = {"ru": text_ru, "en": text_en}
_GENDERED = re.compile(r"\{([ce]):([^|{}]*)\|([^{}]*)\}")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[^\W\d_]{6,}")
_KEEP_CASE = ("Face ID", "I ", "I'", "Android")

_RU_WORDS = {
    "min": ("минуту", "минуты", "минут"),
    "days": ("день", "дня", "дней"),
    "times": ("раз", "раза", "раз"),
    "hours": ("час", "часа", "часов"),
    "rub": ("рубль", "рубля", "рублей"),
}
_EN_WORDS = {"min": "minutes", "days": "days", "times": "times", "hours": "hours"}


@dataclass
class CommentContext:
    """What a comment may refer to: the writer, the place, the measured wait, an employee."""

    lang: str
    customer_gender: str = "f"
    where: str = ""  # branch, in the language's form ("на Тверской" / "Tverskaya")
    origin: str = ""  # "из отделения на Тверской" / "at the Tverskaya branch"
    wait_minutes: int | None = None
    employee_forms: dict[str, str] = field(default_factory=dict)  # nom, gen, dat, acc, ins
    employee_gender: str = "f"
    email: str | None = None
    phone: str | None = None


def sentiment_of(nps: int | None, csat: int | None, ces: int | None) -> str:
    """neg / mix / pos from whichever score the response has (NPS first)."""
    if nps is not None:
        return "neg" if nps <= 6 else "mix" if nps <= 8 else "pos"
    if csat is not None:
        return "neg" if csat <= 2 else "mix" if csat == 3 else "pos"
    if ces is not None:
        return "neg" if ces <= 3 else "mix" if ces <= 5 else "pos"
    return "mix"


def compose(
    rng: random.Random,
    *,
    sentiment: str,
    aspect: str,
    ctx: CommentContext,
    second_aspect: str | None = None,
    praise: bool = False,
) -> str:
    """One comment about ``aspect`` (and maybe ``second_aspect``) with the given sentiment."""
    t = _TEXTS[ctx.lang]
    phrases = t.PHRASES
    parts: list[str] = []
    r = rng.random()
    if praise and ctx.employee_forms:
        parts.append(rng.choice(t.PRAISE))
        if r < 0.3:
            parts.append(_pick(rng, phrases, second_aspect or aspect, "pos"))
    elif r < 0.12:  # a short verdict, with at most a closer
        parts.append(rng.choice(t.SHORT[sentiment]))
        if sentiment != "mix" and rng.random() < 0.4:
            parts[0] = _end(parts[0])
            parts.append(rng.choice(t.CLOSERS[sentiment]))
        return _humanise(
            rng,
            _fill(rng, " ".join(parts), sentiment=sentiment, ctx=ctx),
            sentiment=sentiment,
            ctx=ctx,
        )
    elif sentiment == "pos":
        parts.append(_pick(rng, phrases, aspect, "pos"))
        if second_aspect and second_aspect != aspect and rng.random() < 0.3:
            parts.append(_pick(rng, phrases, second_aspect, "pos"))
    elif sentiment == "neg":
        parts.append(_pick(rng, phrases, aspect, "neg"))
        if rng.random() < 0.25:
            parts.append(_pick(rng, phrases, second_aspect or aspect, "neg"))
    else:  # mixed: something good, then the catch (about another topic, or it contradicts)
        if second_aspect and second_aspect != aspect and rng.random() < 0.7:
            good = _end(_pick(rng, phrases, second_aspect, "pos"))
            bad = _lower_first(_pick(rng, phrases, aspect, "neg"))
            parts.append(f"{good} {rng.choice(t.BUT)}{bad}")
        else:
            parts.append(_pick(rng, phrases, aspect, "neg"))
        if rng.random() < 0.3:
            parts.append(rng.choice(t.CLOSERS["mix"]))
    parts = list(dict.fromkeys(parts))
    text = " ".join([_end(p) for p in parts[:-1]] + parts[-1:])
    if sentiment in t.OPENERS and rng.random() < 0.25:
        opener = rng.choice(t.OPENERS[sentiment])
        text = opener + (text if opener.rstrip()[-1] in ".!?" else _lower_first(text))
    if sentiment in ("neg", "pos") and rng.random() < 0.3:
        text = _end(text) + " " + rng.choice(t.CLOSERS[sentiment])
    text = _fill(rng, text, sentiment=sentiment, ctx=ctx)
    return _humanise(rng, text, sentiment=sentiment, ctx=ctx)


def _pick(rng: random.Random, phrases: dict, aspect: str, sentiment: str) -> str:
    pool = phrases[aspect].get(sentiment) or next(iter(phrases[aspect].values()))
    return rng.choice(pool)


def _lower_first(text: str) -> str:
    # Keep acronyms, "I" and brand names ("СМС", "FAQ", "Face ID") as they are.
    if text.startswith(_KEEP_CASE) or len(text) < 2 or text[1].isupper():
        return text
    return text[0].lower() + text[1:]


def _end(text: str) -> str:
    """Close a sentence before another one follows it."""
    return text if text[-1] in ".!?…" else text + "."


def _fill(rng: random.Random, text: str, *, sentiment: str, ctx: CommentContext) -> str:
    """Replace gendered forms and placeholders with values that fit the sentiment."""

    def gendered(m: re.Match) -> str:
        gender = ctx.customer_gender if m.group(1) == "c" else ctx.employee_gender
        return m.group(2) if gender == "m" else m.group(3)

    text = _GENDERED.sub(gendered, text)
    if "{" not in text:
        return text
    bad = sentiment != "pos"
    wait = ctx.wait_minutes
    if bad:
        minutes = wait if wait and wait >= 15 else rng.choice((15, 20, 25, 30, 40, 45, 60, 90))
    else:
        minutes = wait if wait and wait <= 12 else rng.randint(2, 10)
    numbers = {
        "min": minutes,
        "days": rng.randint(5, 30) if bad else rng.randint(1, 3),
        "times": rng.randint(2, 5),
        "hours": rng.randint(2, 5),
        "rub": rng.choice((99, 149, 199, 299, 390, 490, 590, 990))
        if bad
        else 50 * rng.randint(3, 40),
    }
    values = {"where": ctx.where, "from": ctx.origin}
    for key, n in numbers.items():
        if ctx.lang == "ru":
            values[key + "_w"] = plural_ru(n, *_RU_WORDS[key])
        else:
            values[key + "_w"] = f"{n} roubles" if key == "rub" else f"{n} {_EN_WORDS[key]}"
    for case, form in ctx.employee_forms.items():
        values["emp_" + case] = form
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
    return re.sub(r"\s{2,}", " ", text).replace(" ,", ",").replace(" .", ".").strip()


def _humanise(rng: random.Random, text: str, *, sentiment: str, ctx: CommentContext) -> str:
    """The small imperfections of real feedback, each rare, all seeded."""
    t = _TEXTS[ctx.lang]
    if ctx.lang == "ru" and rng.random() < 0.3:
        text = text.replace("ё", "е")
    if rng.random() < 0.04:
        text = _typo(rng, text)
    if rng.random() < 0.02:
        contact = rng.choice(t.PII)
        phone = random_phone(rng, digits=ctx.phone[2:] if ctx.phone else None)
        text = _end(text) + contact.format(phone=phone, email=ctx.email or "client@mail.ru")
    r = rng.random()
    if r < 0.12:
        text = text.lower()
    elif r < 0.16 and sentiment == "neg":
        text = text.rstrip(".") + rng.choice(("!!!", "!!", "!"))
    if rng.random() < 0.15:
        text = text.rstrip(".")
    if rng.random() < 0.04:
        text = text + " " + rng.choice(t.EMOJI[sentiment])
    return text


def _typo(rng: random.Random, text: str) -> str:
    words = list(_WORD.finditer(text))
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randint(1, len(w) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif kind == 1:
        w = w[:i] + w[i + 1 :]
    else:
        w = w[:i] + w[i] + w[i:]
    return text[: m.start()] + w + text[m.end() :]


def random_phone(rng: random.Random, *, digits: str | None = None) -> str:
    """A Russian mobile number (``digits``: the ten after +7) in one of the ways people write it."""
    if digits is None:
        code = rng.choice((903, 905, 909, 915, 916, 925, 926, 977, 985, 999, 921, 912, 913))
        digits = f"{code}{rng.randrange(10_000_000):07d}"
    code, a, b, c = digits[:3], digits[3:6], digits[6:8], digits[8:10]
    style = rng.randrange(4)
    if style == 0:
        return f"+7 {code} {a}-{b}-{c}"
    if style == 1:
        return f"8 ({code}) {a}-{b}-{c}"
    if style == 2:
        return f"+7{digits}"
    return f"8-{code}-{a}-{b}-{c}"
