"""A fast first stage for English sentiment: a linear model on hashed word and
character n-grams (about 0.1 ms per comment, no embedding).

Why: the e5 embedding costs 13–55 ms of CPU per comment, too slow to run on
every comment at ≥ 50 comments/s on two cores. This model is trained on the
human-labelled English data that ships in packages (CrowdFlower tweets, the
train split of the Drugs.com reviews, and the human-rated movie-review
sentences of VADER's ground truth; see scripts/train_text_ngram.py).
It answers alone only for a long comment (> MIN_CHARS) and when it is very
sure: a comment answered alone gets no embedding, hence no semantic theme
("The guy at the desk was super nice" is about staff without saying "staff"),
and a short one costs one embedding window at most. Otherwise its
probabilities join the embedding heads' average. N-grams miss contrast
("Works fine, but delivery was slow" reads 1.00 positive), so a short comment
with a contrast word ("but", "however", …) is left to the e5 heads, and a long
one is not answered alone when the n-gram verdict on what follows its last
contrast word differs. Russian always goes to
the embedding: no labelled Russian corpus ships in a package, so an n-gram
model has nothing to learn from.
The threshold, the ensemble weight and a neutral-class bias are chosen by
cross-validation on the review train split (stored in the model's metadata).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib.resources import files

import numpy as np

N_FEATURES = 2**18
MIN_CHARS = 240  # the embedding window (embed.EMBED_WINDOW): shorter costs one window at most
_CONTRAST = re.compile(r"\b(?:but|however|although|though|except|whereas|unfortunately)\b", re.I)


def reads(text: str) -> bool:
    """Whether the n-gram stage takes part for this English comment: not for a short
    one that turns on a contrast word (a long one gets `allowed_alone`'s check)."""
    return len(text) > MIN_CHARS or _CONTRAST.search(text) is None


def contrast_tail(text: str) -> str | None:
    """What follows the last contrast word of a comment, or None if it has none.

    A contrast word inside a long review is common (59 % of the drug reviews), so
    the tail is only a second opinion: when its verdict differs from the whole
    comment's, the comment goes to the embedding (scripts/cv_text_sentiment.py
    measured the rule; embedding every comment with a contrast word halved the
    pipeline's speed on reviews for +0.005 macro-F1).
    """
    parts = _CONTRAST.split(text)
    return parts[-1] if len(parts) > 1 else None


def allowed_alone(
    texts: Sequence[str],
    whole: np.ndarray,
    predict: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """Which English comments the n-gram stage may answer alone when it is sure: the long
    ones, unless what follows the last contrast word reads as another class than the
    whole comment. `whole` holds the n-gram probabilities of `texts`; `predict` gives
    them for the tails (the shipped model, or a model refitted in cross-validation)."""
    allowed = np.array([len(t) > MIN_CHARS for t in texts], dtype=bool)
    tails = {i: contrast_tail(texts[i]) for i in np.flatnonzero(allowed)}
    tails = {i: tail for i, tail in tails.items() if tail is not None}
    if tails:
        p = predict(list(tails.values()))
        idx = list(tails)
        allowed[idx] &= p.argmax(axis=1) == whole[idx].argmax(axis=1)
    return allowed


@lru_cache(maxsize=1)
def _vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    common = dict(n_features=N_FEATURES, alternate_sign=False, lowercase=True, norm="l2")
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b|[!?]", **common
    )
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common)
    return words, chars


def features(texts: Sequence[str]):
    """Sparse (n, 2·N_FEATURES) matrix: word 1–2-grams next to char 3–5-grams."""
    from scipy.sparse import hstack

    words, chars = _vectorizers()
    clipped = [t[:2000] for t in texts]
    return hstack([words.transform(clipped), chars.transform(clipped)]).tocsr()


class FastSentiment:
    """The shipped n-gram model (data/sentiment_ngram.npz)."""

    def __init__(self, path: str | None = None) -> None:
        source = path or str(files("otklik.understand.text") / "data" / "sentiment_ngram.npz")
        with np.load(source) as data:
            idx = data["index"]
            self.coef = np.zeros((2 * N_FEATURES, 3), dtype=np.float32)
            self.coef[idx] = data["values"].astype(np.float32)
            self.bias = data["bias"].astype(np.float32)
            self.meta = json.loads(str(data["meta"]))
        self.threshold = float(self.meta["threshold"])  # accept alone at or above
        self.weight = float(self.meta["ensemble_weight"])  # its share next to e5
        self.neutral_bias = float(self.meta["neutral_bias"])  # log-odds added to neutral

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        z = np.asarray(features(texts) @ self.coef) + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
