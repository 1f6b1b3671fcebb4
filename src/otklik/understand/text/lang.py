"""Language of a comment: ru / en / other, with a flag for mixed Russian-English text.

A script-ratio heuristic plus stopword cues: tens of thousands of comments a
second, and accurate on the two languages that matter here. Cyrillic text with
Ukrainian-only letters, or Latin text whose function words are not English,
is "other", so that it is not analysed with the wrong lexicon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CYR = re.compile(r"[а-яё]", re.IGNORECASE)
_LAT = re.compile(r"[a-z]", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_UKR_ONLY = re.compile(r"[іїєґ]", re.IGNORECASE)
_RU_ONLY = re.compile(r"[ыэъё]", re.IGNORECASE)
_LAT_WORD = re.compile(r"[a-zà-ÿ']+", re.IGNORECASE)
_DIACRITIC = re.compile(r"[à-ÿßœæ]", re.IGNORECASE)

EN_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at for with from by as is are was were be been it its
    this that these those i me my we our you your he she they them his her their not no so
    very too just all any some can could will would should have has had do does did am what
    when where which who how there here than then out up about after before because while
    also only again more most
    """.split()  # noqa: SIM905 (compact word lists; ruff would explode them)
)
# Frequent function words of other Latin-script languages that are not English words.
FOREIGN_STOPWORDS = frozenset(
    """
    der die das und ist nicht ein eine mit sich auch auf für von zu den dem le la les et est
    une des du pas pour que qui dans avec sur ce il elle vous nous el los las es una del por
    con para como pero muy más está il che di non sono della per una gli con anche o os que
    não uma com para mais muito é ve bir bu da için çok ile ama daha gibi de het een en van
    ik je niet op te zijn
    """.split()  # noqa: SIM905 (compact word lists; ruff would explode them)
)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # "ru", "en" or "other"
    mixed: bool  # both Cyrillic and Latin text in substantial amounts
    cyrillic_share: float  # share of letters that are Cyrillic (0 when no letters)


_CYR_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
RU_FUNCTION_WORDS = frozenset(
    """
    и в во не что на я с со как а то все всё она так его но да ты к у же вы за бы по только
    мне было вот от меня нет о из ему когда даже ли если уже или был до вас там мы для это
    этот очень
    """.split()  # noqa: SIM905 (compact word lists; ruff would explode them)
)


def _both_languages(text: str) -> bool:
    """Real sentences in both languages, not just a brand name ("Apple Pay")."""
    lat_words = [w.lower() for w in _LAT_WORD.findall(text)]
    cyr_words = [w.lower() for w in _CYR_WORD.findall(text)]
    if len(lat_words) < 3 or len(cyr_words) < 3:
        return False
    return any(w in EN_STOPWORDS for w in lat_words) or any(
        w in RU_FUNCTION_WORDS for w in cyr_words
    )


def detect_language(text: str) -> LanguageGuess:
    """Guess the comment's language from its letters and function words.

    >>> detect_language("Доставка опоздала, but support was great").mixed
    True
    """
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return LanguageGuess("other", False, 0.0)
    cyr = len(_CYR.findall(text))
    lat = len(_LAT.findall(text))
    share = cyr / letters
    mixed = min(cyr, lat) >= 8 and _both_languages(text)
    if cyr >= lat and cyr / letters >= 0.5:
        if _UKR_ONLY.search(text) and not _RU_ONLY.search(text):
            return LanguageGuess("other", mixed, share)
        return LanguageGuess("ru", mixed, share)
    if lat > cyr and (lat + len(_DIACRITIC.findall(text))) / letters >= 0.5:
        words = [w.lower() for w in _LAT_WORD.findall(text)]
        english = sum(w in EN_STOPWORDS for w in words)
        foreign = sum(w in FOREIGN_STOPWORDS and w not in EN_STOPWORDS for w in words)
        diacritics = len(_DIACRITIC.findall(text))
        if foreign > english or (english == 0 and diacritics >= 2):
            return LanguageGuess("other", mixed, share)
        return LanguageGuess("en", mixed, share)
    return LanguageGuess("other", mixed, share)
