"""POST /api/v1/responses: storing, validation naming the field, authentication, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from otklik.access.apikeys import revoke_api_key
from otklik.listen.models import Customer, Response

URL = "/api/v1/responses"


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Response))


def _error_locs(resp) -> list[list]:
    return [e["loc"] for e in resp.json()["detail"]]


def test_valid_response_is_stored_and_answered_201(client, api_headers, seed, session):
    body = {
        "touchpoint": "branch-visit",
        "customer": {"external_id": "crm-1", "email": "Anna@Example.com", "name": "Анна"},
        "nps": 9,
        "csat": 5,
        "ces": 6,
        "comment": "Ольга помогла  ",
        "language": "ru",
        "answers": {"q1": "yes", "q2": ["a", "b"], "q3": 4.5},
        "attributes": {"order": "A-17"},
        "submitted_at": "2025-03-01T10:15:00+03:00",
        "external_id": "ext-1",
    }
    resp = client.post(URL, json=body, headers=api_headers)
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["touchpoint"] == "branch-visit"
    assert out["channel"] == "branch"  # the touchpoint's channel
    assert out["unit"] == "msk-1"  # the touchpoint's owner unit
    assert out["comment"] == "Ольга помогла"
    assert out["submitted_at"].startswith("2025-03-01T07:15:00")
    row = session.get(Response, out["id"])
    assert (row.nps, row.csat, row.ces, row.source) == (9, 5, 6, "api")
    assert row.touchpoint_id == seed["touchpoints"]["branch-visit"].id
    assert row.unit_id == seed["branch"].id
    assert row.answers == {"q1": "yes", "q2": ["a", "b"], "q3": 4.5}
    assert row.submitted_at == datetime(2025, 3, 1, 7, 15, tzinfo=UTC)
    assert row.payload_hash and len(row.payload_hash) == 64
    customer = session.get(Customer, row.customer_id)
    assert (customer.external_id, customer.email, customer.name) == (
        "crm-1",
        "anna@example.com",
        "Анна",
    )


def test_survey_slug_gives_touchpoint_version_and_channel(client, api_headers, seed, session):
    resp = client.post(URL, json={"survey": "onboarding-nps", "nps": 3}, headers=api_headers)
    assert resp.status_code == 201, resp.text
    row = session.get(Response, resp.json()["id"])
    assert row.survey_id == seed["survey"].id
    assert row.survey_version == seed["survey"].version
    assert row.touchpoint_id == seed["touchpoints"]["web-apply"].id
    assert row.channel == "web"


def test_explicit_channel_and_unit_override_the_touchpoint(client, api_headers, seed, session):
    body = {"touchpoint": "support-chat", "channel": "phone", "unit": "acme", "csat": 2}
    resp = client.post(URL, json=body, headers=api_headers)
    assert resp.status_code == 201, resp.text
    row = session.get(Response, resp.json()["id"])
    assert (row.channel, row.unit_id) == ("phone", seed["company"].id)


def test_existing_customer_is_found_by_external_id_then_email(client, api_headers, seed, session):
    first = client.post(
        URL, json={"nps": 5, "customer": {"external_id": "c-9"}}, headers=api_headers
    ).json()
    again = client.post(
        URL, json={"nps": 6, "customer": {"external_id": "c-9"}}, headers=api_headers
    ).json()
    by_mail = client.post(
        URL, json={"nps": 7, "customer": {"email": "x@y.ru"}}, headers=api_headers
    ).json()
    by_mail_again = client.post(
        URL, json={"nps": 8, "customer": {"email": "X@Y.RU"}}, headers=api_headers
    ).json()
    assert first["customer_id"] == again["customer_id"]
    assert by_mail["customer_id"] == by_mail_again["customer_id"] != first["customer_id"]
    assert session.scalar(select(func.count()).select_from(Customer)) == 2


def test_read_back_by_id_and_404_for_unknown(client, api_headers, seed):
    created = client.post(
        URL, json={"touchpoint": "web-apply", "nps": 10}, headers=api_headers
    ).json()
    got = client.get(f"{URL}/{created['id']}", headers=api_headers)
    assert got.status_code == 200
    assert got.json() == created
    assert client.get(f"{URL}/999999", headers=api_headers).status_code == 404


_LONG = "x" * 20_001
# (body, the field the 422 must name): one app serves the whole table, to keep the suite fast.
INVALID = [
    ({"nps": 11}, "nps"),
    ({"nps": -1}, "nps"),
    ({"nps": 7.0}, "nps"),
    ({"nps": 7.5}, "nps"),
    ({"nps": True}, "nps"),
    ({"nps": "9"}, "nps"),
    ({"csat": 0}, "csat"),
    ({"csat": 6}, "csat"),
    ({"csat": False}, "csat"),
    ({"csat": 4.0}, "csat"),
    ({"ces": 0}, "ces"),
    ({"ces": 8}, "ces"),
    ({"ces": 3.0}, "ces"),
    ({"ces": True}, "ces"),
    ({"comment": _LONG}, "comment"),
    ({"nps": 5, "external_id": "e" * 256}, "external_id"),
    ({"nps": 5, "touchpoint": "t" * 65}, "touchpoint"),
    ({"nps": 5, "answers": {"q": "y" * 10_001}}, "answers"),
    ({"nps": 5, "answers": {"k" * 65: 1}}, "answers"),
    ({"nps": 5, "answers": {"q": 2**60}}, "answers"),
    ({"nps": 5, "attributes": {f"a{i}": i for i in range(51)}}, "attributes"),
    ({"nps": 5, "language": "russian"}, "language"),
    ({"nps": 5, "channel": "pigeon"}, "channel"),
    ({"nps": 5, "submitted_at": "2025-03-01T10:15:00"}, "submitted_at"),
    ({"nps": 5, "submitted_at": "1999-12-31T10:15:00Z"}, "submitted_at"),
    ({"nps": 5, "submitted_at": "yesterday"}, "submitted_at"),
    ({"nps": 5, "comment": "a\x00b"}, "comment"),
    ({"nps": 5, "answers": {"q": "a\x00"}}, "answers"),
    ({"nps": 5, "customer": {"name": "x"}}, "customer"),
    ({"nps": 5, "customer": {"email": "not-an-email"}}, "customer"),
    ({"nps": 5, "unexpected": 1}, "unexpected"),
]


def test_invalid_input_is_422_naming_the_field(client, api_headers, seed, session):
    wrong = []
    for body, field in INVALID:
        resp = client.post(URL, json=body, headers=api_headers)
        detail = resp.json()["detail"] if resp.status_code == 422 else resp.text
        named = resp.status_code == 422 and any(
            field in e["loc"] or field in e["msg"] for e in detail
        )
        if not named:
            wrong.append((body if len(str(body)) < 200 else field, resp.status_code, detail))
    assert not wrong, wrong
    assert _count(session) == 0


def test_future_timestamp_is_rejected_but_small_clock_skew_is_not(client, api_headers, seed):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    resp = client.post(URL, json={"nps": 5, "submitted_at": future}, headers=api_headers)
    assert resp.status_code == 422
    assert "future" in resp.json()["detail"][0]["msg"]
    skewed = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    resp = client.post(URL, json={"nps": 5, "submitted_at": skewed}, headers=api_headers)
    assert resp.status_code == 201, resp.text


def test_at_least_one_answer_is_required(client, api_headers, seed):
    for body in ({}, {"comment": "   "}, {"touchpoint": "web-apply"}, {"answers": {}}):
        resp = client.post(URL, json=body, headers=api_headers)
        assert resp.status_code == 422, body
        assert "at least one answer" in resp.json()["detail"][0]["msg"]


def test_nul_in_a_raw_json_escape_is_rejected(client, api_headers, seed):
    raw = b'{"nps": 5, "comment": "bad \\u0000 text"}'
    resp = client.post(
        URL, content=raw, headers={**api_headers, "Content-Type": "application/json"}
    )
    assert resp.status_code == 422
    assert "NUL" in resp.json()["detail"][0]["msg"]


def test_lone_surrogate_is_rejected(client, api_headers, seed):
    raw = b'{"nps": 5, "comment": "bad \\ud800 text"}'
    resp = client.post(
        URL, content=raw, headers={**api_headers, "Content-Type": "application/json"}
    )
    assert resp.status_code == 422
    error = resp.json()["detail"][0]
    # The JSON parser itself refuses a lone surrogate escape (it cannot become valid text).
    assert error["loc"][0] == "body"
    assert "surrogate" in error["msg"] or "hex escape" in error["msg"]


def test_unknown_reference_is_422_naming_the_field(client, api_headers, seed, session):
    for body, field in [
        ({"survey": "no-such-survey", "nps": 5}, "survey"),
        ({"touchpoint": "no-such-touchpoint", "nps": 5}, "touchpoint"),
        ({"touchpoint": "web-apply", "unit": "no-such-unit", "nps": 5}, "unit"),
    ]:
        resp = client.post(URL, json=body, headers=api_headers)
        assert resp.status_code == 422, body
        assert _error_locs(resp) == [["body", field]]
        assert body[field] in resp.json()["detail"][0]["msg"]
    assert _count(session) == 0


def test_touchpoint_created_after_a_miss_is_found_at_once(client, api_headers, seed, session):
    from otklik.listen.models import Touchpoint

    body = {"touchpoint": "new-tp", "nps": 5}
    assert client.post(URL, json=body, headers=api_headers).status_code == 422
    session.add(Touchpoint(code="new-tp", name="New", channel="app"))
    session.commit()
    resp = client.post(URL, json=body, headers=api_headers)
    assert resp.status_code == 201
    assert resp.json()["channel"] == "app"


def test_missing_or_wrong_key_is_401(client, seed, session):
    for headers in (
        {},
        {"Authorization": "Bearer otk_wrong"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "not-a-key"},
    ):
        resp = client.post(URL, json={"nps": 5}, headers=headers)
        assert resp.status_code == 401, headers
        assert resp.headers["WWW-Authenticate"] == "Bearer"
        assert client.get(f"{URL}/1", headers=headers).status_code == 401
        assert client.post(f"{URL}/batch", json=[{"nps": 5}], headers=headers).status_code == 401
    assert _count(session) == 0


def test_x_api_key_header_is_accepted(client, api_key, seed):
    resp = client.post(URL, json={"nps": 5}, headers={"X-API-Key": api_key})
    assert resp.status_code == 201


def test_revoked_key_is_401(client, api_key, api_headers, seed, session):
    from otklik.access.models import ApiKey

    assert client.post(URL, json={"nps": 5}, headers=api_headers).status_code == 201
    key_id = session.scalar(select(ApiKey.id).where(ApiKey.name == "tests"))
    revoke_api_key(session=session, key_id=key_id)
    session.commit()
    assert client.post(URL, json={"nps": 6}, headers=api_headers).status_code == 401
    assert _count(session) == 1


def test_key_without_ingest_scope_is_403(client, seed, session):
    from otklik.access.apikeys import create_api_key

    _, key = create_api_key(session=session, name="bi", scopes=["metrics:read"])
    session.commit()
    resp = client.post(URL, json={"nps": 5}, headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 403
    assert "ingest" in resp.json()["detail"]
    assert _count(session) == 0


def test_hot_path_stores_the_same_text_as_the_orm(client, api_headers, seed, session):
    """The raw insert converts values itself; a row written by the ORM must look the same."""
    body = {
        "touchpoint": "web-apply",
        "nps": 7,
        "submitted_at": "2024-02-29T23:59:58.123456-05:00",
        "answers": {},
        "attributes": {"plan": "gold", "n": 2},
    }
    resp = client.post(URL, json=body, headers=api_headers)
    assert resp.status_code == 201, resp.text
    hot = session.get(Response, resp.json()["id"])
    orm = Response(
        touchpoint_id=hot.touchpoint_id,
        source="api",
        nps=7,
        answers={},
        attributes={"plan": "gold", "n": 2},
        submitted_at=datetime(2024, 3, 1, 4, 59, 58, 123456, tzinfo=UTC),
        received_at=hot.received_at,
    )
    session.add(orm)
    session.commit()
    columns = "CAST(submitted_at AS TEXT), CAST(received_at AS TEXT), "
    columns += "CAST(answers AS TEXT), CAST(attributes AS TEXT)"
    raw = {
        row_id: tuple(
            session.connection()
            .exec_driver_sql(f"SELECT {columns} FROM response WHERE id = {row_id}")
            .one()
        )
        for row_id in (hot.id, orm.id)
    }
    assert raw[hot.id] == raw[orm.id]
    assert resp.json()["submitted_at"] == "2024-03-01T04:59:58.123456Z"


def test_oversized_body_is_413_with_or_without_content_length(client, api_headers, seed, session):
    from otklik.web.api.responses import MAX_BODY_BYTES

    big = b'{"nps": 9, "comment": "' + b"x" * MAX_BODY_BYTES + b'"}'
    headers = {**api_headers, "Content-Type": "application/json"}
    declared = client.post(URL, content=big, headers=headers)
    chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))
    streamed = client.post(URL, content=chunks, headers=headers)  # chunked: no length
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert _count(session) == 0


def test_body_sent_in_chunks_is_read_whole(client, api_headers, seed):
    body = b'{"touchpoint": "web-apply", "nps": 9, "comment": "' + b"ok " * 6000 + b'"}'
    chunks = (body[i : i + 4096] for i in range(0, len(body), 4096))
    headers = {**api_headers, "Content-Type": "application/json"}
    resp = client.post(URL, content=chunks, headers=headers)
    assert resp.status_code == 201, resp.text
    assert len(resp.json()["comment"]) == len("ok " * 6000) - 1  # stripped


def test_lower_case_bearer_scheme_and_repeated_headers_use_the_first(client, api_key, seed):
    resp = client.post(
        URL,
        json={"nps": 5},
        headers=[
            ("authorization", f"bearer {api_key}"),
            ("authorization", "Bearer otk_wrong"),
            ("idempotency-key", "first"),
            ("idempotency-key", "second key with spaces"),
        ],
    )
    assert resp.status_code == 201, resp.text
