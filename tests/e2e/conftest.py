"""End-to-end fixtures: a real uvicorn server process on loopback and Debian's Chromium.

The server runs ``otklik.web.app:create_app`` in its own process against a
SQLite file this fixture migrated and filled; the browser is the system
Chromium driven by Playwright (never a downloaded one). A missing Chromium is
a failure, not a skip: these tests are the only proof that the pages work in
a browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from otklik.store import make_engine, make_sessionmaker, migrate

E2E_EMAIL = "cx.lead@example.com"
E2E_PASSWORD = "a long enough e2e password"
E2E_SECRET = "e2e-secret-key-0123456789-abcdefghijklmnopqrs"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    email: str
    password: str
    db_url: str = ""  # the server's database, for tests that prepare or check data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(db_url: str) -> None:
    """A small bank: one journey, four touchpoints (one too small to show), ~300 responses."""
    from otklik.access.users import create_user
    from otklik.listen.models import Journey, Response, Stage, Touchpoint

    engine = make_engine(db_url)
    migrate(engine)
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as s:
        create_user(session=s, email=E2E_EMAIL, password=E2E_PASSWORD, role="analyst")
        journey = Journey(slug="card", name="Debit card", name_i18n={"ru": "Дебетовая карта"})
        s.add(journey)
        s.flush()
        apply = Stage(journey_id=journey.id, position=1, name="Apply", name_i18n={"ru": "Заявка"})
        use = Stage(journey_id=journey.id, position=2, name="Use", name_i18n={"ru": "Пользование"})
        s.add_all([apply, use])
        s.flush()
        plan = [
            # code, stage, channel, en, ru, (promoters, passives, detractors)
            ("web-apply", apply, "web", "Apply online", "Заявка на сайте", (70, 30, 20)),
            ("branch-visit", apply, "branch", "Branch visit", "Визит в отделение", (25, 15, 30)),
            ("app-payments", use, "app", "Payments in app", "Платежи в приложении", (60, 25, 10)),
            ("support-chat", use, "chat", "Support chat", "Чат поддержки", (6, 3, 3)),
        ]
        for position, (code, stage, channel, en, ru, mix) in enumerate(plan):
            tp = Touchpoint(
                code=code,
                stage_id=stage.id,
                position=position,
                channel=channel,
                name=en,
                name_i18n={"ru": ru, "en": en},
            )
            s.add(tp)
            s.flush()
            scores = [10] * mix[0] + [7] * mix[1] + [2] * mix[2]
            for i, score in enumerate(scores):
                s.add(
                    Response(
                        touchpoint_id=tp.id,
                        nps=score,
                        submitted_at=now - timedelta(days=1 + i % 80),
                        source="survey",
                    )
                )
        s.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    db_url = f"sqlite:///{data_dir / 'otklik.db'}"
    _fill(db_url)
    port = _free_port()
    env = {
        **os.environ,
        "OTKLIK_ENV": "test",
        "OTKLIK_DATA_DIR": str(data_dir),
        "OTKLIK_DATABASE_URL": db_url,
        "OTKLIK_SECRET_KEY": E2E_SECRET,
    }
    log = (data_dir / "server.log").open("w")
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "otklik.web.app:create_app"]
    proc = subprocess.Popen(
        [*cmd, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, data_dir / "server.log")
        yield LiveServer(url=url, email=E2E_EMAIL, password=E2E_PASSWORD, db_url=db_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is required for e2e tests: apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
