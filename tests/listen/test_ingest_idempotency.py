"""Idempotent ingestion: a retry returns the original, a reused key with another body is a 409,
and concurrent retries (threads, a real server on loopback) never create a second row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from otklik.errors import Conflict
from otklik.listen.ingest import ingest_response
from otklik.listen.models import Customer, Response
from otklik.listen.schemas import ResponseIn
from otklik.store import make_sessionmaker

URL = "/api/v1/responses"
BODY = {"touchpoint": "branch-visit", "nps": 9, "customer": {"external_id": "crm-7"}}


def _rows(session, model=Response) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_retry_with_same_idempotency_key_returns_original(client, api_headers, seed, session):
    headers = {**api_headers, "Idempotency-Key": "order-17"}
    first = client.post(URL, json=BODY, headers=headers)
    again = client.post(URL, json=BODY, headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _rows(session) == 1
    assert session.scalar(select(Response.idempotency_key)) == "order-17"


def test_same_meaning_in_another_spelling_is_a_replay(client, api_headers, seed):
    headers = {**api_headers, "Idempotency-Key": "k-2"}
    assert client.post(URL, json={"nps": 9, "comment": "ok"}, headers=headers).status_code == 201
    spelled = {"comment": "ok ", "nps": 9, "csat": None, "source": "api", "answers": {}}
    assert client.post(URL, json=spelled, headers=headers).status_code == 200


def test_reused_idempotency_key_with_other_body_is_409(client, api_headers, seed, session):
    headers = {**api_headers, "Idempotency-Key": "order-18"}
    assert client.post(URL, json=BODY, headers=headers).status_code == 201
    resp = client.post(URL, json={**BODY, "nps": 3}, headers=headers)
    assert resp.status_code == 409
    assert "order-18" in resp.json()["detail"]
    assert "different body" in resp.json()["detail"]
    assert _rows(session) == 1


def test_retry_with_same_external_id_returns_original(client, api_headers, seed, session):
    body = {**BODY, "external_id": "call-1"}
    first = client.post(URL, json=body, headers=api_headers)
    again = client.post(URL, json=body, headers=api_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    conflict = client.post(URL, json={**body, "comment": "changed"}, headers=api_headers)
    assert conflict.status_code == 409
    assert "external_id 'call-1'" in conflict.json()["detail"]
    assert _rows(session) == 1


@pytest.mark.parametrize("key", ["", "has space", "k" * 201, "clé".encode("latin-1")])
def test_malformed_idempotency_key_is_422(client, api_headers, seed, key):
    resp = client.post(URL, json=BODY, headers={**api_headers, "Idempotency-Key": key})
    assert resp.status_code == 422
    assert "Idempotency-Key" in str(resp.json()["detail"][0]["loc"])


def test_concurrent_retries_in_the_domain_store_one_row(engine, seed, session):
    """Eight sessions race with the same key (and a new customer): one row, one customer."""
    make = make_sessionmaker(engine)
    data = ResponseIn.model_validate({**BODY, "customer": {"external_id": "racer"}})
    barrier = threading.Barrier(8)

    def submit(_):
        with make() as s:
            barrier.wait()
            public, created = ingest_response(
                session=s, engine=engine, data=data, idempotency_key="race-1"
            )
            return public.id, created

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(submit, range(8)))
    assert len({rid for rid, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert _rows(session) == 1
    assert _rows(session, Customer) == 1


def test_concurrent_conflicting_bodies_give_one_winner_and_409s(engine, seed, session):
    make = make_sessionmaker(engine)
    barrier = threading.Barrier(6)

    def submit(i):
        data = ResponseIn.model_validate({"touchpoint": "web-apply", "nps": i})
        with make() as s:
            barrier.wait()
            try:
                return ingest_response(session=s, engine=engine, data=data, idempotency_key="c")[1]
            except Conflict:
                return "conflict"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(submit, range(6)))
    assert outcomes.count(True) == 1
    assert outcomes.count("conflict") == 5
    assert _rows(session) == 1


def test_concurrent_http_retries_get_the_same_id_and_one_row(
    app_server, api_headers, seed, session
):
    barrier = threading.Barrier(8)
    headers = {**api_headers, "Idempotency-Key": "http-race"}

    def submit(_):
        with httpx.Client(base_url=app_server, timeout=30) as http:
            barrier.wait()
            resp = http.post(URL, json=BODY, headers=headers)
            return resp.status_code, resp.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(submit, range(8)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 7 + [201]
    assert len({rid for _, rid in results}) == 1
    assert _rows(session) == 1
