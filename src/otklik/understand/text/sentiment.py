"""Sentiment (negative / neutral / positive, score in [-1, 1]) for RU and EN comments.

Two heads on the same multilingual embedding, averaged:
* a logistic regression trained on human-labelled English tweets (CrowdFlower,
  3 classes) and patient reviews (Drugs.com train split) — it carries over
  to Russian because e5 maps both
  languages into one space;
* zero-shot prototypes: the nearest of three centroids of hand-written
  RU/EN customer comments, which matches the customer-feedback domain.
The trained file is data/sentiment_e5.npz, made by
scripts/train_text_sentiment.py (source and licence are stored inside).
For English comments VADER's lexicon joins the average when cross-validation
at training time found that it helps. Comments without words (emoji only) are
scored from their emoji.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np

CLASSES = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str
    score: float  # P(positive) - P(negative), in [-1, 1]
    probabilities: tuple[float, float, float]  # in CLASSES order

    @classmethod
    def from_probabilities(cls, p: np.ndarray) -> Sentiment:
        p = np.asarray(p, dtype=np.float64)
        p = p / p.sum()
        return cls(
            CLASSES[int(np.argmax(p))],
            round(float(p[2] - p[0]), 4),
            (round(float(p[0]), 4), round(float(p[1]), 4), round(float(p[2]), 4)),
        )


NEUTRAL = Sentiment("neutral", 0.0, (0.0, 1.0, 0.0))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class SentimentModel:
    """The shipped sentiment heads; `predict` takes e5 embeddings (rows)."""

    def __init__(self, path: str | None = None) -> None:
        source = path or str(files("otklik.understand.text") / "data" / "sentiment_e5.npz")
        with np.load(source) as data:
            self.weights = data["weights"].astype(np.float32)
            self.bias = data["bias"].astype(np.float32)
            self.centroids = data["centroids"].astype(np.float32)
            self.meta = json.loads(str(data["meta"]))
        self.temperature = float(self.meta["prototype_temperature"])
        # Chosen at training time by cross-validation on English reviews.
        self.english_vader = bool(self.meta.get("english_vader", False))

    def probabilities(
        self, vectors: np.ndarray, *, english: Sequence[str | None] = ()
    ) -> np.ndarray:
        """(n, 3) class probabilities; all-zero rows (empty text) come out neutral.

        `english` holds, per row, the text when it is English (else None): when
        the shipped model says so, VADER's lexicon joins the average there.
        """
        if len(vectors) == 0:
            return np.zeros((0, 3))
        trained = _softmax(vectors @ self.weights + self.bias)
        zero_shot = _softmax((vectors @ self.centroids.T) / self.temperature)
        p = (trained + zero_shot) / 2
        if self.english_vader:
            for i, text in enumerate(english):
                if text:
                    p[i] = (trained[i] + zero_shot[i] + np.array(vader_probabilities(text))) / 3
        empty = ~vectors.any(axis=1)
        p[empty] = (0.0, 1.0, 0.0)
        return p

    def predict(self, vectors: np.ndarray) -> list[Sentiment]:
        return [Sentiment.from_probabilities(p) for p in self.probabilities(vectors)]


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


_POSITIVE_EMOJI = frozenset("😀😃😄😁😊🙂😍🥰😘😻👍👌💯❤♥💖💕💗👏🙏⭐🌟✨😎🤩🥳✅💪🔥🎉🤗😇")
_NEGATIVE_EMOJI = frozenset("😡😠🤬👎😞😔😟😢😭😤😒🙁☹😩😫💩🤮🤢❌😱😖😣😕🤦😓💔")


def emoji_sentiment(text: str) -> Sentiment:
    """Sentiment of a comment with no words: feedback emoji first, VADER as fallback.

    VADER's emoji lexicon misses 😡 and 👎 and reads 🔥 as negative, so the
    emoji customers use most are counted directly.
    """
    if not text.strip():
        return NEUTRAL
    pos = sum(ch in _POSITIVE_EMOJI for ch in text)
    neg = sum(ch in _NEGATIVE_EMOJI for ch in text)
    if pos or neg:
        compound = (pos - neg) / (pos + neg)
    else:
        compound = float(_vader().polarity_scores(text)["compound"])
    if abs(compound) < 0.05:
        return NEUTRAL
    label = "positive" if compound > 0 else "negative"
    p_pos, p_neg = max(compound, 0.0), max(-compound, 0.0)
    return Sentiment(
        label, round(compound, 4), (round(p_neg, 4), round(1 - p_pos - p_neg, 4), round(p_pos, 4))
    )


def vader_probabilities(text: str) -> tuple[float, float, float]:
    """VADER's compound score as a (neg, neutral, pos) distribution."""
    c = float(_vader().polarity_scores(text)["compound"])
    return (max(-c, 0.0), 1.0 - abs(c), max(c, 0.0))


def vader_label(text: str) -> str:
    """VADER's label with its authors' thresholds (±0.05): the English baseline."""
    compound = _vader().polarity_scores(text)["compound"]
    return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
