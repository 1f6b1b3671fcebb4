def test_healthz_answers_ok_when_database_is_reachable(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_openapi_is_served_with_descriptions(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Otklik"
    assert "API key" in spec["info"]["description"]
