"""Text analytics of customer comments in Russian and English, offline.

Pure functions and small classes over texts; storage and jobs build on them.
Start with `TextAnalyzer(...).analyze(texts)`; the parts are usable alone.
"""

from otklik.understand.text.keywords import Keyword, extract_keywords
from otklik.understand.text.lang import LanguageGuess, detect_language
from otklik.understand.text.mentions import Employee, EmployeeDirectory, Mention
from otklik.understand.text.normalize import MAX_CHARS, clean_text
from otklik.understand.text.pii import PII_TYPES, Redaction, redact
from otklik.understand.text.pipeline import (
    AnalyzerSettings,
    CommentAnalysis,
    TextAnalyzer,
    ThemeResult,
    scan,
)
from otklik.understand.text.sentiment import Sentiment, SentimentModel
from otklik.understand.text.taxonomy import DEFAULT_TAXONOMY, Taxonomy, Theme

__all__ = [
    "DEFAULT_TAXONOMY",
    "MAX_CHARS",
    "PII_TYPES",
    "AnalyzerSettings",
    "CommentAnalysis",
    "Employee",
    "EmployeeDirectory",
    "Keyword",
    "LanguageGuess",
    "Mention",
    "Redaction",
    "Sentiment",
    "SentimentModel",
    "Taxonomy",
    "TextAnalyzer",
    "Theme",
    "ThemeResult",
    "clean_text",
    "detect_language",
    "extract_keywords",
    "redact",
    "scan",
]
