"""Enrichment tables of comment text analytics, next to the response they describe.

The response row stays the system of record of what was said (its ``comment``
holds the redacted text when OTKLIK_REDACT_PII_ON_INGEST is on); everything the
analysis derives lives here, so it can be dropped and recomputed when models or
the taxonomy change (``otklik text run --all``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from otklik.store.base import Base, JSONType, UTCDateTime, utcnow


class TextTheme(Base):
    """One theme of the editable taxonomy (RU/EN names, keywords in any form)."""

    __tablename__ = "text_theme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list] = mapped_column(JSONType, default=list)
    examples: Mapped[list] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(20), default="default")  # default|analyst|discovered
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ResponseText(Base):
    """What the analysis found in one response's comment."""

    __tablename__ = "response_text"
    __table_args__ = (
        Index("ix_response_text_sentiment", "sentiment"),
        Index("ix_response_text_analysed", "analysed_at"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8))
    mixed_language: Mapped[bool] = mapped_column(Boolean, default=False)
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Float)
    redacted_text: Mapped[str] = mapped_column(Text, default="")
    pii_counts: Mapped[dict] = mapped_column(JSONType, default=dict)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)  # an analyst's label wins
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    model_version: Mapped[str] = mapped_column(String(64))


class ResponseTheme(Base):
    """A theme of one comment with its own (aspect) sentiment."""

    __tablename__ = "response_theme"
    __table_args__ = (
        UniqueConstraint("response_id", "theme_id"),
        Index("ix_response_theme_theme", "theme_id", "sentiment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("text_theme.id", ondelete="CASCADE"))
    sentiment: Mapped[str] = mapped_column(String(10))
    sentiment_score: Mapped[float] = mapped_column(Float)
    via: Mapped[str] = mapped_column(String(12))  # keyword | semantic | analyst
    terms: Mapped[list] = mapped_column(JSONType, default=list)


class EmployeeMention(Base):
    """An employee named in a comment (feeds recognition)."""

    __tablename__ = "employee_mention"
    __table_args__ = (
        Index("ix_employee_mention_employee", "employee_id"),
        Index("ix_employee_mention_response", "response_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    span: Mapped[str] = mapped_column(String(200))
    matched_by: Mapped[str] = mapped_column(String(12))


class TextCorrection(Base):
    """An analyst's label for a comment; used as training data at the next retrain."""

    __tablename__ = "text_correction"
    __table_args__ = (Index("ix_text_correction_response", "response_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    themes: Mapped[list | None] = mapped_column(JSONType)  # theme keys, when corrected
    text: Mapped[str] = mapped_column(Text, default="")  # the redacted text it labels
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TextCluster(Base):
    """A group of comments that match no theme: a candidate new theme."""

    __tablename__ = "text_cluster"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    label: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    terms: Mapped[list] = mapped_column(JSONType, default=list)
    examples: Mapped[list] = mapped_column(JSONType, default=list)  # [{id, text}]
    response_ids: Mapped[list] = mapped_column(JSONType, default=list)
    promoted_theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("text_theme.id", ondelete="SET NULL")
    )
