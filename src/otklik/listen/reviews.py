"""External reviews (app stores, maps, review sites) and interview notes, as responses.

A review becomes a response with ``source="review"`` (or ``"interview"``) at a touchpoint,
so its text flows into text analytics and the journey map like any comment. The rating
is mapped onto the standard metric of its scale — 1–5 → ``csat``, 0/1–10 → ``nps`` — and
kept raw in ``answers`` (``rating``, ``rating_scale``) with the review's source, URL and
author in ``attributes``.

Idempotency: a review's ``external_id`` is derived from its source and its own ``id``
(else its ``url``; else its date, author and text), so importing the same export twice,
or a webhook delivering the same review again, stores it once. Files are read with the
response importer's readers (CSV, XLSX, JSONL) plus JSON arrays; every row is checked
before anything is written, and storing goes through :func:`otklik.listen.ingest.ingest_batch`
(the one path every API response takes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from otklik.errors import NotFound, ValidationFailed
from otklik.listen.import_rows import BadValue, to_time
from otklik.listen.ingest import MAX_BATCH, ingest_batch
from otklik.listen.readers import open_rows
from otklik.listen.schemas import MAX_COMMENT_CHARS, reject_nul

Kind = Literal["review", "interview"]
Scale = Literal[5, 10]


class ReviewIn(BaseModel):
    """One review or interview note as it comes from a file or a webhook."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Where it was published: app_store, google_maps, yandex_maps, interview…"
    )
    id: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="The review's id at its source (best key for idempotency)."
    )
    rating: float | None = Field(None, description="The rating on the given scale.")
    text: Annotated[str, Field(max_length=MAX_COMMENT_CHARS)] | None = None
    date: dt.datetime | dt.date | None = Field(None, description="When it was written (ISO 8601).")
    url: Annotated[str, Field(max_length=1000)] | None = None
    author: Annotated[str, Field(max_length=200)] | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = None

    @field_validator("rating", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
            return None if value == "" else value
        if isinstance(value, bool):
            raise ValueError("rating must be a number")
        return value


@dataclass
class ReviewReport:
    rows: int = 0
    created: int = 0
    replayed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        if self.errors:
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            return f"nothing imported: {self.errors[0]}{more}"
        return f"imported {self.created} of {self.rows} reviews ({self.replayed} already present)"


def _when(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(12, 0), tzinfo=UTC)


def review_key(review: ReviewIn) -> str:
    """The response's external_id: stable for the same review from the same source."""
    if review.id:
        basis = f"id\x1f{review.id}"
    elif review.url:
        basis = f"url\x1f{review.url}"
    else:
        basis = f"content\x1f{review.date}\x1f{review.author}\x1f{review.text}"
    digest = hashlib.sha256(f"{review.source.lower()}\x1f{basis}".encode()).hexdigest()[:40]
    return f"review:{digest}"


def _details(review: ReviewIn) -> tuple[tuple[str, str | None], ...]:
    return (
        ("review_source", review.source),
        ("review_id", review.id),
        ("review_url", review.url),
        ("author", review.author),
    )


def to_response(review: ReviewIn, *, touchpoint: str, scale: int, kind: str) -> dict[str, Any]:
    """The ResponseIn payload of a review; ValidationFailed names a bad rating."""
    body: dict[str, Any] = {
        "touchpoint": touchpoint,
        "source": kind,
        "external_id": review_key(review),
        "comment": review.text or None,
        "language": review.language,
        "submitted_at": _when(review.date),
        "attributes": {k: v for k, v in _details(review) if v},
    }
    if review.rating is not None:
        low = 1 if scale == 5 else 0
        if not low <= review.rating <= scale:
            raise ValidationFailed(f"rating must be between {low} and {scale}", field="rating")
        body["csat" if scale == 5 else "nps"] = round(review.rating)
        raw = int(review.rating) if review.rating.is_integer() else review.rating
        body["answers"] = {"rating": raw, "rating_scale": scale}
    elif not review.text:
        raise ValidationFailed("a review needs a rating or a text", field="text")
    return {k: v for k, v in body.items() if v is not None}


def check_review(raw: Any, *, touchpoint: str, scale: int, kind: str) -> dict[str, Any]:
    """Validate one raw review (dict) → ResponseIn payload; ValidationFailed names the field."""
    if not isinstance(raw, dict):
        raise ValidationFailed("each review must be an object", field="review")
    try:
        review = ReviewIn.model_validate(reject_nul(raw))
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            name = ".".join(str(p) for p in first["loc"]) or "review"
            raise ValidationFailed(f"{name}: {first['msg']}", field=name) from None
        raise ValidationFailed(str(exc), field="review") from None
    return to_response(review, touchpoint=touchpoint, scale=scale, kind=kind)


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() == ".json":
        try:
            data = orjson.loads(path.read_bytes())
        except OSError as exc:
            raise NotFound(f"cannot read {path}: {exc.strerror}") from None
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed(f"{path.name} is not valid JSON: {exc}", field="file") from None
        if isinstance(data, dict) and isinstance(data.get("reviews"), list):
            data = data["reviews"]
        if not isinstance(data, list):
            raise ValidationFailed(f"{path.name}: expected a JSON array of reviews", field="file")
        return list(enumerate(data, start=1))
    rows = open_rows(path)
    try:
        out = []
        for line, raw, issues in rows:
            if issues:
                column, _, reason = issues[0]
                raise ValidationFailed(f"line {line}: {column}: {reason}", field=column)
            out.append((line, {k.lower(): _cell(v) for k, v in raw.items()}))
        return out
    finally:
        rows.close()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def import_reviews(
    *,
    session: Any,
    path: Path | str,
    touchpoint: str,
    scale: int = 5,
    kind: str = "review",
    dry_run: bool = False,
) -> ReviewReport:
    """Check every review of the file; store them unless one is bad (then nothing)."""
    if scale not in (5, 10):
        raise ValidationFailed("--scale must be 5 or 10", field="scale")
    if kind not in ("review", "interview"):
        raise ValidationFailed("--kind must be review or interview", field="kind")
    path = Path(path)
    report = ReviewReport()
    payloads = []
    for line, raw in _rows(path):
        report.rows += 1
        if isinstance(raw, dict) and "date" in raw and isinstance(raw["date"], str):
            try:
                raw = {**raw, "date": to_time(raw["date"])}
            except BadValue as exc:
                report.errors.append(f"line {line}: date {exc}")
                continue
        try:
            payloads.append(check_review(raw, touchpoint=touchpoint, scale=scale, kind=kind))
        except ValidationFailed as exc:
            report.errors.append(f"line {line}: {exc}")
    if report.errors or dry_run:
        return report
    for i in range(0, len(payloads), MAX_BATCH):
        result = ingest_batch(session=session, items=payloads[i : i + MAX_BATCH])
        report.created += result.created
        report.replayed += result.replayed
        for item in result.items:
            if item["status"] == "error":
                first = item["errors"][0]
                where = ".".join(first["loc"]) or "review"
                report.errors.append(f"review {i + item['index'] + 1}: {where}: {first['msg']}")
    return report
