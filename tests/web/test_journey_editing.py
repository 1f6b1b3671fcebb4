"""Editing journeys through the API (roles, scopes, 422 naming the field) and the no-JS
editor (CSRF), and the JSON/YAML round trip (SQLite + PostgreSQL)."""

from __future__ import annotations

import re

import pytest
import yaml

from otklik.access.apikeys import create_api_key
from otklik.access.users import create_user
from otklik.listen.models import Response, Touchpoint

PASSWORD = "correct horse battery staple"


def _login(client, session, role: str) -> None:
    create_user(session=session, email=f"{role}@example.com", password=PASSWORD, role=role,
                language="en")  # fmt: skip
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    done = client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD,
                                       "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303


def _token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_api_builds_a_journey_with_personas_backstage_targets_and_opportunities(
    client, session, seed
):
    _, key = create_api_key(session=session, name="cx", scopes=["journeys:write"])
    session.commit()
    h = {"Authorization": f"Bearer {key}"}
    r = client.post("/api/v1/journeys", headers=h, json={
        "slug": "complaint", "name": "Resolve a complaint",
        "name_i18n": {"ru": "Решить жалобу", "en": "Resolve a complaint"}})  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/journeys/complaint/stages", headers=h, json={
        "name": "Report", "backstage": "Triage in the contact centre",
        "backstage_unit": "msk-1"})  # fmt: skip
    stage = r.json()["stages"][0]
    assert stage["backstage"] == "Triage in the contact centre"
    assert stage["backstage_unit"] == "msk-1"
    second = client.post("/api/v1/journeys/complaint/stages", headers=h, json={"name": "Fix"})
    fix_id = second.json()["stages"][1]["id"]
    r = client.post(f"/api/v1/journeys/complaint/stages/{fix_id}/move?direction=up", headers=h)
    assert [s["name"] for s in r.json()["stages"]] == ["Fix", "Report"]
    r = client.post(f"/api/v1/journeys/complaint/stages/{stage['id']}/touchpoints", headers=h,
                    json={"code": "complaint-form", "name": "Complaint form", "channel": "web",
                          "owner_unit": "acme", "targets": {"nps": 20, "ces": 5.5}})  # fmt: skip
    assert r.status_code == 201, r.text
    tp = r.json()["stages"][1]["touchpoints"][0]
    assert tp["targets"] == {"nps": 20.0, "csat": None, "ces": 5.5}
    assert tp["owner_unit"] == "acme"
    r = client.post("/api/v1/journeys/complaint/personas", headers=h, json={
        "slug": "busy-parent", "name": "Busy parent",
        "description_i18n": {"ru": "Нет времени ждать"}})  # fmt: skip
    assert r.json()["personas"][0]["description_i18n"] == {"ru": "Нет времени ждать"}
    r = client.post("/api/v1/journeys/complaint/opportunities", headers=h, json={
        "title": "Call back within an hour", "owner": "Anna", "status": "planned",
        "touchpoint": "complaint-form"})  # fmt: skip
    opp = r.json()["opportunities"][0]
    assert (opp["touchpoint"], opp["status"], opp["owner"]) == ("complaint-form", "planned", "Anna")
    r = client.patch(f"/api/v1/journeys/complaint/opportunities/{opp['id']}", headers=h,
                     json={"status": "in_progress"})  # fmt: skip
    assert r.json()["opportunities"][0]["status"] == "in_progress"
    assert r.json()["opportunities"][0]["owner"] == "Anna"
    listed = client.get("/api/v1/journeys", headers=h).json()
    assert {j["slug"]: j["touchpoints"] for j in listed} == {"onboarding": 3, "complaint": 1}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/journeys", {"slug": "Bad Slug", "name": "x"}, "slug"),
        ("/api/v1/journeys/onboarding/stages", {"name": "S", "backstage_unit": "nope"},
         "backstage_unit"),
        ("/api/v1/journeys/onboarding/opportunities", {"title": "t", "status": "someday"},
         "status"),
        ("/api/v1/journeys/onboarding/opportunities", {"title": "t", "touchpoint": "ghost"},
         "touchpoint"),
    ],
)  # fmt: skip
def test_api_rejects_bad_input_with_422_naming_the_field(client, session, seed, path, body,
                                                         field):  # fmt: skip
    _, key = create_api_key(session=session, name="cx", scopes=["journeys:write"])
    session.commit()
    r = client.post(path, headers={"Authorization": f"Bearer {key}"}, json=body)
    assert r.status_code == 422
    assert field in r.json()["detail"][0]["loc"]


def test_api_writes_need_an_editor_role_or_the_write_scope(client, session, seed, api_headers):
    body = {"slug": "new", "name": "New"}
    assert client.post("/api/v1/journeys", json=body).status_code == 401
    assert client.get("/api/v1/journeys", headers=api_headers).status_code == 200
    assert client.post("/api/v1/journeys", headers=api_headers, json=body).status_code == 403
    _login(client, session, "viewer")
    assert client.get("/api/v1/journeys/onboarding").status_code == 200
    assert client.post("/api/v1/journeys", json=body).status_code == 403


