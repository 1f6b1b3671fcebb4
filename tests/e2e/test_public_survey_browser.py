"""A customer answers a survey on a phone, with JavaScript on and off, in Debian's Chromium."""

from __future__ import annotations

import pytest
from public_fixtures import forget_responses, published, responses

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, request):
    js = request.param
    context = browser.new_context(
        viewport=PHONE, locale="ru-RU", java_script_enabled=js, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page, js
    context.close()


@pytest.mark.parametrize("phone", [True, False], ids=["js", "no-js"], indirect=True)
def test_customer_answers_on_a_phone_with_and_without_javascript(phone, live_server, tmp_path):
    page, js = phone
    slug = f"phone-{'js' if js else 'nojs'}"
    published(live_server, slug)
    try:
        page.goto(f"{live_server.url}/s/{slug}")
        assert page.locator("html").get_attribute("lang") == "ru"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert "Ответы помогают улучшать сервис." in page.locator("footer").inner_text()
        # The RU/EN switch works without scripts: it is a link.
        page.click("nav.top >> text=English")
        assert "Would you recommend us?" in page.locator("legend").first.inner_text()
        # Sending without a score: the server answers with the error next to the question.
        page.click("button[type=submit]", no_wait_after=True)
        if page.locator(".err").count() == 0:  # the browser's own required check stopped it
            assert page.locator("input[name=nps]:invalid").count() == 11
        page.locator("label:has(input[name=nps][value='4'])").click()
        assert page.locator("input[name=nps][value='4']").is_checked()
        page.screenshot(path=str(tmp_path / f"{slug}-question.png"), full_page=True)
        page.click("button[type=submit]")
        follow = page.locator("label[for=q-why_low]")
        assert follow.inner_text() == "What went wrong at 4?"
        page.fill("#q-why_low", "Очередь <b>долгая</b>")
        page.click("button[type=submit]")
        assert page.locator(".thanks").inner_text() == "Thank you, we will look into it."
        page.screenshot(path=str(tmp_path / f"{slug}-thanks.png"), full_page=True)
        [row] = responses(live_server, slug)
        assert (row.source, row.nps, row.language) == ("survey", 4, "en")
        assert row.answers == {"nps": 4, "why_low": "Очередь <b>долгая</b>"}
    finally:
        forget_responses(live_server, slug)


@pytest.mark.parametrize("phone", [False], ids=["no-js"], indirect=True)
def test_step_by_step_survey_by_keyboard_alone_without_javascript(phone, live_server):
    page, _ = phone
    slug = "phone-steps"
    published(live_server, slug, layout="steps")
    try:
        page.goto(f"{live_server.url}/s/{slug}?lang=en")
        assert "Question 1 of 2" in page.locator(".note").first.inner_text()
        page.locator("input[name=nps][value='0']").focus()
        for _ in range(9):
            page.keyboard.press("ArrowRight")
        assert page.locator("input[name=nps][value='9']").is_checked()
        outline = page.evaluate(
            "getComputedStyle(document.activeElement.nextElementSibling).outlineStyle"
        )
        assert outline == "solid", "the focused score has no visible focus ring"
        page.keyboard.press("Enter")
        page.wait_for_selector("#q-comment")
        assert "Question 2 of 2" in page.locator(".note").first.inner_text()
        # Leave and come back: the draft is kept on the server.
        page.goto(f"{live_server.url}/s/{slug}?lang=en")
        page.click("button[value=back]")
        assert page.locator("input[name=nps][value='9']").is_checked()
        page.click("button[value=next]")
        page.fill("#q-comment", "All good")
        page.click("button[value=next]")
        assert page.locator(".thanks").inner_text() == "Thanks for the 9! <i>yay</i>"
        [row] = responses(live_server, slug)
        assert (row.nps, row.comment) == (9, "All good")
    finally:
        forget_responses(live_server, slug)
