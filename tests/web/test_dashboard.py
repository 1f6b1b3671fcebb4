"""/dashboard and /api/v1/metrics/*: the same numbers, significance marked, labels escaped,
sorting without JavaScript, exports, and who may read."""

from __future__ import annotations

import csv
import io
import re

import duckdb
import pytest
from openpyxl import load_workbook

from otklik.access.apikeys import create_api_key
from otklik.listen.models import Response, Touchpoint
from otklik.understand.stats import NpsCounts, nps, nps_difference_test

XSS = "<script>alert(1)</script>"


def _answers(session, tp, scores, at, *, channel="web"):
    for s in scores:
        session.add(Response(touchpoint_id=tp.id, nps=s, csat=5 if s >= 9 else 2, ces=6,
                             channel=channel, submitted_at=at, source="api"))  # fmt: skip


@pytest.fixture
def company(session, seed, days_ago):
    """web-apply falls from NPS +60 to −20 (significant); branch-visit stays flat."""
    tps = seed["touchpoints"]
    evil = Touchpoint(code="evil", name=XSS, channel="web", position=9)
    session.add(evil)
    session.flush()
    _answers(session, tps["web-apply"], [10] * 35 + [8] * 10 + [2] * 5, days_ago(100))
    _answers(session, tps["web-apply"], [10] * 10 + [8] * 20 + [2] * 20, days_ago(10))
    _answers(session, tps["branch-visit"], [10] * 15 + [8] * 10 + [2] * 10, days_ago(120),
             channel="branch")  # fmt: skip
    _answers(session, tps["branch-visit"], [10] * 15 + [8] * 10 + [2] * 10, days_ago(20),
             channel="branch")  # fmt: skip
    _answers(session, evil, [9] * 3, days_ago(5))
    session.commit()
    return tps


def _row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-key="{re.escape(key)}"([^>]*)>(.*?)</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(1) + match.group(2)


def test_dashboard_shows_kpis_and_marks_a_significant_decline(logged_in_client, company):
    page = logged_in_client.get("/dashboard?lang=en&days=90")
    assert page.status_code == 200
    html = page.text
    web = _row(html, "web-apply")
    assert 'class="sig-down"' in web  # 60 → −20 with n = 50 each: p < 0.001
    est = nps(NpsCounts(n=50, promoters=10, detractors=20), method="adjusted-wald")
    assert ">-20.0<" in web and f"{est.ci_low:.1f} … {est.ci_high:.1f}" in web
    test = nps_difference_test(NpsCounts(50, 10, 20), NpsCounts(50, 35, 5))
    assert f"{test.difference:+.1f}" in web and "▼" in web
    branch = _row(html, "branch-visit")
    assert 'class="sig-' not in branch and "+0.0" in branch and "▼" not in branch
    # KPI tiles for all three metrics, with n; the trend table lists every month.
    for metric in ("nps", "csat", "ces"):
        assert f'data-testid="kpi-{metric}"' in html
    assert "n = 88" in html  # 50 + 35 + 3 NPS answers in the last 90 days
    assert 'data-testid="trend"' in html and '<script src="/vendor/plotly.min.js"' in html


def test_labels_are_escaped_and_the_page_speaks_russian(logged_in_client, company):
    html = logged_in_client.get("/dashboard?lang=ru").text
    assert XSS not in html.replace('{"', "")  # never raw, in HTML or the chart's JSON
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Дашборд" in html and "Точка контакта" in html


def test_breakdown_sorts_by_query_parameters(logged_in_client, company):
    def order(query: str) -> list[str]:
        html = logged_in_client.get(f"/dashboard?lang=en&days=90&{query}").text
        return re.findall(r'<tr data-key="([^"]*)"', html)

    assert order("sort=value") == ["web-apply", "branch-visit", "evil"]  # evil: no value, last
    assert order("sort=value&desc=true")[1:] == ["branch-visit", "web-apply"]
    assert order("sort=n&desc=true") == ["web-apply", "branch-visit", "evil"]
    html = logged_in_client.get("/dashboard?lang=en&days=90&sort=value").text
    assert 'href="?metric=nps&amp;days=90&amp;by=touchpoint&amp;grain=month&amp;sort=value' \
           '&amp;desc=true"' in html  # fmt: skip


def test_filters_and_dimensions_change_the_breakdown(logged_in_client, company):
    html = logged_in_client.get("/dashboard?lang=en&days=90&by=channel&channel=branch").text
    assert re.findall(r'<tr data-key="([^"]*)"', html) == ["branch"]
    bad = logged_in_client.get("/dashboard?by=planet")
    assert bad.status_code == 422


def test_exports_carry_the_breakdown(logged_in_client, company, tmp_path):
    got = logged_in_client.get("/dashboard/export.csv?days=90&sort=label")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    web = next(r for r in rows if r["touchpoint"] == "web-apply")
    assert web["n"] == "50" and web["value"] == "-20.0" and web["significant"] == "True"
    xlsx = logged_in_client.get("/dashboard/export.xlsx?days=90")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:3] == ["touchpoint", "n", "value"]
    parquet = logged_in_client.get("/dashboard/export.parquet?days=90")
    path = tmp_path / "breakdown.parquet"
    path.write_bytes(parquet.content)
    found = duckdb.connect().execute(f"SELECT touchpoint, n FROM '{path}'").fetchall()
    assert ("web-apply", 50) in found


def test_plotly_is_served_from_the_installed_package(logged_in_client):
    js = logged_in_client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert b"plotly" in js.content[:2000].lower()


def test_api_breakdown_matches_the_page_and_needs_a_reader(client, logged_in_client, company):
    data = logged_in_client.get("/api/v1/metrics/breakdown?by=touchpoint&from=2000-01-01").json()
    rows = {r["keys"]["touchpoint"]: r for r in data["rows"]}
    assert rows["web-apply"]["metric"]["n"] == 100
    assert data["total"]["metric"]["n"] == 173
    dash = logged_in_client.get("/api/v1/metrics/dashboard?days=90").json()
    web = next(r for r in dash["breakdown"]["rows"] if r["keys"]["touchpoint"] == "web-apply")
    assert web["change"]["significant"] and web["change"]["direction"] == "down"
    trend = logged_in_client.get("/api/v1/metrics/trend?grain=month&metric=csat").json()
    assert sum(p["metric"]["n"] for p in trend) == 173
    bad = logged_in_client.get("/api/v1/metrics/breakdown?by=planet")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "by"


def test_api_keys_need_the_metrics_read_scope(app, session, company):
    from fastapi.testclient import TestClient

    _, ingest = create_api_key(session=session, name="crm")
    _, reader = create_api_key(session=session, name="bi", scopes=["metrics:read"])
    session.commit()
    with TestClient(app) as anon:
        assert anon.get("/api/v1/metrics/trend").status_code == 401
        headers = {"Authorization": f"Bearer {ingest}"}
        assert anon.get("/api/v1/metrics/trend", headers=headers).status_code == 403
        ok = anon.get("/api/v1/metrics/compare?current_from=2000-01-01&current_to=2100-01-01"
                      "&previous_from=1990-01-01&previous_to=1999-12-31",
                      headers={"X-API-Key": reader})  # fmt: skip
        assert ok.status_code == 200 and ok.json()["total"]["metric"]["n"] == 173


def test_openapi_documents_the_metrics_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("breakdown", "trend", "compare", "dashboard", "overview"):
        assert f"/api/v1/metrics/{path}" in paths
