"""Key words and phrases of a set of comments (a period, a segment, a theme).

Phrases are runs of 1–3 content words compared by lemma, so "долгое ожидание"
and "долгого ожидания" count together; a negation sticks to its word ("не
работает", "not working") because in feedback that is the point. With a
background set (e.g. the previous period), phrases are ranked by how much more
often they occur than there — what is *new* rather than what is always said.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from otklik.understand.text.morph import WORD, is_stopword, lemma

_NEGATIONS = frozenset({"не", "нет", "ни", "not", "no", "never", "без", "without"})


@dataclass(frozen=True, slots=True)
class Keyword:
    phrase: str  # the most frequent written form
    lemma: str  # the normalised key
    documents: int  # how many comments contain it
    score: float


def _units(text: str) -> list[list[tuple[str, str]]]:
    """Runs of content words as (surface, lemma), split at stopwords."""
    runs: list[list[tuple[str, str]]] = [[]]
    words = WORD.findall(text)
    i = 0
    while i < len(words):
        w = words[i]
        low = w.lower()
        if low in _NEGATIONS and i + 1 < len(words) and not is_stopword(words[i + 1]):
            nxt = words[i + 1]
            runs[-1].append((f"{w} {nxt}", f"{low} {lemma(nxt)}"))
            i += 2
            continue
        if is_stopword(w):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((w, lemma(w)))
        i += 1
    return [r for r in runs if r]


def _phrases(text: str, max_ngram: int) -> dict[str, str]:
    """lemma key -> surface form, for every n-gram of every run (once per text)."""
    out: dict[str, str] = {}
    for run in _units(text):
        for n in range(1, max_ngram + 1):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                key = " ".join(g[1] for g in gram)
                out.setdefault(key, " ".join(g[0] for g in gram).lower())
    return out


def extract_keywords(
    texts: Sequence[str],
    *,
    top_k: int = 20,
    max_ngram: int = 3,
    min_documents: int = 2,
    background: Sequence[str] | None = None,
) -> list[Keyword]:
    """The `top_k` phrases of `texts`, best first."""
    df: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for key, surface in _phrases(text, max_ngram).items():
            df[key] += 1
            surfaces[key][surface] += 1
    bg: Counter[str] = Counter()
    if background:
        for text in background:
            bg.update(_phrases(text, max_ngram).keys())
    n, n_bg = max(len(texts), 1), max(len(background or ()), 1)
    scored = []
    for key, count in df.items():
        if count < min_documents:
            continue
        words = key.count(" ") + 1
        score = count * (1 + 0.6 * (words - 1))
        if background is not None:
            # Smoothed log ratio of document rates: >0 when more common here.
            score *= max(math.log(((count + 0.5) / n) / ((bg[key] + 0.5) / n_bg)), 0.0)
        scored.append((score, key))
    scored.sort(key=lambda x: (-x[0], x[1]))
    chosen: list[Keyword] = []
    for score, key in scored:
        if score <= 0:
            break
        # Skip a part when a longer phrase already chosen explains it.
        if any(key in c.lemma and df[key] <= c.documents * 1.25 for c in chosen):
            continue
        # Replace shorter chosen phrases that this one contains.
        chosen = [c for c in chosen if not (c.lemma in key and c.documents <= df[key] * 1.25)]
        chosen.append(Keyword(surfaces[key].most_common(1)[0][0], key, df[key], round(score, 3)))
        if len(chosen) >= top_k:
            break
    return chosen
