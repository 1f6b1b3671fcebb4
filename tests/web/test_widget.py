"""The embeddable widget: a small script, and a public endpoint that answers other origins."""

from __future__ import annotations

from pathlib import Path

from public_pages import publish
from sqlalchemy import select

from otklik.listen.models import Response, Survey

WIDGET_BUDGET = 15 * 1024
SITE = "https://shop.example.com"
URL = "/api/v1/public/surveys/nps-page"


def _rows(session):
    session.expire_all()
    return list(session.scalars(select(Response).order_by(Response.id)))


def _post(client, body, key="key-0001-abcdef", origin=SITE):
    headers = {"Origin": origin, "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(f"{URL}/responses", json=body, headers=headers)


def test_widget_js_is_our_small_cached_script(client):
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert len(script.content) <= WIDGET_BUDGET, len(script.content)
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age=3600" in script.headers["cache-control"] and script.headers.get("etag")
    assert "import " not in script.text and "innerHTML" not in script.text.replace(
        "never innerHTML", ""
    )
    revalidated = client.get("/widget.js", headers={"If-None-Match": script.headers["etag"]})
    assert revalidated.status_code == 304
    source = Path("src/otklik/web/ui/static/widget.js").stat().st_size
    print(f"widget.js: {source} bytes")


def test_preflight_from_another_origin_allows_the_json_post_without_credentials(client, session):
    publish(session)
    answer = client.options(
        f"{URL}/responses",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed and "idempotency-key" in allowed
    assert "access-control-allow-credentials" not in answer.headers


def test_config_gives_the_nps_question_and_the_follow_up_for_the_score(client, session):
    publish(session)
    first = client.get(f"{URL}/widget?lang=en", headers={"Origin": SITE})
    assert first.status_code == 200 and first.headers["access-control-allow-origin"] == "*"
    body = first.json()
    assert body["question"]["id"] == "nps" and body["question"]["points"] == list(range(11))
    assert body["follow_up"] is None and body["labels"]["send"] == "Send"
    assert body["notice"] == "Answers help us improve." and body["privacy_url"] == "/privacy"
    low = client.get(f"{URL}/widget?lang=ru&nps=4").json()
    assert low["follow_up"]["id"] == "why_low"
    assert low["follow_up"]["text"] == "Что пошло не так при оценке 4?"
    high = client.get(f"{URL}/widget?lang=en&nps=10").json()
    assert high["follow_up"]["id"] == "comment"


def test_post_from_another_origin_stores_a_widget_response_once(client, session):
    survey = publish(session)
    body = {"answers": {"nps": 3, "why_low": "Slow"}, "lang": "en", "page": "/checkout/done"}
    first = _post(client, body)
    assert first.status_code == 201, first.text
    assert first.headers["access-control-allow-origin"] == "*"
    assert first.json()["thank_you"] == "Thank you, we will look into it."
    retry = _post(client, body)
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    [row] = _rows(session)
    assert (row.source, row.channel, row.survey_id, row.survey_version) == (
        "widget",
        "web",
        survey.id,
        1,
    )
    assert row.nps == 3 and row.answers == {"nps": 3, "why_low": "Slow"}
    assert row.attributes == {"page": "/checkout/done"} and row.language == "en"


def test_widget_answers_are_validated_by_the_definition(client, session):
    publish(session)
    out_of_range = _post(client, {"answers": {"nps": 11}})
    assert out_of_range.status_code == 422
    assert out_of_range.json()["detail"][0]["loc"] == ["body", "answers", "nps"]
    assert out_of_range.headers["access-control-allow-origin"] == "*"
    missing = _post(client, {"answers": {"comment": "no score"}}, key="key-0002-abcdef")
    assert missing.status_code == 422
    not_asked = _post(client, {"answers": {"nps": 9, "why_low": "x"}}, key="key-0003-abcdef")
    assert not_asked.status_code == 422
    assert not_asked.json()["detail"][0]["loc"] == ["body", "answers", "why_low"]
    assert _post(client, {"answers": "x"}).status_code == 422
    bad_key = _post(client, {"answers": {"nps": 9}}, key="short")
    assert bad_key.status_code == 422
    broken = client.post(f"{URL}/responses", content=b"{not json", headers={"Origin": SITE})
    assert broken.status_code == 422
    assert _rows(session) == []


def test_allowed_origins_limit_which_sites_may_embed_the_survey(client, session):
    survey = publish(session)
    survey = session.get(Survey, survey.id)
    survey.settings = {"allowed_origins": [SITE]}
    session.commit()
    preflight_headers = {"Access-Control-Request-Method": "POST"}
    ok = client.options(f"{URL}/responses", headers={"Origin": SITE, **preflight_headers})
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == SITE
    assert ok.headers["vary"] == "Origin"
    evil = "https://evil.example"
    assert (
        client.options(
            f"{URL}/responses", headers={"Origin": evil, **preflight_headers}
        ).status_code
        == 403
    )
    refused = _post(client, {"answers": {"nps": 9}}, origin=evil)
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    accepted = _post(client, {"answers": {"nps": 9}})
    assert accepted.status_code == 201 and accepted.headers["access-control-allow-origin"] == SITE
    assert len(_rows(session)) == 1


def test_closed_or_unknown_survey_answers_readable_errors(client, session):
    assert client.get("/api/v1/public/surveys/nope/widget").status_code == 404
    publish(session)
    survey = session.scalar(select(Survey).where(Survey.slug == "nps-page"))
    survey.status = "closed"
    session.commit()
    closed = _post(client, {"answers": {"nps": 9}})
    assert closed.status_code == 410 and closed.headers["access-control-allow-origin"] == "*"


def test_widget_posts_are_rate_limited_per_address(client, app, session):
    publish(session)
    app.state.public_rate_limits = {"widget": (2, 60), "page": (100, 60)}
    codes = [
        _post(client, {"answers": {"nps": 9}}, key=f"key-{i:04d}-abcdef").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    limited = _post(client, {"answers": {"nps": 9}}, key="key-9999-abcdef")
    assert limited.headers["retry-after"] and limited.headers["access-control-allow-origin"]
