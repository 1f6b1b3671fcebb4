"""A CX lead logs in with a real browser and reads the overview, in Russian and in English."""

from __future__ import annotations

import pytest

from otklik.understand.overview import CI_METHOD
from otklik.understand.stats import NpsCounts, nps

pytestmark = pytest.mark.e2e

# The live_server company: promoters 70+25+60+6, passives 30+15+25+3, detractors 20+30+10+3.
OVERALL = NpsCounts(n=297, promoters=161, detractors=63)


def _log_in(page, server) -> None:
    page.goto(f"{server.url}/")
    assert "/login" in page.url  # anonymous → the login form
    page.fill("#email", server.email)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")


def test_cx_lead_logs_in_and_reads_the_overview_in_both_languages(page, live_server, tmp_path):
    _log_in(page, live_server)
    est = nps(OVERALL, method=CI_METHOD)

    # Russian first: the browser asks for ru-RU.
    tile = page.locator("#kpi-nps")
    assert tile.locator("[data-testid=nps-value]").inner_text() == f"+{round(est.value, 1)}"
    assert "n = 297" in tile.inner_text()
    assert f"{round(est.ci_low, 1)} … {round(est.ci_high, 1)}" in tile.inner_text()
    assert tile.locator(".ci-bar").is_visible()
    assert page.locator("#kpi-responses [data-testid=responses-value]").inner_text() == "297"

    rows = page.locator("table[data-testid=touchpoints] tbody tr")
    assert rows.count() == 4
    codes = [rows.nth(i).get_attribute("data-touchpoint") for i in range(4)]
    assert codes == ["web-apply", "branch-visit", "app-payments", "support-chat"]
    web = page.locator("tr[data-touchpoint=web-apply]")
    assert "Заявка на сайте" in web.inner_text()
    web_nps = round(nps(NpsCounts(120, 70, 20), method=CI_METHOD).value, 1)
    assert web.locator("td.nps").inner_text() == f"{web_nps}"
    assert web.locator(".ci-bar").is_visible()
    assert "мало данных" in page.locator("tr[data-touchpoint=support-chat]").inner_text()
    page.screenshot(path=str(tmp_path / "home-ru.png"), full_page=True)

    # Switch to English with the language link; the choice sticks across pages.
    page.click("nav.langs >> text=EN")
    assert "Overview" in page.locator("h1").inner_text()
    assert "Apply online" in page.locator("tr[data-touchpoint=web-apply]").inner_text()
    assert "not enough data" in page.locator("tr[data-touchpoint=support-chat]").inner_text()
    page.click("nav.segmented >> text=365 days")
    assert page.url.endswith("?days=365")
    assert "Last 365 days" in page.locator(".period").inner_text()
    page.screenshot(path=str(tmp_path / "home-en.png"), full_page=True)


def test_overview_fits_a_phone_screen(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    try:
        _log_in(page, live_server)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        assert page.locator("#kpi-nps [data-testid=nps-value]").is_visible()
        assert page.locator("tr[data-touchpoint=web-apply] td.nps").is_visible()
        page.screenshot(path=str(tmp_path / "home-phone.png"), full_page=True)
    finally:
        context.close()
