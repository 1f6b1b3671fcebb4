"""Keyword extraction groups case forms and keeps negations with their word."""

from __future__ import annotations

from otklik.understand.text import extract_keywords


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
