"""The journey map in a real browser (Debian chromium, JavaScript off) at desktop and phone
widths, on a small demo bank: stage columns, lanes, the emotion curve, the planted pain point
on top, drill-down to its comments, and the exports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.e2e.conftest import (
    E2E_EMAIL,
    E2E_PASSWORD,
    E2E_SECRET,
    LiveServer,
    _free_port,
    _wait_until_up,  # fmt: skip
)

from otklik.store import make_engine, make_sessionmaker, migrate

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("OTKLIK_SCREENSHOTS", "/tmp"))
# The demo is anchored at a fixed date (same seed → same data), and the map is asked for the
# period ending the day before it with ``to=``: identical pictures on every run.
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
MAP = "/journeys/debit-card/map?to=2026-05-31&lang=en"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live-server recipe of conftest.py, on a small demo bank anchored at today."""
    import otklik.models  # noqa: F401
    from otklik.access.users import create_user
    from otklik.demo import build_demo

    data_dir = tmp_path_factory.mktemp("journey-e2e")
    db_url = f"sqlite:///{data_dir / 'otklik.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    with make_sessionmaker(engine)() as s:
        build_demo(session=s, responses=8_000, customers=4_000, seed=7, now=ANCHOR)
        create_user(session=s, email=E2E_EMAIL, password=E2E_PASSWORD, role="analyst")
        s.commit()
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "OTKLIK_ENV": "test", "OTKLIK_DATA_DIR": str(data_dir),
           "OTKLIK_DATABASE_URL": db_url, "OTKLIK_SECRET_KEY": E2E_SECRET}  # fmt: skip
    log = (data_dir / "server.log").open("w")
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "otklik.web.app:create_app"]
    proc = subprocess.Popen([*cmd, "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, data_dir / "server.log")
        yield LiveServer(url=url, email=E2E_EMAIL, password=E2E_PASSWORD, db_url=db_url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _login(page, server: LiveServer, path: str) -> None:
    page.goto(f"{server.url}{path}")
    page.fill("#email", server.email)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(f"{server.url}{path.split('?')[0]}"))


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1440, 900),
                                                        ("phone", 390, 844)])  # fmt: skip
def test_journey_map_page_renders_at_desktop_and_phone_width(
    browser, demo_server, name, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB",
                                  java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _login(page, demo_server, MAP)
        assert page.locator("h1").inner_text() == "Open and use a debit card"
        # Six stage columns and the planted problem first among the pain points.
        assert page.locator("th.jm-stage").count() == 6
        first = page.locator("[data-testid=pain-points] li").first
        assert first.get_attribute("data-code") == "courier-delivery"
        assert first.locator(".jm-pain-bar span").bounding_box()["width"] > 20
        # The courier card carries the #1 badge and a significant fall.
        card = page.locator("a.jm-tp[data-code=courier-delivery]")
        assert card.locator(".jm-badge").inner_text() == "#1"
        assert card.locator(".jm-arrow.sig.down").count() >= 1
        login = page.locator("a.jm-tp[data-code=app-login]")
        assert login.locator(".jm-arrow.sig.up").count() >= 1
        curve = page.locator("svg[data-testid=emotion-curve]")
        assert curve.bounding_box()["height"] > 80
        assert page.locator(".jm-quote").count() >= 6
        # Nothing but the map's own scroller scrolls sideways (phones scroll the map inside it).
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"journey-map-{name}.png"), full_page=(name == "phone"))
        if name == "desktop":
            page.screenshot(path=str(SHOTS / "journey-map-desktop-full.png"), full_page=True)
            # Drill down from the pain point to its unhappy comments.
            first.locator("a").click()
            assert "Card delivery by courier" in page.locator("h1").inner_text()
            assert page.locator("[data-testid=responses] tbody tr").count() > 5
            assert page.locator("[data-testid=trend] tbody tr").count() >= 12
    finally:
        context.close()
