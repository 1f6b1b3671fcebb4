"""What customers say at each stage: top themes and a few real quotes, redacted.

Where the comment pipeline has analysed a comment (``response_text`` and
``response_theme``, see ``understand.comments``), its stored redacted text and
themes (keywords + meaning, per the editable taxonomy) are used. Comments not
analysed yet are read on the fly, model-free: redacted with
``understand.text.redact`` (PII never reaches the page) and matched to the
default taxonomy's keywords. Each stage says which it used (``source``).

Quotes favour unhappy customers (they explain the pain) plus one happy voice,
newest first; they are plain text, escaped by the templates and the SVG writer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.listen.models import Response
from otklik.understand.text.pii import redact
from otklik.understand.text.taxonomy import DEFAULT_TAXONOMY
from otklik.understand.text.themes import ThemeMatcher, split_clauses

SAMPLE = 300  # newest comments per stage read for themes
QUOTE_CHARS = 220


class ThemeCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    comments: int
    share: float  # of the sampled comments
    unhappy_share: float  # of those comments, from unhappy customers


class Quote(BaseModel):
    model_config = ConfigDict(frozen=True)

    response_id: int
    text: str
    touchpoint: str
    score: str  # "NPS 3", "CSAT 2" …
    unhappy: bool
    submitted_at: datetime


class StageVoice(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str = "keywords"  # "analysis" (stored text analytics) or "keywords" (on the fly)
    comments: int  # sampled
    themes: list[ThemeCount]
    quotes: list[Quote]


@lru_cache(maxsize=1)
def _matcher() -> ThemeMatcher:
    return ThemeMatcher(DEFAULT_TAXONOMY)  # keywords only: no embedding model


def stage_voices(
    *,
    session: Session,
    stages: Mapping[int, Sequence[int]],
    touchpoint_labels: Mapping[int, str],
    since: datetime,
    until: datetime,
    lang: str,
    quotes: int = 3,
) -> dict[int, StageVoice]:
    """Themes and quotes for every stage id in ``stages`` (stage id → its touchpoint ids)."""
    out = {}
    for stage_id, tp_ids in stages.items():
        if not tp_ids:
            out[stage_id] = StageVoice(comments=0, themes=[], quotes=[])
            continue
        rows = session.execute(
            select(
                Response.id,
                Response.touchpoint_id,
                Response.comment,
                Response.nps,
                Response.csat,
                Response.ces,
                Response.submitted_at,
            )
            .where(
                Response.touchpoint_id.in_(list(tp_ids)),
                Response.comment.is_not(None),
                Response.comment != "",
                Response.submitted_at >= since,
                Response.submitted_at < until,
            )
            .order_by(Response.submitted_at.desc(), Response.id.desc())
            .limit(SAMPLE)
        ).all()
        stored = _stored(session, [r.id for r in rows], lang)
        out[stage_id] = _voice(rows, touchpoint_labels, lang, quotes, stored)
    return out


def _stored(session: Session, ids: list[int], lang: str) -> dict[int, tuple[str, dict]]:
    """Response id → (redacted text, {theme key: label}) for comments the pipeline analysed."""
    from otklik.understand.comments.models import ResponseText, ResponseTheme, TextTheme

    if not ids:
        return {}
    found: dict[int, tuple[str, dict]] = {
        rid: (text, {})
        for rid, text in session.execute(
            select(ResponseText.response_id, ResponseText.redacted_text).where(
                ResponseText.response_id.in_(ids)
            )
        )
    }
    if found:
        for rid, key, ru, en in session.execute(
            select(ResponseTheme.response_id, TextTheme.key, TextTheme.name_ru, TextTheme.name_en)
            .join(TextTheme, TextTheme.id == ResponseTheme.theme_id)
            .where(ResponseTheme.response_id.in_(list(found)))
        ):
            found[rid][1][key] = ru if lang == "ru" else en
    return found


def _voice(rows, labels: Mapping[int, str], lang: str, quotes: int, stored: dict) -> StageVoice:
    matcher = _matcher()
    counts: Counter[str] = Counter()
    unhappy_counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for row in rows:
        if row.id in stored:
            found = set(stored[row.id][1])
            names.update(stored[row.id][1])
        else:
            found = set()
            for clause in split_clauses(row.comment[:2000]):
                found |= matcher.keyword_themes(clause)
        counts.update(found)
        if _unhappy(row):
            unhappy_counts.update(found)
    total = len(rows)

    def label(key: str) -> str:
        if key in names:
            return names[key]
        try:
            return DEFAULT_TAXONOMY.get(key).name(lang)
        except KeyError:
            return key

    themes = [
        ThemeCount(
            key=key,
            label=label(key),
            comments=n,
            share=n / total,
            unhappy_share=unhappy_counts[key] / n,
        )
        for key, n in counts.most_common(4)
    ]
    source = "analysis" if stored and len(stored) * 2 >= total else "keywords"
    return StageVoice(
        source=source, comments=total, themes=themes, quotes=_quotes(rows, labels, quotes, stored)
    )


def _quotes(rows, labels: Mapping[int, str], count: int, stored=None) -> list[Quote]:
    """Up to ``count``: the newest unhappy voices, and the newest happy one last."""
    unhappy = [r for r in rows if _unhappy(r) and _usable(r.comment)]
    happy = [r for r in rows if not _unhappy(r) and _score(r) and _usable(r.comment)]
    chosen = unhappy[: count - 1] + happy[:1]
    if len(chosen) < count:
        chosen += [r for r in unhappy[count - 1 :]][: count - len(chosen)]
    return [
        Quote(
            response_id=r.id,
            text=_shorten(stored[r.id][0] if stored and r.id in stored else redact(r.comment).text),
            touchpoint=labels.get(r.touchpoint_id, ""),
            score=_score(r),
            unhappy=_unhappy(r),
            submitted_at=r.submitted_at,
        )
        for r in chosen
    ]


def _unhappy(r) -> bool:
    return bool(
        (r.nps is not None and r.nps <= 6)
        or (r.csat is not None and r.csat <= 3)
        or (r.ces is not None and r.ces <= 3)
    )


def _score(r) -> str:
    for name, value in (("NPS", r.nps), ("CSAT", r.csat), ("CES", r.ces)):
        if value is not None:
            return f"{name} {value}"
    return ""


def _usable(text: str) -> bool:
    return len(text.strip()) >= 12 and any(ch.isalpha() for ch in text)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    cut = text[:QUOTE_CHARS].rsplit(" ", 1)[0]
    return cut + "…"
