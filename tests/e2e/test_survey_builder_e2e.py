"""A CX analyst builds a survey in a real browser with JavaScript switched off: creates it from
the CES template, attaches it to a touchpoint, adds and moves a question, previews it in
English, and publishes it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_analyst_builds_and_publishes_a_survey_from_a_template_without_javascript(
    no_js_page, live_server, tmp_path
):
    page, base = no_js_page, live_server.url
    page.goto(f"{base}/surveys")
    assert "/login" in page.url
    page.fill("#email", live_server.email)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/surveys")
    page.goto(f"{base}/surveys?lang=en")  # the analyst's own setting is Russian

    # Create from the CES template, attached to the support chat.
    page.fill("#new-title", "Support chat CES")
    page.get_by_label("CES after support").check()
    page.select_option("#new-tp", label="Support chat (support-chat)")
    page.click("text=Create draft")
    page.wait_for_url(f"{base}/surveys/*")
    survey_url = page.url
    assert "Draft" in page.locator("h1").inner_text()
    questions = page.locator("ol.questions > li")
    assert questions.count() == 4
    assert "The company made it easy for me to handle my issue." in questions.first.inner_text()
    assert page.locator("#tp option:checked").inner_text().startswith("Support chat")

    # Add a yes/no question, give it texts, then move it up one place.
    page.select_option("#add-type", "yes_no")
    page.click("form[action$='/questions'] button[type=submit]")
    page.wait_for_url(f"{survey_url}/questions/yes_no")
    page.fill("#f-id", "called_back")
    page.fill("#f-text-ru", "Вам перезвонили?")
    page.fill("#f-text-en", "Did we call you back?")
    page.click("text=Save")
    page.wait_for_url(f"{survey_url}**")
    assert questions.count() == 5
    assert "Did we call you back?" in questions.nth(4).inner_text()
    page.click("button[aria-label='Move up called_back']")
    assert "Did we call you back?" in questions.nth(3).inner_text()

    # Preview as the respondent sees it, in English.
    page.click("text=Preview")
    assert page.locator("article.respondent h1").inner_text() == "Rate your support request"
    assert page.locator("article.respondent fieldset").count() == 3  # the rest are follow-ups
    page.go_back()

    # Publish: version 1 goes live.
    page.click("form[action$='/publish'] button")
    page.wait_for_url(survey_url)
    assert "Published" in page.locator("h1").inner_text()
    assert "live version 1" in page.content()
    page.screenshot(path=str(tmp_path / "survey-builder.png"), full_page=True)

    page.goto(f"{base}/surveys")
    row = page.locator("table.surveys tr", has_text="Support chat CES")
    assert "Published" in row.inner_text() and "Support chat" in row.inner_text()
