"""Person-name spans in Russian and English comments, fast enough for every comment.

Russian: capitalised words that pymorphy3's dictionary tags as a first name,
patronymic or surname (it knows their case forms: "Ольге", "Петровой").
English: capitalised words in the US Census first-name lists (shipped in the
`names` package; public-domain data), plus the capitalised word after them.
Optionally, natasha's Slovnet NER model (shipped in the `natasha` wheel) adds
the Russian names the dictionary misses; it is ~10x slower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

_RU_CAP = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
_EN_CAP = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?…:;\n\"«(]\s*$")

# Census first names that are also everyday English words.
_EN_AMBIGUOUS = frozenset(
    """
    will may june april august mark bill grace hope joy rose faith art dawn guy frank sue
    pat max page ray rich sky summer autumn iris lily ruby penny chase drew hunter mercy
    honey sunny happy bob jack jean lane price young long king love golden star else son
    major sharon great best black white brown green gray grey case the an and of in to is it
    as at by be he we go no so on or do if me my up us
    """.split()  # noqa: SIM905 (compact word lists; ruff would explode them)
)


@dataclass(frozen=True, slots=True)
class NameSpan:
    start: int
    end: int
    lemmas: tuple[str, ...]  # dictionary forms, lower case ("ольга", "петров")


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def ru_name_info(word: str) -> tuple[str, str] | None:
    """(lemma, kind) when pymorphy3 can read `word` as a name; kind is
    'first' (only when it is the most likely reading), 'maybe' or 'surname'."""
    parses = _morph().parse(word)
    top = parses[0]
    for p in parses:
        tag = p.tag
        if "Name" in tag or "Patr" in tag:
            kind = "first" if p is top else "maybe"
            return p.normal_form, kind
        if "Surn" in tag:
            return p.normal_form, ("surname" if p is top else "maybe")
    return None


@lru_cache(maxsize=1)
def english_first_names() -> frozenset[str]:
    """Lower-case US Census 1990 first names, minus everyday words."""
    out: set[str] = set()
    for fname in ("dist.male.first", "dist.female.first"):
        text = (files("names") / fname).read_text(encoding="utf-8")
        out.update(line.split()[0].lower() for line in text.splitlines() if line.strip())
    return frozenset(n for n in out - _EN_AMBIGUOUS if len(n) > 2)


def _sentence_initial(text: str, start: int) -> bool:
    return start == 0 or bool(_SENTENCE_END.search(text[max(0, start - 3) : start]))


def _merge(spans: list[NameSpan], text: str) -> list[NameSpan]:
    """Join adjacent name words ("Ольга Петрова") into one span."""
    out: list[NameSpan] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out and (span.start - out[-1].end) <= 2 and not text[out[-1].end : span.start].strip():
            prev = out[-1]
            out[-1] = NameSpan(prev.start, span.end, prev.lemmas + span.lemmas)
        elif out and span.start < out[-1].end:
            prev = out[-1]
            if span.end > prev.end:
                out[-1] = NameSpan(prev.start, span.end, prev.lemmas)
        else:
            out.append(span)
    return out


def find_russian_names(text: str) -> list[NameSpan]:
    spans: list[NameSpan] = []
    candidates = []
    for m in _RU_CAP.finditer(text):
        info = ru_name_info(m.group())
        if info:
            candidates.append((m, info))
    for i, (m, (lemma, kind)) in enumerate(candidates):
        initial = _sentence_initial(text, m.start())
        near = any(
            abs(m.start() - o.start()) <= 40 and ok in ("first",)
            for j, (o, (_, ok)) in enumerate(candidates)
            if j != i
        )
        if (
            kind == "first"
            or (kind == "surname" and (not initial or near))
            or (kind == "maybe" and not initial)
        ):
            spans.append(NameSpan(m.start(), m.end(), (lemma,)))
    return _merge(spans, text)


def find_english_names(text: str) -> list[NameSpan]:
    first = english_first_names()
    spans: list[NameSpan] = []
    matches = list(_EN_CAP.finditer(text))
    taken_until = -1
    for i, m in enumerate(matches):
        if m.start() < taken_until:
            continue
        word = m.group().lower()
        if word not in first:
            continue
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        has_surname = nxt is not None and text[m.end() : nxt.start()] == " "
        if _sentence_initial(text, m.start()) and not has_surname:
            continue
        end, lemmas = m.end(), (word,)
        if has_surname and nxt is not None:
            end, lemmas = nxt.end(), (word, nxt.group().lower())
        spans.append(NameSpan(m.start(), end, lemmas))
        taken_until = end
    return spans


class SlovnetNames:
    """natasha's Slovnet NER (PER spans) for Russian; loaded once, CPU, NumPy."""

    def __init__(self) -> None:
        from navec import Navec
        from slovnet import NER

        data = files("natasha") / "data"
        navec = Navec.load(str(data / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"))
        self._ner = NER.load(str(data / "model" / "slovnet_ner_news_v1.tar"))
        self._ner.navec(navec)

    def find(self, text: str) -> list[NameSpan]:
        markup = self._ner(text)
        out = []
        for s in markup.spans:
            if s.type != "PER":
                continue
            words = _RU_CAP.findall(text[s.start : s.stop]) or [text[s.start : s.stop]]
            lemmas = tuple((ru_name_info(w) or (w.lower(), ""))[0] for w in words)
            out.append(NameSpan(s.start, s.stop, lemmas))
        return out


def find_names(text: str, *, ner: SlovnetNames | None = None) -> list[NameSpan]:
    """Name spans of both languages (a comment may mix them), merged."""
    spans = find_russian_names(text) + find_english_names(text)
    if ner is not None and _RU_CAP.search(text):
        spans += ner.find(text)
    return _merge(spans, text)
