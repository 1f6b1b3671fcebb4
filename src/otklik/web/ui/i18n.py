"""UI strings in Russian and English, and how a request's language is chosen.

Order: ``?lang=`` (and remembered in a cookie) → cookie → the user's setting →
``Accept-Language`` → Russian. The strings live in ``otklik.web.ui.messages``, one
module per area of the product; this module stays the one import path for pages.
"""

from __future__ import annotations

from fastapi import Request

from otklik.web.ui.messages import MESSAGES

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "request_language", "translate"]


def translate(key: str, lang: str, **kwargs: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**kwargs) if kwargs else text


def request_language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in LANGUAGES:
        return lang
    user = getattr(request.state, "user", None)
    if user is not None and user.language in LANGUAGES:
        return user.language
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
