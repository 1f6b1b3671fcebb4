"""Surveys API: CRUD, publish/close/attach/reorder, templates, schema, and who may do what."""

from __future__ import annotations

import functools
import re

import pytest
from fastapi.testclient import TestClient

from otklik.access.apikeys import create_api_key
from otklik.access.models import User
from otklik.access.passwords import hash_password
from otklik.listen.definition import definition_json_schema

PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    """One argon2 hash for the whole module: hashing is deliberately slow."""
    return hash_password(PASSWORD)


def login(client: TestClient, session, role: str) -> TestClient:
    """Log in through the real form (GET /login for its CSRF token, then POST)."""
    email = f"{role}@example.com"
    session.add(User(email=email, password_hash=password_hash(), role=role, language="en"))
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


@pytest.fixture
def analyst(client, session) -> TestClient:
    return login(client, session, "analyst")


def test_schema_is_public_and_matches_the_models(client):
    r = client.get("/api/v1/surveys/schema")
    assert r.status_code == 200
    assert r.json() == definition_json_schema()
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/surveys", "/api/v1/surveys/{survey_id}/publish"} <= set(paths)


def test_anonymous_requests_get_401(client):
    assert client.get("/api/v1/surveys").status_code == 401
    r = client.post("/api/v1/surveys", json={"title": "X", "template": "ces-support"})
    assert r.status_code == 401


def test_viewer_can_read_but_not_write(client, session):
    login(client, session, "viewer")
    assert client.get("/api/v1/surveys").status_code == 200
    r = client.post("/api/v1/surveys", json={"title": "X", "template": "ces-support"})
    assert r.status_code == 403


def test_api_key_reads_and_needs_the_write_scope_to_write(client, session, api_headers):
    assert client.get("/api/v1/surveys/templates", headers=api_headers).status_code == 200
    body = {"title": "X", "template": "ces-support"}
    assert client.post("/api/v1/surveys", json=body, headers=api_headers).status_code == 403
    _, key = create_api_key(session=session, name="crm", scopes=["surveys:write"])
    session.commit()
    r = client.post("/api/v1/surveys", json=body, headers={"X-API-Key": key})
    assert r.status_code == 201, r.text


def test_templates_list_the_three_standard_surveys(analyst):
    keys = [t["key"] for t in analyst.get("/api/v1/surveys/templates").json()]
    assert keys == ["nps-relationship", "csat-transactional", "ces-support"]


def test_crud_publish_edit_and_version_history(analyst, seed):
    tp = seed["touchpoints"]["web-apply"]
    r = analyst.post(
        "/api/v1/surveys",
        json={"title": "Relationship NPS", "template": "nps-relationship", "touchpoint_id": tp.id},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    sid = created["id"]
    assert created["slug"] == "relationship-nps"
    assert created["status"] == "draft" and created["published_versions"] == []
    assert created["touchpoint_code"] == "web-apply"

    published = analyst.post(f"/api/v1/surveys/{sid}/publish").json()
    assert (published["status"], published["version"]) == ("published", 1)
    assert published["has_unpublished_changes"] is False

    definition = published["definition"]
    definition["questions"][0]["required"] = False
    r = analyst.patch(f"/api/v1/surveys/{sid}", json={"definition": definition, "title": "NPS"})
    assert r.status_code == 200
    assert r.json()["has_unpublished_changes"] is True and r.json()["version"] == 1

    second = analyst.post(f"/api/v1/surveys/{sid}/publish").json()
    assert second["version"] == 2 and second["published_versions"] == [1, 2]
    v1 = analyst.get(f"/api/v1/surveys/{sid}/versions/1").json()
    assert v1["definition"]["questions"][0]["required"] is True
    assert analyst.get(f"/api/v1/surveys/{sid}/versions/3").status_code == 404

    listed = analyst.get("/api/v1/surveys", params={"status": "published"}).json()
    assert [s["slug"] for s in listed] == ["relationship-nps", "onboarding-nps"]

    assert analyst.post(f"/api/v1/surveys/{sid}/close").json()["status"] == "closed"
    assert analyst.post(f"/api/v1/surveys/{sid}/reopen").json()["status"] == "published"
    assert analyst.delete(f"/api/v1/surveys/{sid}").status_code == 204
    assert analyst.get(f"/api/v1/surveys/{sid}").status_code == 404


def test_attach_and_reorder(analyst, seed):
    sid = analyst.post("/api/v1/surveys", json={"title": "CES", "template": "ces-support"}).json()[
        "id"
    ]
    tp = seed["touchpoints"]["support-chat"]
    attached = analyst.post(f"/api/v1/surveys/{sid}/attach", json={"touchpoint_id": tp.id})
    assert attached.json()["touchpoint_code"] == "support-chat"
    assert (
        analyst.post(f"/api/v1/surveys/{sid}/attach", json={"touchpoint_id": 424242}).status_code
        == 404
    )
    order = ["resolved", "ces", "difficulty", "contact"]
    r = analyst.post(f"/api/v1/surveys/{sid}/reorder", json={"order": order})
    assert [q["id"] for q in r.json()["definition"]["questions"]] == order
    bad = analyst.post(f"/api/v1/surveys/{sid}/reorder", json={"order": ["ces"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "order"]


def test_invalid_definition_gives_422_naming_each_path(analyst):
    definition = {
        "title": {"ru": "Опрос"},
        "questions": [
            {"id": "nps", "type": "nps", "text": {"ru": "Оценка", "en": "Score"}},
            {"id": "nps", "type": "text", "text": {"ru": "Ещё", "en": "More"}},
        ],
    }
    r = analyst.post("/api/v1/surveys", json={"title": "Bad", "definition": definition})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"loc": ["body", "definition", "title.en"], "msg": "Field required", "type": "value_error"}
    ]
    definition["title"]["en"] = "Survey"
    r = analyst.post("/api/v1/surveys", json={"title": "Bad", "definition": definition})
    assert r.json()["detail"][0]["loc"] == ["body", "definition", "questions[1].id"]
    assert "duplicate" in r.json()["detail"][0]["msg"]


def test_publishing_an_empty_survey_is_refused_with_422(analyst):
    sid = analyst.post("/api/v1/surveys", json={"title": "Empty"}).json()["id"]
    r = analyst.post(f"/api/v1/surveys/{sid}/publish")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "questions"]


def test_unknown_template_and_extra_fields_are_422(analyst):
    r = analyst.post("/api/v1/surveys", json={"title": "X", "template": "nope"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "template"]
    r = analyst.post("/api/v1/surveys", json={"title": "X", "colour": "red"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "colour"]
