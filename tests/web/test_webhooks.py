"""Inbound review webhook: API key, per-item results, idempotent redelivery."""

from __future__ import annotations

from sqlalchemy import select

from otklik.listen.models import Response

REVIEW = {"source": "app_store", "id": "r-981", "rating": 2, "text": "Вылетает при входе",
          "date": "2026-11-20", "url": "https://apps.example/981", "author": "Ирина"}  # fmt: skip


def post(client, headers, reviews, **extra):
    body = {"touchpoint": "web-apply", "scale": 5, "reviews": reviews, **extra}
    return client.post("/api/v1/webhooks/reviews", json=body, headers=headers)


def test_webhook_stores_reviews_and_replays_a_redelivery(client, api_headers, seed, session):
    first = post(client, api_headers, [REVIEW, {"source": "google_maps", "url": "https://m/1",
                                                "rating": 5}])  # fmt: skip
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["replayed"]) == (2, 0)
    again = post(client, api_headers, [REVIEW])
    assert (again.json()["created"], again.json()["replayed"]) == (0, 1)
    assert again.json()["items"][0]["id"] == first.json()["items"][0]["id"]
    rows = session.scalars(select(Response).order_by(Response.id)).all()
    assert [(r.source, r.csat) for r in rows] == [("review", 2), ("review", 5)]


def test_one_bad_review_does_not_reject_the_others(client, api_headers, seed):
    answer = post(client, api_headers, [{"source": "x", "id": "1", "rating": 9}, REVIEW,
                                        {"id": "no-source", "rating": 3}])  # fmt: skip
    body = answer.json()
    assert (body["created"], body["failed"]) == (1, 2)
    assert [i["status"] for i in body["items"]] == ["error", "created", "error"]
    assert body["items"][0]["errors"][0]["loc"] == ["rating"]
    assert body["items"][2]["errors"][0]["loc"] == ["source"]


def test_webhook_needs_an_api_key_and_a_valid_body(client, api_headers, seed):
    assert post(client, {}, [REVIEW]).status_code == 401
    wrong = post(client, api_headers, [REVIEW], scale=7)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "scale"]
    unknown = post(client, api_headers, [REVIEW], touchpoint="nowhere")
    assert unknown.json()["items"][0]["status"] == "error"
