"""The whole pipeline: sentiment on clear examples, and robustness to bad input."""

from __future__ import annotations

import pytest

from otklik.understand.text import MAX_CHARS, AnalyzerSettings, TextAnalyzer


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Ужасное обслуживание, больше никогда сюда не приду", "negative"),
        ("Деньги списали дважды, поддержка молчит уже неделю", "negative"),
        ("Всё прошло быстро и вежливо, огромное спасибо!", "positive"),
        ("Отличный банк, всем советую", "positive"),
        ("Подскажите, до скольки работает отделение в субботу?", "neutral"),
        ("Terrible experience, the staff were rude and nothing got fixed", "negative"),
        ("Absolutely loved it, fast and friendly service!", "positive"),
        ("What time does the branch open on Saturday?", "neutral"),
    ],
)
def test_sentiment_on_clear_examples(analyzer, text, label):
    result = analyzer.analyze_one(text)
    assert result.sentiment.label == label
    assert -1.0 <= result.sentiment.score <= 1.0
    if label == "positive":
        assert result.sentiment.score > 0.2
    if label == "negative":
        assert result.sentiment.score < -0.2


def test_batch_results_keep_input_order(analyzer):
    texts = ["Всё отлично", "", "Ужасно, больше не приду", "Great"]
    results = analyzer.analyze(texts)
    assert [r.sentiment.label for r in results] == ["positive", "neutral", "negative", "positive"]


def test_batches_analysed_with_overlapping_embeddings_match_one_by_one(analyzer):
    batches = [
        ["Курьер опоздал на два часа, но Ольга всё уладила", "", "Great app, but login fails"],
        [],
        ["Долго ждал в отделении", None, "The fee was too high; staff were kind"],
        ["Всё отлично"],
    ]
    streamed = list(analyzer.analyze_batches(iter(batches)))
    assert streamed == [analyzer.analyze(batch) for batch in batches]
    assert [len(r) for r in streamed] == [3, 0, 3, 1]


@pytest.mark.parametrize("text", ["", "   ", None, "12345", "…!!!"])
def test_empty_or_wordless_comments_are_neutral_and_flagged(analyzer, text):
    result = analyzer.analyze_one(text)
    assert result.empty and result.sentiment.label == "neutral" and result.themes == ()


def test_emoji_only_comments_get_emoji_sentiment(analyzer):
    assert analyzer.analyze_one("😡😡").sentiment.label == "negative"
    assert analyzer.analyze_one("😍👍").sentiment.label == "positive"


def test_very_long_comment_is_truncated_with_a_flag(analyzer):
    text = "Курьер опоздал. " * 2000
    result = analyzer.analyze_one(text)
    assert result.truncated and result.original_length == len(text.strip())
    assert len(result.redacted_text) <= MAX_CHARS
    assert result.notes and "truncated" in result.notes[0]
    assert result.to_row()["truncated"] == "yes"


def test_html_and_script_are_kept_as_text(analyzer):
    text = '<script>alert("x")</script> <b>Доставка</b> опоздала'
    result = analyzer.analyze_one(text)
    assert result.redacted_text == text
    assert "delivery" in {t.key for t in result.themes}


def test_invalid_utf8_bytes_are_decoded_with_replacement(analyzer):
    result = analyzer.analyze_one("Отлично".encode() + b"\xff\xfe")
    assert result.language == "ru"


def test_mixed_language_comment_is_analysed(analyzer):
    result = analyzer.analyze_one("Приложение постоянно падает, when I open the payments screen")
    assert result.mixed_language
    assert "app_website" in {t.key for t in result.themes}
    assert result.sentiment.label == "negative"


def test_pii_is_redacted_but_employee_names_kept_and_mentioned(analyzer):
    result = analyzer.analyze_one(
        "Ольга Петрова помогла, перезвоните мне на +7 916 123-45-67, ivan@example.com"
    )
    assert result.redacted_text == "Ольга Петрова помогла, перезвоните мне на [PHONE], [EMAIL]"
    assert result.pii_counts == {"PHONE": 1, "EMAIL": 1}
    assert [m.employee_id for m in result.mentions] == ["e1"]


def test_settings_can_turn_redaction_off(analyzer):
    plain = TextAnalyzer(
        settings=AnalyzerSettings(redact_pii=False, semantic_themes=False),
        embedder=analyzer.embedder,
        sentiment_model=analyzer.sentiment_model,
    )
    assert plain.analyze_one("ivan@example.com").redacted_text == "ivan@example.com"
