"""The home page and its JSON twin show NPS with n and 95 % CI, overall and per touchpoint."""

from __future__ import annotations

import re

import pytest

from otklik.listen.models import Response, Touchpoint
from otklik.understand.overview import CI_METHOD
from otklik.understand.stats import NpsCounts, nps

XSS = "<script>alert(1)</script>"


def _answers(session, *, touchpoint, scores, at):
    for score in scores:
        session.add(
            Response(
                touchpoint_id=touchpoint.id if touchpoint is not None else None,
                nps=score,
                csat=None if score is not None else 4,
                comment=XSS,
                submitted_at=at,
                source="api",
            )
        )


@pytest.fixture
def company(session, seed, days_ago):
    """Responses over the last 90 days: two touchpoints with enough data, two without."""
    tps = seed["touchpoints"]
    evil = Touchpoint(code="evil", name=XSS, channel="web", position=9)
    session.add(evil)
    session.flush()
    # web-apply: 20 promoters, 12 passives, 8 detractors → NPS 30; plus 2 answers without NPS.
    _answers(
        session, touchpoint=tps["web-apply"], scores=[10] * 20 + [8] * 12 + [3] * 8, at=days_ago(5)
    )
    _answers(session, touchpoint=tps["web-apply"], scores=[None, None], at=days_ago(6))
    # branch-visit: 10 / 10 / 15 → NPS −14.3.
    _answers(
        session,
        touchpoint=tps["branch-visit"],
        scores=[9] * 10 + [7] * 10 + [0] * 15,
        at=days_ago(30),
    )
    # support-chat: 5 promoters — below min_n (30).
    _answers(session, touchpoint=tps["support-chat"], scores=[10] * 5, at=days_ago(89))
    _answers(session, touchpoint=evil, scores=[6, 6], at=days_ago(1))
    # Older than the 90-day window: must not count.
    _answers(session, touchpoint=tps["web-apply"], scores=[0] * 50, at=days_ago(91))
    session.commit()
    # Hand count of the window: n = 40 + 35 + 5 + 2 = 82, promoters 20 + 10 + 5 = 35,
    # detractors 8 + 15 + 2 = 25, responses 82 + 2 without NPS = 84.
    return {"overall": NpsCounts(n=82, promoters=35, detractors=25), "responses": 84}


def _expected(counts: NpsCounts) -> tuple[float, float, float]:
    est = nps(counts, method=CI_METHOD)
    return round(est.value, 1), round(est.ci_low, 1), round(est.ci_high, 1)


def _row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-touchpoint="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def test_home_shows_overall_nps_with_n_and_ci(logged_in_client, company):
    page = logged_in_client.get("/?lang=en")

    assert page.status_code == 200
    value, low, high = _expected(company["overall"])  # 12.2, CI ≈ 0.2 … 24.9
    assert f'data-testid="nps-value">+{value}<' in page.text
    assert 'data-testid="nps-n">n = 82<' in page.text
    assert f"95% CI {low} … {high}" in page.text
    assert 'data-testid="responses-value">84<' in page.text


def test_home_lists_touchpoints_in_journey_order_with_their_numbers(logged_in_client, company):
    html = logged_in_client.get("/?lang=en").text

    order = re.findall(r'<tr data-touchpoint="([^"]+)">', html)
    # Stage 1 (both position 0 → by code), stage 2, then touchpoints without a stage.
    assert order == ["branch-visit", "web-apply", "support-chat", "evil"]
    web = _row(html, "web-apply")
    value, low, high = _expected(NpsCounts(40, 20, 8))
    assert ">42<" in web and ">40<" in web  # responses (with 2 non-NPS), NPS answers
    assert f">{value}<" in web and f"{low} … {high}" in web
    assert 'class="ci-bar"' in web
    branch = _row(html, "branch-visit")
    value, low, high = _expected(NpsCounts(35, 10, 15))
    assert f'class="num nps neg">{value}<' in branch and f"{low} … {high}" in branch


def test_small_touchpoint_says_not_enough_data_instead_of_a_number(logged_in_client, company):
    en = _row(logged_in_client.get("/?lang=en").text, "support-chat")
    assert "not enough data" in en
    assert "ci-bar" not in en and "100.0" not in en
    ru = _row(logged_in_client.get("/?lang=ru").text, "support-chat")
    assert "мало данных" in ru and "Чат" in ru


def test_touchpoint_names_are_html_escaped(logged_in_client, company):
    html = logged_in_client.get("/").text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_names_follow_the_language(logged_in_client, company):
    ru = logged_in_client.get("/?lang=ru").text
    assert "Заявка" in ru and "Подключение" in ru  # stage and journey name_i18n
    en = logged_in_client.get("/?lang=en").text
    assert "Apply" in en and "Заявка" not in en


def test_period_switch_changes_the_window(logged_in_client, company):
    html = logged_in_client.get("/?days=7&lang=en").text
    assert 'data-testid="nps-n">n = 42<' in html  # web-apply 40 + evil 2 in the last week
    assert '<a href="?days=30">' in html


def test_empty_company_shows_not_enough_data_and_a_hint(logged_in_client, seed):
    html = logged_in_client.get("/?lang=en").text
    assert 'data-testid="nps-value">not enough data<' in html
    assert "No responses in this period yet." in html


def test_anonymous_visitor_is_sent_to_login(client):
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


def test_json_overview_returns_the_same_numbers(logged_in_client, company):
    data = logged_in_client.get("/api/v1/metrics/overview?days=90&lang=en").json()

    value, low, high = _expected(company["overall"])
    assert data["responses"] == company["responses"]
    assert data["nps"] == {
        "n": 82,
        "promoters": 35,
        "passives": 22,
        "detractors": 25,
        "enough_data": True,
        "value": value,
        "ci_low": low,
        "ci_high": high,
    }
    assert data["days"] == 90 and data["min_n"] == 30 and data["ci_method"] == "adjusted-wald"
    rows = {row["code"]: row for row in data["touchpoints"]}
    assert [row["code"] for row in data["touchpoints"]] == [
        "branch-visit",
        "web-apply",
        "support-chat",
        "evil",
    ]
    assert rows["web-apply"]["responses"] == 42
    assert rows["web-apply"]["nps"]["value"] == _expected(NpsCounts(40, 20, 8))[0]
    assert rows["web-apply"]["stage"] == "Apply" and rows["web-apply"]["channel"] == "web"
    small = rows["support-chat"]["nps"]
    assert small["enough_data"] is False and small["value"] is None and small["n"] == 5
    assert rows["evil"]["name"] == XSS  # JSON carries data; escaping is the renderer's job
    # The HTML page renders exactly these numbers.
    html = logged_in_client.get("/?lang=en").text
    assert f"+{data['nps']['value']}" in html and f"{low} … {high}" in html


def test_json_overview_requires_login(client, seed):
    answer = client.get("/api/v1/metrics/overview")
    assert answer.status_code == 401


def test_json_overview_refuses_bad_days_naming_the_field(logged_in_client, seed):
    for days in ("0", "5000", "abc"):
        answer = logged_in_client.get(f"/api/v1/metrics/overview?days={days}")
        assert answer.status_code == 422, days
        assert answer.json()["detail"][0]["loc"] == ["query", "days"]


def test_overview_is_documented_in_openapi(client):
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/v1/metrics/overview"]["get"]
    assert "adjusted-Wald" in op["description"]
    assert {p["name"] for p in op["parameters"]} >= {"days", "lang"}
