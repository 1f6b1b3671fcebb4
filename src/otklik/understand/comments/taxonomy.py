"""Editing the stored taxonomy and correcting labels (analyst actions)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.errors import NotFound, ValidationFailed
from otklik.understand.comments.enrich import apply_corrections, default_theme, ensure_taxonomy
from otklik.understand.comments.models import ResponseText, TextCorrection, TextTheme
from otklik.understand.text.sentiment import CLASSES
from otklik.understand.text.taxonomy import DEFAULT_TAXONOMY, Theme

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,48}$")


def parse_keywords(raw: str | list[str]) -> list[str]:
    """Keywords from a comma/newline separated field (or a list), trimmed, unique."""
    items = raw if isinstance(raw, list) else re.split(r"[,\n;]", raw)
    out: list[str] = []
    for k in (" ".join(str(i).split()) for i in items):
        if k and k.lower() not in {o.lower() for o in out}:
            out.append(k[:100])
    return out


def _check(key: str, name_ru: str, name_en: str, keywords: list[str], examples: list[str]) -> None:
    if not _KEY.match(key):
        raise ValidationFailed("key: lower-case latin letters, digits and _ (2–49)", field="key")
    if not name_ru.strip():
        raise ValidationFailed("the Russian name is required", field="name_ru")
    if not name_en.strip():
        raise ValidationFailed("the English name is required", field="name_en")
    if not keywords and not examples:
        raise ValidationFailed("give at least one keyword", field="keywords")


def list_themes(*, session: Session) -> list[TextTheme]:
    ensure_taxonomy(session)
    return list(session.scalars(select(TextTheme).order_by(TextTheme.id)))


def missing_defaults(*, session: Session) -> list[Theme]:
    """Default themes shipped after this installation's taxonomy was seeded (e.g. app
    login & crashes): offered to the analyst, never added behind their back, since the
    next analysis run re-labels every comment with them."""
    ensure_taxonomy(session)
    have = set(session.scalars(select(TextTheme.key)))
    return [t for t in DEFAULT_TAXONOMY.themes if t.key not in have]


def add_defaults(*, session: Session) -> list[TextTheme]:
    """Add every missing default theme, as shipped (origin "default")."""
    added = [default_theme(t) for t in missing_defaults(session=session)]
    session.add_all(added)
    session.flush()
    return added


def create_theme(
    *,
    session: Session,
    key: str,
    name_ru: str,
    name_en: str,
    keywords: list[str],
    examples: list[str] = (),  # type: ignore[assignment]
    origin: str = "analyst",
) -> TextTheme:
    ensure_taxonomy(session)
    key = key.strip()
    keywords = parse_keywords(keywords)
    _check(key, name_ru, name_en, keywords, list(examples))
    if session.scalar(select(TextTheme.id).where(TextTheme.key == key)):
        raise ValidationFailed(f"theme {key!r} already exists", field="key")
    theme = TextTheme(
        key=key,
        name_ru=name_ru.strip()[:200],
        name_en=name_en.strip()[:200],
        keywords=keywords,
        examples=[e[:300] for e in examples],
        origin=origin,
        active=True,
    )
    session.add(theme)
    session.flush()
    return theme


def update_theme(
    *,
    session: Session,
    theme_id: int,
    name_ru: str,
    name_en: str,
    keywords: list[str],
    active: bool = True,
) -> TextTheme:
    theme = session.get(TextTheme, theme_id)
    if theme is None:
        raise NotFound(f"theme {theme_id} does not exist")
    keywords = parse_keywords(keywords)
    _check(theme.key, name_ru, name_en, keywords, list(theme.examples))
    theme.name_ru, theme.name_en = name_ru.strip()[:200], name_en.strip()[:200]
    theme.keywords, theme.active = keywords, active
    session.flush()
    return theme


def correct_labels(
    *,
    session: Session,
    response_id: int,
    user_id: int | None,
    sentiment: str | None = None,
    themes: list[str] | None = None,
) -> TextCorrection:
    """Store an analyst's sentiment and/or themes for a comment; they win at once and
    become training examples at the next `otklik text retrain`."""
    row = session.get(ResponseText, response_id)
    if row is None:
        raise NotFound(f"response {response_id} has no analysed comment")
    if sentiment is not None and sentiment not in CLASSES:
        raise ValidationFailed("sentiment must be negative, neutral or positive", field="sentiment")
    known = {t.key: t.id for t in list_themes(session=session)}
    if themes is not None:
        unknown = [k for k in themes if k not in known]
        if unknown:
            raise ValidationFailed(f"unknown theme {unknown[0]!r}", field="themes")
    if sentiment is None and themes is None:
        raise ValidationFailed("give a sentiment or themes", field="sentiment")
    correction = TextCorrection(
        response_id=response_id,
        user_id=user_id,
        sentiment=sentiment,
        themes=list(dict.fromkeys(themes)) if themes is not None else None,
        text=row.redacted_text,
        language=row.language,
    )
    session.add(correction)
    session.flush()
    apply_corrections(session, [response_id], theme_ids=known)
    return correction
