"""Language detection: ru / en / other and the mixed flag."""

from __future__ import annotations

import pytest

from otklik.understand.text import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Доставка опоздала на два часа", "ru"),
        ("Всё отлично, спасибо!", "ru"),
        ("The courier was late again", "en"),
        ("ok", "en"),
        ("Доставка опоздала на два часа, but ok", "ru"),
        ("Доставка опоздала, but the support team was great", "en"),
        ("Die Lieferung war zu spät und der Service ist nicht gut", "other"),
        ("La livraison est arrivée avec trois jours de retard", "other"),
        ("Дуже дякую, все чудово і швидко", "other"),
        ("送货太慢了", "other"),
        ("😡😡😡", "other"),
        ("", "other"),
        ("12345", "other"),
    ],
)
def test_language_is_detected(text, language):
    assert detect_language(text).language == language


def test_mixed_russian_english_text_is_flagged():
    assert detect_language("Приложение постоянно падает, when I open the payments screen").mixed
    assert detect_language("Good service overall, но очередь была очень большая").mixed
    assert not detect_language("Приложение падает каждый раз").mixed
    assert not detect_language("Оплатил через Apple Pay, всё прошло быстро").mixed
