"""Key phrases of the comments an explorer filter selects, against the period before.

"What are customers saying this month that they did not say last month?" The
filter's date range is the period (the last 30 days up to the newest matching
comment when it has none); the previous period is the same number of days just
before it, with every other filter (touchpoint, segment, theme …) unchanged.
One data function for the explorer's panel and ``GET /api/v1/text/keywords``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.listen.models import Response
from otklik.understand.comments.explorer import CommentFilter
from otklik.understand.comments.models import ResponseText
from otklik.understand.text.keywords import KeywordChange, compare_keywords

DEFAULT_DAYS = 30
# Phrase counting is pure Python (~10k short comments/s on one core here): past this
# many comments per period the newest ones stand for the period, and the answer says so.
MAX_COMMENTS = 10_000


@dataclass(frozen=True)
class KeywordReport:
    since: date
    until: date  # inclusive
    previous_since: date
    previous_until: date
    comments: int
    previous_comments: int
    sampled: bool  # a period had more than MAX_COMMENTS comments; the newest were used
    top: list[KeywordChange]
    rising: list[KeywordChange]
    falling: list[KeywordChange]

    def to_dict(self) -> dict:
        return asdict(self)


# The explorer recomputes its panel on every page of the same filter; the answer only
# changes when comments are (re-)analysed or erased, which moves this version.
_CACHE_SIZE = 64
_cache: OrderedDict[tuple, KeywordReport] = OrderedDict()
_cache_lock = threading.Lock()


def _data_version(session: Session) -> tuple:
    count, newest = session.execute(
        select(func.count(), func.max(ResponseText.analysed_at)).select_from(ResponseText)
    ).one()
    return str(session.get_bind().url), count, newest


def _texts(session: Session, filters: CommentFilter, limit: int) -> tuple[list[str], bool]:
    rows = session.scalars(
        select(ResponseText.redacted_text)
        .join(Response, Response.id == ResponseText.response_id)
        .where(*filters.conditions(session), ResponseText.redacted_text != "")
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(limit + 1)
    ).all()
    return list(rows[:limit]), len(rows) > limit


def periods(
    *, session: Session, filters: CommentFilter, today: date | None = None
) -> tuple[date, date, date, date]:
    """(since, until, previous since, previous until), all inclusive."""
    until, since = filters.until, filters.since
    if until is None and since is None:
        newest = session.scalar(
            select(func.max(Response.submitted_at))
            .join(ResponseText, ResponseText.response_id == Response.id)
            .where(*filters.conditions(session))
        )
        until = newest.date() if newest is not None else (today or date.today())
    elif until is None:
        until = today or date.today()
    if since is None:
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    days = (until - since).days + 1
    return since, until, since - timedelta(days=days), since - timedelta(days=1)


def keyword_report(
    *,
    session: Session,
    filters: CommentFilter,
    top_k: int = 15,
    today: date | None = None,
    limit: int = MAX_COMMENTS,
) -> KeywordReport:
    """Top, rising and falling phrases of the filtered comments, period vs previous period."""
    since, until, prev_since, prev_until = periods(session=session, filters=filters, today=today)
    key = (_data_version(session), filters, since, until, top_k, limit)
    with _cache_lock:
        if (hit := _cache.get(key)) is not None:
            _cache.move_to_end(key)
            return hit
    now, cut_now = _texts(session, replace(filters, since=since, until=until), limit)
    before, cut_before = _texts(
        session, replace(filters, since=prev_since, until=prev_until), limit
    )
    result = compare_keywords(now, before, top_k=top_k)
    report = KeywordReport(
        since=since,
        until=until,
        previous_since=prev_since,
        previous_until=prev_until,
        comments=result.comments,
        previous_comments=result.previous_comments,
        sampled=cut_now or cut_before,
        top=result.top,
        rising=result.rising,
        falling=result.falling,
    )
    with _cache_lock:
        _cache[key] = report
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return report
