"""An analyst opens the comment explorer in a real browser (JavaScript off): filters by
sentiment, searches, sees HTML in a comment as text, and corrects a label."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select, update

from otklik.listen.models import Response
from otklik.store import make_engine, make_sessionmaker
from otklik.understand.comments.enrich import analyse_responses

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("OTKLIK_SCREENSHOTS", "/tmp/otklik-screenshots"))
TEXTS = [
    "Курьер опоздал на три часа, доставка ужасная",
    "Приложение вылетает при входе, не могу войти",
    "Отличное обслуживание, спасибо!",
    "<img src=x onerror=alert(1)> The delivery was late again",
]


@pytest.fixture
def comments(live_server):
    """Comments on existing responses (metric counts of other e2e tests stay as they are)."""
    engine = make_engine(live_server.db_url)
    with make_sessionmaker(engine)() as session:
        ids = session.scalars(select(Response.id).order_by(Response.id.desc()).limit(4)).all()
        for rid, text in zip(ids, TEXTS, strict=True):
            session.execute(update(Response).where(Response.id == rid).values(comment=text))
        session.commit()
        analyse_responses(session=session)
    yield ids
    with make_sessionmaker(engine)() as session:
        session.execute(update(Response).where(Response.id.in_(ids)).values(comment=None))
        session.commit()
    engine.dispose()


def test_comment_explorer_in_a_browser(browser, live_server, comments):
    context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    page.goto(f"{live_server.url}/comments?lang=ru")
    page.fill("#email", live_server.email)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/comments")
    rows = page.locator("table.comments tbody tr")
    assert rows.count() == 4
    assert "<img src=x onerror=alert(1)>" in page.inner_text("table.comments")  # shown as text
    assert page.locator("table.comments img").count() == 0 and not dialogs

    page.select_option("select[name=sentiment]", "negative")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**sentiment=negative**")
    text = page.inner_text("table.comments")
    assert "Курьер опоздал" in text and "Отличное обслуживание" not in text
    page.screenshot(path=str(SHOTS.mkdir(parents=True, exist_ok=True) or SHOTS / "comments.png"))

    page.goto(f"{live_server.url}/comments?q=курьер")
    row = page.locator("table.comments tbody tr").first
    row.locator("summary").click()
    row.locator("select[name=sentiment]").select_option("neutral")
    row.locator("form.correct button[type=submit]").click()
    page.wait_for_url("**/comments**")
    assert "✎" in page.inner_text("table.comments")
    page.goto(f"{live_server.url}/comments/themes")
    assert page.locator("table.heatmap tbody tr").count() >= 1
    page.screenshot(path=str(SHOTS / "comments-themes.png"), full_page=True)
    context.close()
