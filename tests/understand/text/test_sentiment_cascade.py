"""English sentiment cascade: the n-gram stage answers alone only a long comment it is sure
about, and never when a contrast word ("but") may turn the verdict."""

from __future__ import annotations

import numpy as np

from otklik.understand.text.fastsent import FastSentiment, allowed_alone, contrast_tail
from otklik.understand.text.sentiment import SentimentModel

LONG_PRAISE = (
    "Absolutely loved it. Fast and friendly service, the courier arrived early, the package "
    "was perfect and the staff answered every question within minutes. Great value for money, "
    "I will definitely order again and recommend this shop to all my friends and family!"
)
LONG_TURN = (
    "Absolutely loved the phone at first. The screen is bright, the camera takes wonderful "
    "photos and setting it up took five minutes. Shipping was quick and the box was perfect. "
    "But after a week the battery dies in two hours and support refused to replace it, terrible."
)


def _embedded_for(analyzer, text: str) -> int:
    before = analyzer.embedded
    analyzer.analyze([text])
    return analyzer.embedded - before


def test_long_clear_english_review_skips_the_embedding(analyzer):
    assert len(LONG_PRAISE) > 240
    assert _embedded_for(analyzer, LONG_PRAISE) == 0


def test_short_english_comment_is_embedded_for_its_semantic_themes(analyzer):
    assert _embedded_for(analyzer, "Absolutely loved it, fast and friendly service!") == 1


def test_short_comment_with_a_contrast_word_uses_the_embedding(analyzer):
    assert _embedded_for(analyzer, "It works, but the side effects are hard to live with") == 1


def test_contrast_that_turns_the_verdict_sends_a_long_review_to_the_embedding(analyzer):
    assert FastSentiment().probabilities([LONG_TURN])[0].max() >= 0.9  # n-grams alone: sure
    assert _embedded_for(analyzer, LONG_TURN) == 1


def test_short_contrastive_comment_reads_as_what_follows_but(analyzer):
    # The n-gram stage alone reads this 1.00 positive.
    [result] = analyzer.analyze(["Works fine, but delivery was slow"])
    assert result.sentiment.label == "negative"


def test_contrast_tail_is_what_follows_the_last_contrast_word():
    assert contrast_tail("Good, but slow. However, cheap") == ", cheap"
    assert contrast_tail("Butter was fresh") is None  # a word, not a prefix
    assert contrast_tail("No contrast here") is None


def test_allowed_alone_takes_long_comments_whose_contrast_tail_agrees():
    padding = "x" * 250
    texts = [
        f"{padding} but bad tail",  # long, the tail reads negative: not alone
        f"{padding} no contrast word",  # long: allowed
        f"{padding} but good tail",  # long, the tail agrees: allowed
        "short and clear",  # short: always embedded
    ]
    whole = np.tile([0.1, 0.1, 0.8], (len(texts), 1))
    asked = []

    def predict(tails: list[str]) -> np.ndarray:
        asked.extend(tails)
        return np.array([[0.9, 0.05, 0.05] if "bad" in t else [0.0, 0.1, 0.9] for t in tails])

    assert allowed_alone(texts, whole, predict).tolist() == [False, True, True, False]
    assert asked == [" bad tail", " good tail"]  # only the tails of long comments are read


def test_russian_comments_always_use_the_embedding(analyzer):
    assert _embedded_for(analyzer, "Отличный сервис, спасибо большое!") == 1


def test_shipped_models_never_trained_on_the_evaluation_sets():
    for meta in (SentimentModel().meta, FastSentiment().meta):
        sources = " ".join(meta["training_data"]).lower()
        assert "train split" in sources
        assert "test split" not in sources
        assert "amazon" not in sources  # the 300 Amazon product reviews are the bench's
    assert FastSentiment().threshold >= 0.9  # answering alone needs a sure verdict
