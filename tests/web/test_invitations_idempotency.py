"""The trigger API under retries: the same Idempotency-Key or event_id returns the original
invitation and never invites twice, a reused key with another body is a 409, and concurrent
retries (threads in the domain, and a real server on loopback) store one invitation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from public_pages import publish_at_touchpoint
from sqlalchemy import func, select

from otklik.errors import Conflict
from otklik.listen.invitations import Contact, Trigger, trigger_invitation
from otklik.listen.models import Customer, Invitation
from otklik.store import make_sessionmaker

URL = "/api/v1/invitations"
BODY = {
    "customer": {"external_id": "crm-7", "email": "anna@example.com"},
    "touchpoint": "web-apply",
    "channel": "link",
}


@pytest.fixture
def survey(session, seed):
    return publish_at_touchpoint(session, seed)


def _count(session, model=Invitation) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_retry_with_same_idempotency_key_returns_the_original_invitation(
    client, api_headers, survey, session
):
    headers = {**api_headers, "Idempotency-Key": "visit-17"}
    first = client.post(URL, json=BODY, headers=headers)
    again = client.post(URL, json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    # The original, link and all — not a second invitation suppressed as "recent_invitation".
    assert again.json() == first.json()
    assert first.json()["status"] == "sent" and first.json()["url"]
    assert _count(session) == 1
    # A new key is a new event: the fatigue rules then decide (and suppress this one).
    other = client.post(URL, json=BODY, headers={**api_headers, "Idempotency-Key": "visit-18"})
    assert other.status_code == 201
    assert other.json()["suppression_reason"] == "recent_invitation"
    assert _count(session) == 2


def test_retry_with_same_event_id_returns_the_original_invitation(
    client, api_headers, survey, session
):
    body = {**BODY, "channel": "email", "event_id": "call 2024/05/17 #9"}
    first = client.post(URL, json=body, headers=api_headers)
    again = client.post(URL, json=body, headers=api_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["status"] == "queued"
    assert _count(session) == 1
    assert session.scalar(select(Invitation.event_id)) == "call 2024/05/17 #9"


def test_same_body_in_another_spelling_is_a_retry(client, api_headers, survey):
    headers = {**api_headers, "Idempotency-Key": "k-spelling"}
    body = {**BODY, "send_at": "2031-01-01T12:00:00+03:00"}
    assert client.post(URL, json=body, headers=headers).status_code == 201
    spelled = {
        "channel": "link",
        "touchpoint": "web-apply",
        "send_at": "2031-01-01T09:00:00Z",  # the same instant
        "customer": {"email": " Anna@Example.com ", "external_id": "crm-7"},
    }
    assert client.post(URL, json=spelled, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("headers", "changed", "named"),
    [
        ({"Idempotency-Key": "visit-20"}, {"channel": "email"}, "Idempotency-Key 'visit-20'"),
        ({}, {"touchpoint": None, "survey": "SLUG"}, "event_id 'e-20'"),
    ],
)
def test_reused_key_with_another_body_is_409_and_invites_nobody(
    client, api_headers, survey, session, headers, changed, named
):
    body = {**BODY, "event_id": "e-20"} if not headers else BODY
    assert client.post(URL, json=body, headers={**api_headers, **headers}).status_code == 201
    changed = {k: survey.slug if v == "SLUG" else v for k, v in changed.items()}
    resp = client.post(URL, json={**body, **changed}, headers={**api_headers, **headers})
    assert resp.status_code == 409
    assert named in resp.json()["detail"] and "different body" in resp.json()["detail"]
    assert _count(session) == 1


@pytest.mark.parametrize("key", ["", "has space", "k" * 201])
def test_malformed_idempotency_key_is_422_naming_the_header(client, api_headers, survey, key):
    resp = client.post(URL, json=BODY, headers={**api_headers, "Idempotency-Key": key})
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_concurrent_retries_in_the_domain_store_one_invitation(engine, survey, session):
    """Eight sessions race with the same key for a new customer: one invitation, one customer."""
    make = make_sessionmaker(engine)
    trigger = Trigger(contact=Contact(external_id="racer", email="racer@example.com"),
                      touchpoint="web-apply", channel="email")  # fmt: skip
    barrier = threading.Barrier(8)

    def call(_):
        with make() as s:
            barrier.wait()
            invitation, created = trigger_invitation(
                session=s, trigger=trigger, idempotency_key="race-1"
            )
            return invitation.id, created

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(8)))
    assert len({iid for iid, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert _count(session) == 1
    assert _count(session, Customer) == 1


def test_concurrent_calls_reusing_a_key_with_other_bodies_give_one_winner(engine, survey, session):
    make = make_sessionmaker(engine)
    barrier = threading.Barrier(6)

    def call(i):
        trigger = Trigger(contact=Contact(external_id=f"c-{i}"), touchpoint="web-apply",
                          channel="link", event_id="shared")  # fmt: skip
        with make() as s:
            barrier.wait()
            try:
                return trigger_invitation(session=s, trigger=trigger)[1]
            except Conflict:
                return "conflict"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(call, range(6)))
    assert outcomes.count(True) == 1
    assert outcomes.count("conflict") == 5
    assert _count(session) == 1


def test_concurrent_http_retries_get_the_same_invitation(app_server, api_headers, survey, session):
    barrier = threading.Barrier(8)
    headers = {**api_headers, "Idempotency-Key": "http-race"}
    body = {**BODY, "customer": {"external_id": "http-racer"}}

    def call(_):
        with httpx.Client(base_url=app_server, timeout=30) as http:
            barrier.wait()
            resp = http.post(URL, json=body, headers=headers)
            return resp.status_code, resp.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(8)))
    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({iid for _, iid in results}) == 1
    assert _count(session) == 1
    assert _count(session, Customer) == 1
