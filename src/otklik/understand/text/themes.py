"""Themes of a comment against the taxonomy: lemma keywords first, then meaning.

A comment is cut into clauses ("Доставили быстро, но курьер нахамил" → two),
so each theme gets the sentiment of the clause that talks about it (aspect
sentiment). Keyword hits are exact and cheap; the semantic matcher compares
the comment's embedding with each theme's example centroid and adds a theme
only when it stands out clearly from the others (no keyword needed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from otklik.understand.text.morph import lemmatize
from otklik.understand.text.taxonomy import Taxonomy

_CONTRAST = r"(?:но|однако|зато|а вот|хотя|but|however|although|though|whereas)\b"
_CLAUSE_SPLIT = re.compile(rf"(?<=[.!?;…\n])\s+|\s*[;\n]\s*|,?\s+(?={_CONTRAST})", re.IGNORECASE)
# e5 cosines crowd into 0.8–0.95, so a theme must beat a *generic feedback*
# centroid (the sentiment prototypes) by SEMANTIC_GAIN, and the runner-up theme
# by SEMANTIC_MARGIN. Set on hand-made examples, not on the bench data.
SEMANTIC_GAIN = 0.003
SEMANTIC_MARGIN = 0.008


def split_clauses(text: str) -> list[str]:
    """Sentences, further cut at contrast words ("но", "but"), without empties."""
    parts = [p.strip(" ,") for p in _CLAUSE_SPLIT.split(text) if p and p.strip(" ,.")]
    return parts or ([text] if text.strip() else [])


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    key: str
    clauses: tuple[int, ...]  # indexes into split_clauses(text); empty = whole comment
    via: str  # "keyword" or "semantic"
    similarity: float  # semantic gain over generic feedback (0 for keyword hits)
    terms: tuple[str, ...] = ()  # keyword lemmas that matched


class ThemeMatcher:
    """Compiled taxonomy: keyword lemma sequences and example centroids."""

    def __init__(
        self, taxonomy: Taxonomy, *, embed=None, generic: np.ndarray | None = None
    ) -> None:
        self.taxonomy = taxonomy
        self._keywords: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for theme in taxonomy.themes:
            for seq in theme.keyword_lemmas():
                self._keywords.setdefault(seq[0], []).append((theme.key, seq))
        self.centroids: np.ndarray | None = None
        self.generic: np.ndarray | None = None
        if embed is not None:
            if generic is None:
                from otklik.understand.text.prototypes import PROTOTYPES

                texts = [
                    t for by_lang in PROTOTYPES.values() for ts in by_lang.values() for t in ts
                ]
                generic = embed(texts).mean(axis=0)
            self.generic = (generic / np.linalg.norm(generic)).astype(np.float32)
            rows = []
            for theme in taxonomy.themes:
                texts = list(theme.examples) or [theme.name_ru, theme.name_en]
                m = embed(texts).mean(axis=0)
                rows.append(m / (np.linalg.norm(m) or 1.0))
            self.centroids = np.vstack(rows).astype(np.float32)

    def keyword_themes(self, clause: str) -> set[str]:
        return set(self.keyword_terms(clause))

    def keyword_terms(self, clause: str) -> dict[str, set[str]]:
        """Theme key → the keyword lemmas (phrases) that matched in `clause`."""
        lemmas = lemmatize(clause)
        found: dict[str, set[str]] = {}
        for i, lem in enumerate(lemmas):
            for key, seq in self._keywords.get(lem, ()):
                if tuple(lemmas[i : i + len(seq)]) == seq:
                    found.setdefault(key, set()).add(" ".join(seq))
        return found

    def semantic_themes(self, vector: np.ndarray) -> dict[str, float]:
        """The theme clearly closer to `vector` than generic feedback and than the rest."""
        if self.centroids is None or self.generic is None or not vector.any():
            return {}
        gain = self.centroids @ vector - float(self.generic @ vector)
        order = np.argsort(-gain)
        best = int(order[0])
        second = float(gain[order[1]]) if len(order) > 1 else -1.0
        if gain[best] >= SEMANTIC_GAIN and gain[best] - second >= SEMANTIC_MARGIN:
            return {self.taxonomy.themes[best].key: float(gain[best])}
        return {}

    def match(self, clauses: Sequence[str], vector: np.ndarray | None = None) -> list[ThemeMatch]:
        """Themes of one comment (its clauses and, if given, its embedding)."""
        by_theme: dict[str, list[int]] = {}
        terms: dict[str, set[str]] = {}
        for ci, clause in enumerate(clauses):
            for key, words in self.keyword_terms(clause).items():
                by_theme.setdefault(key, []).append(ci)
                terms.setdefault(key, set()).update(words)
        out = []
        for theme in self.taxonomy.themes:
            if theme.key in by_theme:
                found = tuple(sorted(terms[theme.key]))
                out.append(ThemeMatch(theme.key, tuple(by_theme[theme.key]), "keyword", 0.0, found))
        if vector is not None and not out:
            # Meaning only fills in where no keyword spoke: whole-comment
            # embeddings are dominated by the themes a keyword already found.
            for key, gain in self.semantic_themes(vector).items():
                out.append(ThemeMatch(key, (), "semantic", round(gain, 4)))
        return out
