"""Query parameters the journey map's page, exports and API share: whole UTC days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from otklik.errors import ValidationFailed


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """``from``/``to`` dates (``to`` inclusive) → ``[since, until)``; a missing end stays None
    so the map's defaults (the last N days, the period before) apply."""
    since = datetime(start.year, start.month, start.day, tzinfo=UTC) if start else None
    until = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1) if end else None
    if since and until and since >= until:
        raise ValidationFailed("from must not be after to", field="from")
    return since, until
