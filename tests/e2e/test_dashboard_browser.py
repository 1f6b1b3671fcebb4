"""A CX lead opens the dashboard in a real browser: KPI tiles, the plotly trend (served from
the installed package, no network), the breakdown sorted by clicking its header, a filter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from otklik.understand.stats import NpsCounts, nps

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("OTKLIK_SCREENSHOTS", "/tmp/otklik-screenshots"))


def test_dashboard_in_a_browser(page, live_server):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/dashboard")
    page.fill("#email", live_server.email)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard")

    # The plotly chart draws over the trend; its data is also in the HTML table.
    page.wait_for_selector("#trend-chart .main-svg", timeout=15_000)
    assert page.locator("table[data-testid=trend] tbody tr").count() >= 12
    nps_tile = page.locator("[data-testid=kpi-nps]")
    est = nps(NpsCounts(n=297, promoters=161, detractors=63), method="adjusted-wald")
    assert f"{est.value:.1f}" in nps_tile.inner_text() and "n = 297" in nps_tile.inner_text()

    rows = page.locator("table[data-testid=breakdown] tbody tr")
    assert rows.count() == 4
    # Sorted by value ascending by default: the branch (NPS −7.1) first.
    assert rows.nth(0).get_attribute("data-key") == "branch-visit"
    page.click("table[data-testid=breakdown] th >> text=n")
    page.wait_for_url("**sort=n**")
    keys = [rows.nth(i).get_attribute("data-key") for i in range(4)]
    assert keys[0] == "support-chat" and keys[-1] == "web-apply"  # 12 … 120 answers
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-ru.png"), full_page=True)

    page.select_option("select[name=touchpoint]", "app-payments")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**touchpoint=app-payments**")
    assert [rows.nth(i).get_attribute("data-key") for i in range(rows.count())] == ["app-payments"]
    assert all(u.startswith(live_server.url) for u in requests)  # nothing from a CDN
