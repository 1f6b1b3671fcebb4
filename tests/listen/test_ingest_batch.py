"""POST /api/v1/responses/batch: each item on its own, idempotent per item, bounded size."""

from __future__ import annotations

from sqlalchemy import func, select

from otklik.listen.ingest import MAX_BATCH
from otklik.listen.models import Response

URL = "/api/v1/responses/batch"


def _rows(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Response))


MIXED = [
    {"touchpoint": "web-apply", "nps": 10},
    {"touchpoint": "web-apply", "nps": 11},
    "not an object",
    {"touchpoint": "no-such", "csat": 3},
    {"touchpoint": "branch-visit", "ces": 6, "customer": {"email": "a@b.ru"}},
    {"comment": "\u0000"},
]


def test_mixed_batch_stores_valid_items_and_reports_each(client, api_headers, seed, session):
    resp = client.post(URL, json=MIXED, headers=api_headers)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert (out["created"], out["replayed"], out["failed"]) == (2, 0, 4)
    items = out["items"]
    assert [i["index"] for i in items] == list(range(6))
    assert [i["status"] for i in items] == [
        "created",
        "error",
        "error",
        "error",
        "created",
        "error",
    ]
    assert items[1]["errors"][0]["loc"] == ["nps"]
    assert items[3]["errors"][0]["loc"] == ["touchpoint"]
    assert "no-such" in items[3]["errors"][0]["msg"]
    assert "NUL" in items[5]["errors"][0]["msg"]
    assert _rows(session) == 2
    stored = session.get(Response, items[4]["id"])
    assert (stored.ces, stored.channel) == (6, "branch")


def test_retried_batch_with_key_replays_every_item(client, api_headers, seed, session):
    headers = {**api_headers, "Idempotency-Key": "nightly-2025-03-01"}
    first = client.post(URL, json=MIXED, headers=headers).json()
    again = client.post(URL, json=MIXED, headers=headers).json()
    assert (again["created"], again["replayed"], again["failed"]) == (0, 2, 4)
    assert [i.get("id") for i in again["items"]] == [i.get("id") for i in first["items"]]
    assert _rows(session) == 2
    keys = set(session.scalars(select(Response.idempotency_key)))
    assert keys == {"nightly-2025-03-01:0", "nightly-2025-03-01:4"}


def test_item_key_reused_with_other_body_is_an_item_error(client, api_headers, seed, session):
    headers = {**api_headers, "Idempotency-Key": "b-1"}
    client.post(URL, json=[{"nps": 1}, {"nps": 2}], headers=headers)
    out = client.post(URL, json=[{"nps": 1}, {"nps": 9}], headers=headers).json()
    assert [i["status"] for i in out["items"]] == ["replayed", "error"]
    assert out["items"][1]["errors"][0]["type"] == "conflict"
    assert _rows(session) == 2


def test_external_ids_dedupe_within_and_across_batches(client, api_headers, seed, session):
    body = [
        {"nps": 5, "external_id": "e-1"},
        {"nps": 5, "external_id": "e-1"},
        {"nps": 6, "external_id": "e-1"},
    ]
    out = client.post(URL, json=body, headers=api_headers).json()
    assert [i["status"] for i in out["items"]] == ["created", "replayed", "error"]
    assert out["items"][1]["id"] == out["items"][0]["id"]
    assert _rows(session) == 1


def test_batch_size_and_shape_limits_are_422(client, api_headers, seed, session):
    too_many = [{"nps": 5}] * (MAX_BATCH + 1)
    resp = client.post(URL, json=too_many, headers=api_headers)
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["loc"] == ["body"]
    for body in ({"nps": 5}, [], "text", 7):
        assert client.post(URL, json=body, headers=api_headers).status_code == 422, body
    assert _rows(session) == 0


def test_full_batch_of_max_size_is_stored(client, api_headers, seed, session):
    items = [{"touchpoint": "support-chat", "csat": 1 + i % 5} for i in range(MAX_BATCH)]
    out = client.post(URL, json=items, headers=api_headers).json()
    assert out["created"] == MAX_BATCH
    assert _rows(session) == MAX_BATCH
