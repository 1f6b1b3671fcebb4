"""Words and their dictionary forms: pymorphy3 for Russian, a light stemmer for English.

Keywords, themes and mentions all compare lemmas, so "доставкой", "доставки"
and "доставка" (or "delivered", "delivery") meet in one form.
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_CYR = re.compile(r"[а-яё]", re.IGNORECASE)

RU_STOPWORDS = frozenset(
    """
    и в во не что он на я с со как а то все всё она так его но да ты к у же вы за бы по
    только ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли
    если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей
    может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже
    себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти
    мой тем чтобы нее неё сейчас были куда зачем всех никогда можно при наконец два об
    другой хоть после над больше тот через эти нас про всего них какая много разве три эту
    моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда
    конечно всю между это весь свой мочь который очень просто также вообще
    """.split()  # noqa: SIM905 (compact word lists; ruff would explode them)
)
EN_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at for with from by as is are was were be been being
    it its this that these those i me my we our you your he she they them his her their not
    no so very too just all any some can could will would should have has had do does did am
    what when where which who how there here than then out up about after before because
    while also only again more most get got one really even much still way lot well
    """.split()  # noqa: SIM905 (compact word lists; ruff would explode them)
)


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=300_000)
def ru_lemma(word: str) -> str:
    return _morph().parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=300_000)
def ru_lemmas(word: str) -> frozenset[str]:
    """Every dictionary form a Russian word may have (for ambiguous forms)."""
    return frozenset(p.normal_form.replace("ё", "е") for p in _morph().parse(word))


_EN_SUFFIXES = (
    ("iness", "y"),
    ("ies", "y"),
    ("ied", "y"),
    ("ingly", ""),
    ("edly", ""),
    ("ing", ""),
    ("ness", ""),
    ("ful", ""),
    ("ed", ""),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)


@lru_cache(maxsize=300_000)
def en_stem(word: str) -> str:
    """A small suffix stripper: enough to make 'delivered' and 'delivery' meet."""
    w = word.lower().replace("'s", "")
    if len(w) <= 3:
        return w
    for suffix, repl in _EN_SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    if w.endswith("y") and len(w) > 4:
        w = w[:-1] + "i"
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


def lemma(word: str) -> str:
    """Dictionary form of one word, in either language, lower case."""
    w = word.lower()
    return ru_lemma(w) if _CYR.search(w) else en_stem(w)


def is_stopword(word: str) -> bool:
    w = word.lower().replace("ё", "е")
    return w in RU_STOPWORDS or w in EN_STOPWORDS or len(w) < 2


def lemmatize(text: str) -> list[str]:
    """Lemmas of all words of `text`, in order (stopwords kept: phrases need them)."""
    return [lemma(w) for w in WORD.findall(text)]
