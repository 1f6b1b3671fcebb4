"""Keyword extraction groups case forms and keeps negations with their word."""

from __future__ import annotations

from otklik.understand.text import extract_keywords
from otklik.understand.text.keywords import compare_keywords


def test_case_forms_of_a_phrase_are_counted_together():
    texts = [
        "Очень долгое ожидание в отделении",
        "Долгого ожидания можно было избежать",
        "Раздражает долгое ожидание",
        "Приложение не работает",
        "Опять приложение не работает",
    ]
    kws = {k.lemma: k for k in extract_keywords(texts, top_k=5)}
    assert kws["долгий ожидание"].documents == 3
    assert "не работать" in " ".join(kws)


def test_background_ranks_new_phrases_first():
    now = ["курьер опоздал", "курьер опоздал снова", "вежливый персонал"] * 3
    before = ["вежливый персонал", "вежливый персонал и чисто"] * 3
    top = extract_keywords(now, top_k=3, background=before)
    assert top[0].lemma.startswith("курьер")
    assert all("вежливый" not in k.lemma for k in top)


def test_english_keywords_use_stems():
    texts = ["Delivery was late", "late delivery again", "delivered late, no tracking"]
    assert extract_keywords(texts, top_k=3)[0].documents == 3


def test_empty_input_gives_no_keywords():
    assert extract_keywords([]) == []
    assert extract_keywords(["", "😀"]) == []


def _period(*groups: tuple[str, int]) -> list[str]:
    return [text for text, times in groups for _ in range(times)]


def test_a_phrase_that_becomes_frequent_ranks_first_as_rising_and_significant():
    before = _period(
        ("Вежливый персонал, всё быстро", 20),
        ("Удобное приложение", 15),
        ("Дорогое обслуживание", 5),
    )
    now = _period(
        ("Вежливый персонал, всё быстро", 18),
        ("Удобное приложение", 12),
        ("Курьер опоздал на три часа", 6),
        ("Курьер опоздал, карту не привёз", 5),
        ("Дорогое обслуживание", 4),
    )
    result = compare_keywords(now, before, top_k=5)
    assert (result.comments, result.previous_comments) == (45, 40)
    first = result.rising[0]
    assert first.lemma == "курьер опоздать" and first.documents == 11
    assert first.previous_documents == 0 and first.significant and first.z > 3
    assert first.lift > 10 and first.log_odds > 0
    assert all("вежливый" not in k.lemma for k in result.rising)
    steady = next(k for k in result.top if k.lemma.startswith("вежливый персонал"))
    assert not steady.significant and 0.8 < steady.lift < 1.3


def test_a_phrase_that_disappears_is_falling():
    before = _period(("Приложение вылетает при входе", 15), ("Всё хорошо", 25))
    now = _period(("Всё хорошо", 38), ("Приложение вылетает", 1))
    result = compare_keywords(now, before)
    gone = result.falling[0]
    assert gone.lemma.startswith("приложение вылетать") or gone.lemma.startswith("вход")
    assert gone.previous_documents == 15 and gone.documents <= 1 and gone.z < 0
    assert not result.rising


def test_a_handful_of_mentions_is_not_called_significant():
    before = _period(("Всё хорошо", 10))
    now = _period(("Всё хорошо", 8), ("Курьер опоздал", 2))
    result = compare_keywords(now, before)
    assert not result.rising
    courier = next(k for k in result.top if k.lemma.startswith("курьер"))
    assert courier.documents == 2 and courier.z > 0 and not courier.significant


def test_without_a_previous_period_there_is_no_change():
    result = compare_keywords(["курьер опоздал", "курьер опоздал снова"], [])
    assert result.previous_comments == 0 and not result.rising and not result.falling
    assert result.top[0].previous_share is None and result.top[0].lift is None


def test_redaction_placeholders_are_never_keywords():
    texts = ["Позвоните мне [PHONE] срочно", "Мой номер [PHONE], жду звонка", "Call me [PHONE]"]
    assert all("phone" not in k.lemma for k in extract_keywords(texts, min_documents=1))


def test_a_word_is_not_taken_for_part_of_a_longer_word():
    texts = ["курьерская служба", "курьерская служба", "курьер", "курьер"]
    lemmas = {k.lemma for k in extract_keywords(texts)}
    assert "курьер" in lemmas


def test_phrases_stop_at_punctuation():
    texts = ["Вход перестал работать, каждый день ввожу пароль"] * 3
    lemmas = {k.lemma for k in extract_keywords(texts, top_k=30)}
    assert "вход перестать работать" in lemmas and "каждый день" in lemmas
    assert not any("работать каждый" in k for k in lemmas)


def test_overlapping_windows_of_one_long_phrase_are_shown_once():
    texts = ["вход по отпечатку пальца перестал работать"] * 4 + ["отпечатку пальца"] * 2
    top = [k.lemma for k in extract_keywords(texts, top_k=5)]
    windows = [k for k in top if k.count(" ") == 2]
    assert len(windows) == 1, top
