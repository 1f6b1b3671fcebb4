"""Strings of the comment explorer: comments, keywords and sentiment (web/ui/comments.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "nav.comments": {"en": "Comments", "ru": "Комментарии"},
    "comments.title": {"en": "Customer comments", "ru": "Комментарии клиентов"},
    "comments.explorer": {"en": "Explorer", "ru": "Обзор"},
    "comments.themes": {"en": "Themes", "ru": "Темы"},
    "comments.taxonomy": {"en": "Taxonomy", "ru": "Таксономия"},
    "comments.theme": {"en": "Theme", "ru": "Тема"},
    "comments.sentiment": {"en": "Sentiment", "ru": "Тональность"},
    "comments.touchpoint": {"en": "Touchpoint", "ru": "Точка контакта"},
    "comments.language": {"en": "Language", "ru": "Язык"},
    "comments.since": {"en": "From", "ru": "С"},
    "comments.until": {"en": "To", "ru": "По"},
    "comments.search": {"en": "Text contains", "ru": "Текст содержит"},
    "comments.apply": {"en": "Apply", "ru": "Применить"},
    "comments.any": {"en": "any", "ru": "любая"},
    "comments.found": {"en": "{n} comments", "ru": "Комментариев: {n}"},
    "comments.date": {"en": "Date", "ru": "Дата"},
    "comments.text": {
        "en": "Comment (personal data removed)",
        "ru": "Комментарий (без персональных данных)",
    },
    "comments.none": {"en": "Nothing here yet.", "ru": "Пока ничего нет."},
    "comments.prev": {"en": "Previous", "ru": "Назад"},
    "comments.next": {"en": "Next", "ru": "Дальше"},
    "comments.correct": {"en": "Correct", "ru": "Исправить"},
    "comments.corrected": {"en": "Corrected by an analyst", "ru": "Исправлено аналитиком"},
    "comments.save": {"en": "Save", "ru": "Сохранить"},
    "comments.trend": {
        "en": "Share of comments by theme, per month",
        "ru": "Доля комментариев по темам, по месяцам",
    },
    "comments.share_of": {"en": "of {total} comments", "ru": "из {total} комментариев"},
    "comments.all_comments": {"en": "All analysed comments", "ru": "Все проанализированные"},
    "comments.heatmap": {"en": "Themes × touchpoints", "ru": "Темы × точки контакта"},
    "comments.heatmap_help": {
        "en": "Mentions and share negative; red = mostly negative.",
        "ru": "Упоминания и доля негативных; красный — в основном негатив.",
    },
    "comments.discovered": {"en": "New themes found", "ru": "Найденные новые темы"},
    "comments.discovered_help": {
        "en": "Groups of comments that match no theme; add a useful one to the taxonomy.",
        "ru": "Группы комментариев вне тем; полезную группу можно добавить в таксономию.",
    },
    "comments.discover": {"en": "Find new themes", "ru": "Найти новые темы"},
    "comments.promote": {"en": "Add to taxonomy", "ru": "Добавить в таксономию"},
    "comments.keywords": {
        "en": "Keywords (RU/EN, comma-separated)",
        "ru": "Ключевые слова (RU/EN, через запятую)",
    },
    "comments.active": {"en": "Active", "ru": "Активна"},
    "comments.add_theme": {"en": "Add a theme", "ru": "Добавить тему"},
    "comments.taxonomy_help": {
        "en": "Keywords match any word form; changes apply at the next analysis run.",
        "ru": (
            "Ключевые слова находятся в любой форме; изменения применяются при следующем анализе."
        ),
    },
    "comments.segment": {"en": "Segment", "ru": "Сегмент"},
    "comments.attribute": {"en": "Customer attribute", "ru": "Атрибут клиента"},
    "comments.trend_all": {
        "en": "All mentions, % of comments",
        "ru": "Все упоминания, % комментариев",
    },
    "comments.trend_net": {
        "en": "Net sentiment of mentions: % positive − % negative",
        "ru": "Баланс тональности упоминаний: % позитивных − % негативных",
    },
    "comments.trend_cells": {
        "en": "Cells: mentions and their net sentiment (from 3 mentions a month).",
        "ru": "В ячейках: упоминания и баланс их тональности (от 3 упоминаний в месяц).",
    },
    "comments.missing_defaults": {
        "en": "New default themes are available:",
        "ru": "Доступны новые стандартные темы:",
    },
    "comments.add_defaults": {
        "en": "Add them (comments are re-labelled at the next analysis run)",
        "ru": "Добавить (комментарии переразметятся при следующем анализе)",
    },
    "kw.title": {"en": "Key phrases", "ru": "Ключевые фразы"},
    "kw.period": {"en": "{since} – {until}: {n} comments,", "ru": "{since} – {until}: {n} комм.,"},
    "kw.previous": {
        "en": "compared with {since} – {until} ({n}).",
        "ru": "в сравнении с {since} – {until} ({n}).",
    },
    "kw.days": {"en": "{n} days", "ru": "{n} дн."},
    "kw.sampled": {
        "en": "Many comments: the newest {n} of each period were used.",
        "ru": "Комментариев много: взяты последние {n} за каждый период.",
    },
    "kw.rising": {"en": "Rising", "ru": "Растут"},
    "kw.falling": {"en": "Falling", "ru": "Снижаются"},
    "kw.top": {"en": "Most mentioned", "ru": "Чаще всего"},
    "kw.phrase": {"en": "Phrase", "ru": "Фраза"},
    "kw.now": {"en": "Now", "ru": "Сейчас"},
    "kw.before": {"en": "Before", "ru": "Раньше"},
    "kw.change": {"en": "Change", "ru": "Изменение"},
    "kw.no_change": {"en": "No significant change.", "ru": "Значимых изменений нет."},
    "kw.significant_help": {
        "en": "Significant change: z = {z}, q = {q}",
        "ru": "Значимое изменение: z = {z}, q = {q}",
    },
    "kw.method": {
        "en": "Counts are comments that use the phrase in any word form; × is its share now "
        "divided by its share before; * marks a significant change (two-proportion z test, "
        "Benjamini–Hochberg q < 0.05 over all phrases).",
        "ru": "Число — комментарии с этой фразой в любой форме; × — её доля сейчас, делённая на "
        "долю раньше; * — значимое изменение (z-тест двух долей, поправка Бенджамини–Хохберга, "
        "q < 0.05 по всем фразам).",
    },
    "sentiment.negative": {"en": "negative", "ru": "негатив"},
    "sentiment.neutral": {"en": "neutral", "ru": "нейтрально"},
    "sentiment.positive": {"en": "positive", "ru": "позитив"},
}
