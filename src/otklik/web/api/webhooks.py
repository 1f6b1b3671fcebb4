"""Inbound webhooks: reviews and interview notes pushed by a review monitor or a CRM.

``POST /api/v1/webhooks/reviews`` with an API key. Each review is validated on its own
(one bad review never rejects the others) and stored as a response with
``source=review|interview`` (see :mod:`otklik.listen.reviews`); redelivering the same
review (same source and id, or url) replays it instead of storing it twice.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from otklik.errors import ValidationFailed
from otklik.listen.ingest import MAX_BATCH, ingest_batch
from otklik.listen.reviews import check_review
from otklik.web.api.responses import BatchItemResult, BatchResultPublic
from otklik.web.deps import ApiPrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


class ReviewsIn(BaseModel):
    """Reviews of one touchpoint on one rating scale."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"touchpoint": "mobile-app", "scale": 5, "kind": "review",
                 "reviews": [{"source": "app_store", "id": "r-981", "rating": 2,
                              "text": "Приложение вылетает при входе", "date": "2026-11-20",
                              "url": "https://apps.example/review/981", "author": "Ирина"}]}
            ]
        },
    )  # fmt: skip

    touchpoint: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Touchpoint code the reviews are about."
    )
    scale: Literal[5, 10] = Field(5, description="5: rating 1–5 → csat; 10: 0–10 → nps.")
    kind: Literal["review", "interview"] = "review"
    reviews: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BATCH)] = Field(
        description="source (required), id, rating, text, date, url, author, language."
    )


def _store(session, body: ReviewsIn) -> BatchResultPublic:
    items: list[dict[str, Any]] = []
    errors: dict[int, dict[str, Any]] = {}
    positions: list[int] = []
    for i, raw in enumerate(body.reviews):
        try:
            items.append(
                check_review(raw, touchpoint=body.touchpoint, scale=body.scale, kind=body.kind)
            )
            positions.append(i)
        except ValidationFailed as exc:
            loc = [exc.field] if exc.field else []
            problem = {"loc": loc, "msg": str(exc), "type": "value_error"}
            errors[i] = {"index": i, "status": "error", "errors": [problem]}
    result = ingest_batch(session=session, items=items) if items else None
    out: list[dict[str, Any]] = [errors[i] for i in sorted(errors)]
    for item in result.items if result else []:
        out.append({**item, "index": positions[item["index"]]})
    out.sort(key=lambda x: x["index"])
    return BatchResultPublic(
        created=sum(x["status"] == "created" for x in out),
        replayed=sum(x["status"] == "replayed" for x in out),
        failed=sum(x["status"] == "error" for x in out),
        items=[BatchItemResult(**x) for x in out],
    )


@router.post(
    "/reviews",
    summary="Receive reviews or interview notes",
    description="Stores each valid review as a response at the touchpoint (source review or "
    "interview). Redelivery of the same review (same source and id or url) is replayed, "
    "not duplicated. Per-item results in request order.",
)
async def receive_reviews(
    body: ReviewsIn, db: SessionDep, _key: ApiPrincipalDep
) -> BatchResultPublic:
    return await run_in_threadpool(_store, db, body)
