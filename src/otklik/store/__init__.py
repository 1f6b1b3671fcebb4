"""The system of record: engine, sessions, the one `Base`, and migrations.

This package imports no area; areas import it.
"""

from otklik.store.base import Base, JSONType, UTCDateTime, utcnow
from otklik.store.db import make_engine, make_sessionmaker, write_lock
from otklik.store.migrate import migrate

__all__ = [
    "Base",
    "JSONType",
    "UTCDateTime",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "utcnow",
    "write_lock",
]
