"""Themes: lemma keywords in any case form, several per comment, aspect sentiment."""

from __future__ import annotations

import pytest

from otklik.errors import ValidationFailed
from otklik.understand.text import DEFAULT_TAXONOMY, Taxonomy
from otklik.understand.text.themes import ThemeMatcher, split_clauses

KEYWORDS = ThemeMatcher(DEFAULT_TAXONOMY)


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("Доставкой недоволен", {"delivery"}),
        ("курьера ждали весь день", {"delivery", "waiting_time"}),
        ("Высокая комиссия за переводы", {"price"}),
        ("Приложение зависает", {"app_website", "app_login"}),
        ("Не могу войти, пишет неверный пароль", {"app_login"}),
        ("Вход по отпечатку перестал работать", {"app_login"}),
        ("После обновления вылетает на главный экран", {"app_website", "app_login"}),
        ("Приложение удобное, всё под рукой", {"app_website"}),
        ("Сотрудница нахамила", {"staff"}),
        ("The courier never showed up", {"delivery"}),
        ("Fees are way too high", {"price"}),
        ("The app crashed twice", {"app_website", "app_login"}),
        ("It logged me out and I can't sign in again", {"app_login"}),
        ("Logging in with Face ID is instant now", {"app_login"}),
        ("The new app design is great", {"app_website"}),
        ("We were on hold for ages", {"waiting_time"}),
        ("Просто слов нет", set()),
    ],
)
def test_keywords_match_any_word_form(text, themes):
    assert KEYWORDS.keyword_themes(text) == themes


def test_clauses_split_at_sentences_and_contrast_words():
    assert split_clauses("Доставили быстро, но курьер нахамил. Цены ок!") == [
        "Доставили быстро",
        "но курьер нахамил.",
        "Цены ок!",
    ]
    assert split_clauses("Fast, but pricey") == ["Fast", "but pricey"]
    assert split_clauses("") == []


def test_each_theme_gets_the_sentiment_of_its_own_clause(analyzer):
    result = analyzer.analyze_one(
        "Приложение очень удобное и быстрое, спасибо. Но комиссия за перевод грабительская, "
        "это возмутительно"
    )
    by_key = {t.key: t for t in result.themes}
    assert by_key["app_website"].sentiment.label == "positive"
    assert by_key["price"].sentiment.label == "negative"


def test_semantic_matching_finds_a_theme_without_its_keyword(analyzer):
    ru = analyzer.analyze_one("Операционистка была очень мила")
    assert [(t.key, t.via) for t in ru.themes] == [("staff", "semantic")]
    en = analyzer.analyze_one("The guy at the desk was super nice")
    assert [(t.key, t.via) for t in en.themes] == [("staff", "semantic")]
    assert analyzer.analyze_one("Хорошая погода сегодня").themes == ()


def test_taxonomy_round_trips_and_rejects_bad_themes():
    data = DEFAULT_TAXONOMY.to_dict()
    assert Taxonomy.from_dict(data) == DEFAULT_TAXONOMY
    with pytest.raises(ValidationFailed, match="used twice"):
        Taxonomy.from_dict({"themes": data["themes"] + data["themes"][:1]})
    with pytest.raises(ValidationFailed, match="RU and EN names"):
        Taxonomy.from_dict(
            {"themes": [{"key": "x1", "name_ru": "", "name_en": "X", "keywords": ["a"]}]}
        )
    with pytest.raises(ValidationFailed, match="missing"):
        Taxonomy.from_dict({"themes": [{"key": "x1"}]})


def test_custom_theme_is_matched_by_its_keywords():
    tax = Taxonomy.from_dict(
        {
            "themes": [
                {
                    "key": "cashback",
                    "name_ru": "Кешбэк",
                    "name_en": "Cashback",
                    "keywords": ["кешбэк", "cashback"],
                }
            ]
        }
    )
    assert ThemeMatcher(tax).keyword_themes("Где мой кешбэка?") == {"cashback"}
