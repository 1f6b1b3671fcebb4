"""PII redaction before a comment is stored (OTKLIK_REDACT_PII_ON_INGEST).

Ingestion calls `redact_for_storage` on the hot path, so only the model-free
first stage runs here (patterns with checksums + the name dictionary: ~6 µs for
a typical comment, nothing but one regex search when it has no digit, "@" or
capital letter); the rest of the analysis happens later in the job. Employee
names from the directory are kept so that mentions can still be credited. The
directory is cached per engine and reloaded in the background after a minute.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from otklik.understand.text.pii import may_contain_pii, redact

_TTL = 60.0
_lock = threading.Lock()
_keep: weakref.WeakKeyDictionary[Engine, tuple[float, frozenset[str]]] = weakref.WeakKeyDictionary()
_refreshing: weakref.WeakSet[Engine] = weakref.WeakSet()
_log = logging.getLogger(__name__)


_enabled: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def set_redaction(engine: Engine, enabled: bool) -> None:
    """Record OTKLIK_REDACT_PII_ON_INGEST for the engine ingestion writes through."""
    _enabled[engine] = enabled


def redaction_enabled(engine: Engine) -> bool:
    """The setting, as the app or CLI recorded it for this engine (default: on)."""
    return _enabled.get(engine, True)


def _keep_names(engine: Engine) -> frozenset[str]:
    """Employee name lemmas to keep. Loaded once; when the copy is over a minute old it
    is still used while a background thread reloads it, so the ingestion hot path (on the
    event loop) never waits for the directory query."""
    hit = _keep.get(engine)  # a dict read is atomic: no lock on the hot path
    if hit is None:
        return refresh_keep_names(engine)
    if time.monotonic() - hit[0] >= _TTL:
        _refresh_in_background(engine)
    return hit[1]


def refresh_keep_names(engine: Engine) -> frozenset[str]:
    """Reload the employee directory's names now (e.g. right after editing employees)."""
    from otklik.org.models import Employee as EmployeeRow
    from otklik.understand.text import Employee, EmployeeDirectory

    loaded_at = time.monotonic()
    with Session(engine) as session:
        rows = session.execute(
            select(
                EmployeeRow.id, EmployeeRow.first_name, EmployeeRow.last_name, EmployeeRow.aliases
            )
        ).all()
    names = EmployeeDirectory(
        Employee(str(i), f"{f} {last}".strip(), tuple(a or ())) for i, f, last, a in rows
    ).keep_names()
    with _lock:
        _keep[engine] = (loaded_at, names)
    return names


def _refresh_in_background(engine: Engine) -> None:
    with _lock:
        if engine in _refreshing:
            return
        _refreshing.add(engine)

    def run() -> None:
        try:
            refresh_keep_names(engine)
        except Exception:  # the old list stays in use; the next comment tries again
            _log.exception("could not reload employee names for PII redaction")
        finally:
            with _lock:
                _refreshing.discard(engine)

    threading.Thread(target=run, name="otklik-keep-names", daemon=True).start()


def clear_cache() -> None:
    with _lock:
        _keep.clear()


def redact_for_storage(comment: str | None, *, engine: Engine) -> str | None:
    """The comment as it may be stored: PII replaced by [EMAIL], [PHONE], … when the
    setting is on; unchanged otherwise (and for empty comments)."""
    if not comment or not may_contain_pii(comment) or not redaction_enabled(engine):
        return comment  # nothing a pattern or a (capitalised) name could match
    return redact(comment, keep_names=_keep_names(engine)).text


@dataclass(frozen=True, slots=True)
class StorageRedactor:
    """`redact_for_storage` with the engine's settings read once per import, not per comment
    (a large import would otherwise reload the employee directory every minute)."""

    keep_names: frozenset[str]

    def __call__(self, comment: str) -> str:
        return (
            redact(comment, keep_names=self.keep_names).text
            if may_contain_pii(comment)
            else comment
        )


def storage_redactor(engine: Engine) -> StorageRedactor | None:
    """What an import redacts stored comments with; None when the setting is off."""
    return StorageRedactor(_keep_names(engine)) if redaction_enabled(engine) else None
