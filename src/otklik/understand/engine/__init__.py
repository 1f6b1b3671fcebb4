"""The analytics engine: a columnar mirror (Parquet segments read by DuckDB) of the system of
record, plus the not-yet-mirrored tail read live. See docs/analytics-engine.md.

Imports are lazy: ``otklik.models`` imports ``engine.models`` and must stay light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from otklik.understand.engine.reader import AnalyticsEngine

_ENGINES: dict[tuple[str, str], AnalyticsEngine] = {}


def analytics_engine(*, data_dir: Path, engine: Engine) -> AnalyticsEngine:
    """The process-wide engine for a database and data directory (created once)."""
    from otklik.understand.engine.reader import AnalyticsEngine

    key = (str(Path(data_dir).resolve()), engine.url.render_as_string(hide_password=True))
    found = _ENGINES.get(key)
    if found is None or found.engine is not engine:
        found = AnalyticsEngine(directory=Path(data_dir) / "analytics", engine=engine)
        _ENGINES[key] = found
    return found


__all__ = ["analytics_engine"]
