"""An analyst opens /drivers in a real browser with JavaScript off: bars, quadrant, table."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_drivers_page_shows_bars_quadrant_and_table_without_javascript(
    browser, live_server, tmp_path
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ru-RU", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/drivers")
        page.fill("#email", live_server.email)
        page.fill("#password", live_server.password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/drivers")

        assert page.locator("h1").inner_text() == "Ключевые драйверы"
        # The live server's company differs only by touchpoint: the branch visit (NPS −7)
        # pulls the score down most against the reference, online applications (the largest).
        bars = page.locator("[data-testid=driver-bars] li")
        assert bars.count() == 2  # support chat has 12 answers, below min_n
        first = bars.nth(0)
        assert "Визит в отделение" in first.inner_text()
        assert first.locator(".driver-share").inner_text().startswith("-")
        assert first.locator(".driver-bar.neg").bounding_box()["width"] > 300
        second = bars.nth(1).locator(".driver-bar.pos").bounding_box()["width"]
        assert 0 < second < first.locator(".driver-bar").bounding_box()["width"]

        svg = page.locator("svg[data-testid=quadrant]")
        assert svg.is_visible() and svg.bounding_box()["width"] > 500
        assert svg.locator("circle").count() == 2
        assert page.locator("svg .q-point.priority text").text_content() == "Визит в отделение"
        rows = page.locator("table[data-testid=drivers] tbody tr")
        assert rows.count() == 2
        assert "Исправить в первую очередь" in rows.nth(0).inner_text()
        page.screenshot(path=str(tmp_path / "drivers-ru.png"), full_page=True)

        page.click("nav.langs >> text=EN")
        assert page.locator("h1").inner_text() == "Key drivers"
        assert "Branch visit" in page.locator("[data-testid=driver-bars] li").nth(0).inner_text()
        page.screenshot(path="/tmp/drivers-en.png", full_page=True)
    finally:
        context.close()
