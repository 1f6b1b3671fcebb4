"""English sentiment cascade: the n-gram stage answers alone only when it is sure."""

from __future__ import annotations

from otklik.understand.text.fastsent import FastSentiment
from otklik.understand.text.sentiment import SentimentModel


def _embedded_for(analyzer, text: str) -> int:
    before = analyzer.embedded
    analyzer.analyze([text])
    return analyzer.embedded - before


def test_clear_english_comment_skips_the_embedding(analyzer):
    assert _embedded_for(analyzer, "Absolutely loved it, fast and friendly service!") == 0


def test_contrastive_english_comment_goes_to_the_embedding(analyzer):
    # n-grams read "works, but …" as positive; the embedding heads must weigh in.
    assert _embedded_for(analyzer, "It works, but the side effects are hard to live with") == 1


def test_russian_comments_always_use_the_embedding(analyzer):
    assert _embedded_for(analyzer, "Отличный сервис, спасибо большое!") == 1


def test_shipped_models_never_trained_on_the_evaluation_split():
    for meta in (SentimentModel().meta, FastSentiment().meta):
        sources = " ".join(meta["training_data"]).lower()
        assert "train split" in sources
        assert "test split" not in sources
    assert FastSentiment().threshold >= 0.9  # answering alone needs a sure verdict
