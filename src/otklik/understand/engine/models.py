"""The change log the columnar mirror needs: ids of responses updated or deleted since sync.

Rows are written by database triggers (migration 0003), not by application
code, so that every path that changes a response — an erasure request, an
edit, ``ON DELETE SET NULL`` of a deleted touchpoint, a manual SQL fix — is
seen. ``seq`` orders changes; a mirror segment written at ``seq = c`` already
holds every change up to ``c``, and rows changed later are excluded from it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from otklik.store.base import Base, UTCDateTime

# SQLite makes only INTEGER PRIMARY KEY an auto-incrementing rowid.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AnalyticsChange(Base):
    __tablename__ = "analytics_change"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    response_id: Mapped[int] = mapped_column(Integer, index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