def test_export_then_import_round_trips_in_json_and_yaml(client, session, seed, api_headers):
    _login(client, session, "analyst")
    client.post(
        "/api/v1/journeys/onboarding/personas",
        json={"slug": "student", "name": "Student", "name_i18n": {"ru": "Студент"}},
    )
    tp = seed["touchpoints"]["web-apply"]
    client.patch(f"/api/v1/journeys/onboarding/touchpoints/{tp.id}",
                 json={"targets": {"nps": 35}, "owner_unit": "msk-1"})  # fmt: skip
    client.post("/api/v1/journeys/onboarding/opportunities",
                json={"title": "Shorter form", "touchpoint": "web-apply"})  # fmt: skip
    session.add(Response(touchpoint_id=tp.id, nps=9, source="api",
                         submitted_at=seed["journey"].created_at))  # fmt: skip
    session.commit()
    for fmt in ("json", "yaml"):
        exported = client.get(f"/api/v1/journeys/onboarding/export?format={fmt}")
        assert exported.status_code == 200
        doc = yaml.safe_load(exported.text)  # JSON is YAML too
        assert doc["otklik_journey"] == 1 and doc["personas"][0]["name_i18n"] == {"ru": "Студент"}
        before = client.get("/api/v1/journeys/onboarding").json()
        again = client.post(f"/api/v1/journeys/import?format={fmt}", content=exported.text,
                            headers={"Content-Type": "text/plain"})  # fmt: skip
        assert again.status_code == 200, again.text
        after = again.json()

        def shape(j):
            return [(s["name"], s["backstage"], [(t["code"], t["channel"], t["owner_unit"],
                     t["targets"]) for t in s["touchpoints"]]) for s in j["stages"]]  # fmt: skip

        assert shape(after) == shape(before)
        assert [p["slug"] for p in after["personas"]] == ["student"]
        assert [(o["title"], o["touchpoint"]) for o in after["opportunities"]] == [
            ("Shorter form", "web-apply")]  # fmt: skip
        # The touchpoint kept its id, so its responses stay on the map.
        codes = {t["code"]: t["id"] for s in after["stages"] for t in s["touchpoints"]}
        assert codes["web-apply"] == tp.id
    assert session.query(Touchpoint).count() == 3


@pytest.mark.parametrize(
    ("text", "fmt", "path"),
    [
        ("slug: x\nname: X\nstages:\n  - name: A\n    touchpoints:\n      - code: a\n        "
         "name: A\n        channel: pigeon\n", "yaml", "stages[0].touchpoints[0].channel"),
        ('{"slug": "x", "name": "X", "stages": [{"name": ""}]}', "json", "stages[0].name"),
        ('{"slug": "x", "name": "X", "oops": 1}', "json", "oops"),
        ("slug: [unclosed", "yaml", "file"),
        ('{"slug": "x", "name": "X", "opportunities": [{"title": "t", "touchpoint": "zz"}]}',
         "json", "opportunities[0].touchpoint"),
    ],
)  # fmt: skip
def test_import_errors_name_the_path_in_the_file(client, session, seed, text, fmt, path):
    _login(client, session, "admin")
    r = client.post(f"/api/v1/journeys/import?format={fmt}", content=text,
                    headers={"Content-Type": "text/plain"})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", path]
    assert r.json()["detail"][0]["msg"].startswith(path)


def test_editor_forms_need_csrf_and_reorder_with_up_down_buttons(client, session, seed):
    _login(client, session, "analyst")
    token = _token(client, "/journeys/onboarding/edit")
    s1, s2 = seed["stages"]
    # Without the token nothing changes.
    r = client.post(f"/journeys/onboarding/stages/{s2.id}/move", data={"direction": "up"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 403
    r = client.post(
        f"/journeys/onboarding/stages/{s2.id}/move",
        data={"direction": "up", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/journeys/onboarding/edit"
    page = client.get("/journeys/onboarding/edit").text
    assert page.index(f'data-stage="{s2.id}"') < page.index(f'data-stage="{s1.id}"')
    # Add a touchpoint with targets and an opportunity; a bad channel is refused by name.
    client.post(f"/journeys/onboarding/stages/{s1.id}/touchpoints", data={
        "csrf_token": token, "code": "call-centre", "name": "Call <b>centre</b>",
        "channel": "phone", "target_nps": "25", "owner_unit": "msk-1"})  # fmt: skip
    bad = client.post(f"/journeys/onboarding/stages/{s1.id}/touchpoints", data={
        "csrf_token": token, "code": "x2", "name": "X", "channel": "pigeon"})  # fmt: skip
    assert bad.status_code == 200
    assert "channel" in bad.text and "alert" in bad.text
    client.post("/journeys/onboarding/opportunities", data={
        "csrf_token": token, "title": "Call back", "owner": "Anna", "status": "planned",
        "touchpoint": "call-centre"})  # fmt: skip
    page = client.get("/journeys/onboarding/edit").text
    assert "Call &lt;b&gt;centre&lt;/b&gt;" in page and "<b>centre</b>" not in page
    j = client.get("/api/v1/journeys/onboarding").json()
    tp = next(t for s in j["stages"] for t in s["touchpoints"] if t["code"] == "call-centre")
    assert tp["targets"]["nps"] == 25 and tp["channel"] == "phone"
    assert j["opportunities"][0]["touchpoint"] == "call-centre"
    order = [t["code"] for t in j["stages"][1]["touchpoints"]]
    client.post(f"/journeys/onboarding/touchpoints/{tp['id']}/move",
                data={"direction": "up", "csrf_token": token})  # fmt: skip
    j = client.get("/api/v1/journeys/onboarding").json()
    assert [t["code"] for t in j["stages"][1]["touchpoints"]] == [*order[:-2], order[-1], order[-2]]


def test_viewers_see_the_map_but_cannot_edit(client, session, seed):
    _login(client, session, "viewer")
    assert client.get("/journeys/onboarding/map").status_code == 200
    token = _token(client, "/journeys/onboarding/edit")
    r = client.post("/journeys/onboarding/stages", data={"csrf_token": token, "name": "New"})
    assert r.status_code == 403
