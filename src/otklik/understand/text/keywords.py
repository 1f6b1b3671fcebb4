"""Key words and phrases of a set of comments (a period, a segment, a theme).

Phrases are runs of 1–3 content words compared by lemma, so "долгое ожидание"
and "долгого ожидания" count together; a negation sticks to its word ("не
работает", "not working") because in feedback that is the point. With a
background set (e.g. the previous period), phrases are ranked by how much more
often they occur than there — what is *new* rather than what is always said.

`compare_keywords` does that with a test: for each phrase, the share of
comments that use it now and before, the lift, the log-odds ratio and its z,
and which changes stay significant after the Benjamini–Hochberg correction
(thousands of phrases are compared at once, so plain p < 0.05 would flag dozens
by chance).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from otklik.understand.stats import benjamini_hochberg, proportion_difference_test
from otklik.understand.text.morph import WORD, is_stopword, lemma

_NEGATIONS = frozenset({"не", "нет", "ни", "not", "no", "never", "без", "without"})
# A phrase never runs over punctuation ("перестал работать, каждый раз" is two), nor over
# what PII redaction leaves ("[PHONE]", "[EMAIL]"), which is never a phrase itself.
_BREAK = re.compile(r"\[[A-Z_]+\]|[.,!?;:…()«»\"“”„/]+|\s[-–—]+\s|[–—]")


@dataclass(frozen=True, slots=True)
class Keyword:
    phrase: str  # the most frequent written form
    lemma: str  # the normalised key
    documents: int  # how many comments contain it
    score: float


def _units(text: str) -> list[list[tuple[str, str]]]:
    """Runs of content words as (surface, lemma), split at stopwords and punctuation."""
    runs: list[list[tuple[str, str]]] = []
    for part in _BREAK.split(text):
        runs.append([])
        _run_words(WORD.findall(part), runs)
    return [r for r in runs if r]


@lru_cache(maxsize=200_000)
def _word(w: str) -> tuple[str, str | None]:
    """(lower case, lemma or None for a stopword): one cached look-up per written word."""
    return w.lower(), None if is_stopword(w) else lemma(w)


def _run_words(words: list[str], runs: list[list[tuple[str, str]]]) -> None:
    i = 0
    while i < len(words):
        low, lem = _word(words[i])
        if low in _NEGATIONS and i + 1 < len(words):
            nxt_low, nxt_lem = _word(words[i + 1])
            if nxt_lem is not None:
                runs[-1].append((f"{low} {nxt_low}", f"{low} {nxt_lem}"))
                i += 2
                continue
        if lem is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((low, lem))
        i += 1


def _phrases(text: str, max_ngram: int) -> dict[str, str]:
    """lemma key -> surface form (lower case), for every n-gram of every run (once per text)."""
    out: dict[str, str] = {}
    for run in _units(text):
        for n in range(1, max_ngram + 1):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                key = gram[0][1] if n == 1 else " ".join(g[1] for g in gram)
                if key not in out:
                    out[key] = gram[0][0] if n == 1 else " ".join(g[0] for g in gram)
    return out


def _frequencies(
    texts: Iterable[str], max_ngram: int
) -> tuple[Counter[str], dict[str, Counter[str]], int]:
    """Documents per phrase key, the written forms of each key, and the number of texts."""
    df: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    n = 0
    for text in texts:
        n += 1
        for key, surface in _phrases(text, max_ngram).items():
            df[key] += 1
            surfaces[key][surface] += 1
    return df, surfaces, n


def _weight(key: str) -> float:
    """Longer phrases say more than their words alone."""
    return 1 + 0.6 * key.count(" ")


def _without_parts(ranked: Iterable[str], df: Counter[str], top_k: int) -> list[str]:
    """The first `top_k` keys, skipping a part of a longer chosen phrase that explains it
    (and replacing a chosen part by the longer phrase that comes later)."""

    def part(short: str, long: str) -> bool:  # whole words: "курьер" is no part of "курьерский"
        return f" {short} " in f" {long} "

    def overlap(a: str, b: str) -> bool:
        """Two 3-word windows of one longer phrase: "палец перестать работать" and
        "отпечаток палец перестать" share their inner words."""
        wa, wb = a.split(), b.split()
        k = min(len(wa), len(wb)) - 1
        return k >= 2 and (wa[-k:] == wb[:k] or wb[-k:] == wa[:k])

    chosen: list[str] = []
    for key in ranked:
        if any((part(key, c) or overlap(key, c)) and df[key] <= df[c] * 1.25 for c in chosen):
            continue
        chosen = [c for c in chosen if not (part(c, key) and df[c] <= df[key] * 1.25)]
        chosen.append(key)
        if len(chosen) >= top_k:
            break
    return chosen


def extract_keywords(
    texts: Sequence[str],
    *,
    top_k: int = 20,
    max_ngram: int = 3,
    min_documents: int = 2,
    background: Sequence[str] | None = None,
) -> list[Keyword]:
    """The `top_k` phrases of `texts`, best first."""
    df, surfaces, n = _frequencies(texts, max_ngram)
    bg: Counter[str] = Counter()
    n_bg = 1
    if background is not None:
        bg, _, n_bg = _frequencies(background, max_ngram)
    n, n_bg = max(n, 1), max(n_bg, 1)
    scores: dict[str, float] = {}
    for key, count in df.items():
        if count < min_documents:
            continue
        score = count * _weight(key)
        if background is not None:
            # Smoothed log ratio of document rates: >0 when more common here.
            score *= max(math.log(((count + 0.5) / n) / ((bg[key] + 0.5) / n_bg)), 0.0)
        if score > 0:
            scores[key] = score
    ranked = sorted(scores, key=lambda k: (-scores[k], k))
    return [
        Keyword(surfaces[k].most_common(1)[0][0], k, df[k], round(scores[k], 3))
        for k in _without_parts(ranked, df, top_k)
    ]


@dataclass(frozen=True, slots=True)
class KeywordChange:
    """One phrase in a period against the period before."""

    phrase: str
    lemma: str
    documents: int  # comments in this period that use it
    share: float  # of this period's comments, 0..1
    previous_documents: int
    previous_share: float | None  # None when the previous period has no comments
    lift: float | None  # share / previous share (both smoothed by half a comment)
    log_odds: float | None  # log odds ratio now vs before (+0.5 in every cell): the effect
    z: float | None  # two-proportion z test of the shares (pooled): the evidence
    q: float | None  # its p-value, Benjamini–Hochberg adjusted over all compared phrases
    significant: bool  # q < ALPHA


@dataclass(frozen=True, slots=True)
class KeywordComparison:
    comments: int
    previous_comments: int
    top: list[KeywordChange]  # the most used phrases now, each with its change
    rising: list[KeywordChange]  # significantly more used than before, strongest first
    falling: list[KeywordChange]  # significantly less used than before


ALPHA = 0.05


def _test(a: int, n1: int, b: int, n2: int) -> tuple[float, float, float] | None:
    """Log odds ratio of a/n1 vs b/n2 (+0.5 in every cell), z and p of the share difference.

    The pooled z test rather than the Wald z of the log odds: the latter is far
    too timid when a phrase is new (zero before), which is the case that matters.
    """
    test = proportion_difference_test(successes1=a, n1=n1, successes2=b, n2=n2)
    if test is None:
        return None
    lor = math.log((a + 0.5) / (n1 - a + 0.5)) - math.log((b + 0.5) / (n2 - b + 0.5))
    return lor, test.z, test.p_value


def compare_keywords(
    texts: Sequence[str],
    previous: Sequence[str],
    *,
    top_k: int = 20,
    max_ngram: int = 3,
    min_documents: int = 2,
) -> KeywordComparison:
    """The phrases of `texts` with their change against `previous` (e.g. last month).

    >>> now = ["курьер опоздал"] * 8 + ["всё хорошо"] * 12
    >>> before = ["всё хорошо"] * 20
    >>> compare_keywords(now, before, top_k=3).rising[0].phrase
    'курьер опоздал'
    """
    df, surfaces, n = _frequencies(texts, max_ngram)
    bg, bg_surfaces, n_bg = _frequencies(previous, max_ngram)
    keys = [k for k, c in df.items() if c >= min_documents]
    # Falling phrases may be gone from this period altogether.
    keys += [k for k, c in bg.items() if c >= min_documents and df[k] < min_documents]
    tests: dict[str, tuple[float, float, float]] = {}
    if n and n_bg:
        for k in keys:
            if (t := _test(df[k], n, bg[k], n_bg)) is not None:
                tests[k] = t
    qs = dict(zip(tests, benjamini_hochberg([t[2] for t in tests.values()]), strict=True))

    def change(key: str) -> KeywordChange:
        a, b = df[key], bg[key]
        lor, z, _ = tests.get(key, (None, None, None))
        q = qs.get(key)
        forms = surfaces.get(key) or bg_surfaces[key]
        return KeywordChange(
            phrase=forms.most_common(1)[0][0],
            lemma=key,
            documents=a,
            share=round(a / n, 4) if n else 0.0,
            previous_documents=b,
            previous_share=round(b / n_bg, 4) if n_bg else None,
            lift=round(((a + 0.5) / (n + 1)) / ((b + 0.5) / (n_bg + 1)), 3) if n_bg else None,
            log_odds=None if lor is None else round(lor, 3),
            z=None if z is None else round(z, 2),
            q=None if q is None else round(q, 4),
            significant=q is not None and q < ALPHA,
        )

    frequent = sorted(
        (k for k in keys if df[k] >= min_documents), key=lambda k: (-df[k] * _weight(k), k)
    )
    up = sorted(
        (k for k in tests if tests[k][0] > 0 and qs[k] is not None and qs[k] < ALPHA),
        key=lambda k: (-tests[k][1], k),
    )
    down = sorted(
        (k for k in tests if tests[k][0] < 0 and qs[k] is not None and qs[k] < ALPHA),
        key=lambda k: (tests[k][1], k),
    )
    return KeywordComparison(
        comments=n,
        previous_comments=n_bg,
        top=[change(k) for k in _without_parts(frequent, df, top_k)],
        rising=[change(k) for k in _without_parts(up, df, top_k)],
        falling=[change(k) for k in _without_parts(down, bg, top_k)],
    )
