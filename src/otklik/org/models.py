"""Units (org hierarchy) and employees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.store.base import Base, JSONType, UTCDateTime, utcnow

UNIT_KINDS = ("company", "region", "branch", "team", "department")


class Unit(Base):
    """A node of the org tree.

    ``path`` is a materialised path of ids (``/1/4/12/``) so that "this unit
    and everything below it" is one indexed ``LIKE '/1/4/%'`` on any engine —
    metric rollups and unit-scoped access both need it.
    """

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_i18n: Mapped[dict] = mapped_column(JSONType, default=dict)
    kind: Mapped[str] = mapped_column(String(20), default="branch")
    path: Mapped[str] = mapped_column(String(500), default="/", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")


class Employee(Base):
    """A person in a unit; ``aliases`` holds nicknames and short forms customers use."""

    __tablename__ = "employee"
    __table_args__ = (Index("ix_employee_unit", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    aliases: Mapped[list] = mapped_column(JSONType, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
