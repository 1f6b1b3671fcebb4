"""The public survey page as a plain HTML form: languages, escaping, budget, storing answers."""

from __future__ import annotations

import re

from public_pages import DEFINITION, hidden_fields, publish, submit
from sqlalchemy import func, select

from otklik.listen.drafts import SurveyDraft
from otklik.listen.models import Response
from otklik.listen.surveys import close_survey, create_survey, publish_survey

PAGE_BUDGET = 20 * 1024


def _responses(session):
    session.expire_all()
    return list(session.scalars(select(Response).order_by(Response.id)))


def test_page_renders_in_russian_by_accept_language_and_in_english_by_query(client, session):
    publish(session)
    ru = client.get("/s/nps-page", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert ru.status_code == 200
    assert '<html lang="ru">' in ru.text and "Порекомендуете нас?" in ru.text
    assert "Ответы помогают улучшать сервис." in ru.text and 'href="/privacy"' in ru.text
    assert "Политика конфиденциальности" in ru.text
    en = client.get("/s/nps-page?lang=en", headers={"Accept-Language": "ru"})
    assert '<html lang="en">' in en.text and "Would you recommend us?" in en.text
    assert "Privacy policy" in en.text and 'href="/s/nps-page?lang=ru"' in en.text
    assert client.get("/s/nps-page", headers={"Accept-Language": "en-GB"}).text.count(
        "Would you recommend us?"
    )


def test_nps_is_eleven_labelled_radio_buttons_in_a_fieldset_with_a_legend(client, session):
    publish(session)
    page = client.get("/s/nps-page?lang=en").text
    fieldset = re.search(r"<fieldset.*?</fieldset>", page, re.S).group(0)
    assert "<legend>" in fieldset
    radios = re.findall(r'<label><input type="radio" name="nps" value="(\d+)"', fieldset)
    assert radios == [str(n) for n in range(11)]
    assert '<label for="q-comment">' in page and 'id="q-comment"' in page


def test_every_survey_text_is_escaped(client, session):
    publish(session)
    page = client.get("/s/nps-page?lang=en").text
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#39;en&#39;)&lt;/script&gt;" in page
    assert "Your opinion &lt;b&gt;matters&lt;/b&gt;" in page


def test_pages_stay_within_20_kb_with_no_third_party_assets(client, session):
    publish(session)
    standard = create_survey(session=session, title="Std", template="nps-relationship")
    publish_survey(session=session, survey=standard)
    session.commit()
    sizes = {}
    for url in ("/s/nps-page?lang=ru", "/s/nps-page?lang=en", f"/s/{standard.slug}?lang=ru"):
        page = client.get(url)
        sizes[url] = len(page.content)
        assert len(page.content) <= PAGE_BUDGET, (url, len(page.content))
        assert "<script" not in page.text and "<link" not in page.text
        assert not re.search(r'(src|href)="(https?:)?//', page.text)
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer"
    thanks = submit(client, client.get("/s/nps-page?lang=ru").text, nps="10")
    assert len(thanks.content) <= PAGE_BUDGET
    print("public page sizes (bytes):", sizes, "thank-you:", len(thanks.content))


def test_plain_form_post_stores_one_typed_response_and_shows_piped_escaped_thanks(client, session):
    survey = publish(session)
    page = client.get("/s/nps-page?lang=en").text
    done = submit(client, page, nps="9", comment="Fast <b>and</b> kind")
    assert done.status_code == 200
    assert "Thanks for the 9! &lt;i&gt;yay&lt;/i&gt;" in done.text
    [stored] = _responses(session)
    assert (stored.source, stored.survey_id, stored.survey_version) == ("survey", survey.id, 1)
    assert (stored.nps, stored.comment, stored.language) == (9, "Fast <b>and</b> kind", "en")
    assert stored.answers == {"nps": 9, "comment": "Fast <b>and</b> kind"}
    assert stored.touchpoint_id is None and stored.invitation_id is None


def test_pressing_send_twice_stores_one_response_and_shows_thanks_both_times(client, session):
    publish(session)
    page = client.get("/s/nps-page?lang=ru").text
    first = submit(client, page, nps="10", comment="Отлично")
    second = submit(client, page, nps="10", comment="Отлично")
    assert first.status_code == second.status_code == 200
    assert "Спасибо за 10!" in first.text and "Спасибо за 10!" in second.text
    assert len(_responses(session)) == 1
    # A fresh page is a new submission.
    submit(client, client.get("/s/nps-page?lang=ru").text, nps="8")
    assert len(_responses(session)) == 2


def test_missing_required_answer_rerenders_with_the_error_next_to_the_field(client, session):
    publish(session)
    page = client.get("/s/nps-page?lang=en").text
    again = submit(client, page, comment="kept text")
    assert again.status_code == 422
    fieldset = re.search(r'<fieldset id="q-nps".*?</fieldset>', again.text, re.S).group(0)
    assert 'class="err" id="q-nps-e">Please answer this question.' in fieldset
    assert 'aria-describedby="q-nps-e' in fieldset
    assert ">kept text</textarea>" in again.text
    assert _responses(session) == []
    # The kept answers survive a new visit too (the server-side draft).
    assert ">kept text</textarea>" in client.get("/s/nps-page?lang=en").text


def test_show_if_question_is_asked_only_when_its_condition_holds(client, session):
    publish(session)
    low = submit(client, client.get("/s/nps-page?lang=en").text, nps="3")
    assert low.status_code == 200
    assert "What went wrong at 3?" in low.text and "Please answer the new question" in low.text
    assert 'value="3" checked' in low.text
    assert _responses(session) == []
    done = submit(client, low.text, nps="3", why_low="Long queue")
    assert "Thank you, we will look into it." in done.text
    high = submit(client, client.get("/s/nps-page?lang=en").text, nps="9", why_low="ignored")
    assert "Thanks for the 9!" in high.text
    low_row, high_row = _responses(session)
    assert low_row.answers == {"nps": 3, "why_low": "Long queue"} and low_row.comment is None
    assert high_row.answers == {"nps": 9}


def test_step_by_step_works_without_javascript_by_post_per_step(client, session):
    publish(session, layout="steps")
    first = client.get("/s/nps-page?lang=en")
    assert "Question 1 of 2" in first.text and 'name="action" value="next"' in first.text
    assert "Anything else" not in first.text
    empty = submit(client, first.text, action="next")
    assert empty.status_code == 422 and "Please answer this question." in empty.text
    moved = submit(client, first.text, action="next", nps="5")
    assert moved.status_code == 303 and moved.headers["location"] == "/s/nps-page?lang=en"
    second = client.get("/s/nps-page?lang=en")
    assert "What went wrong at 5?" in second.text and "Question 2 of 3" in second.text
    back = submit(client, second.text, action="back", why_low="draft text")
    assert back.status_code == 303
    again = client.get("/s/nps-page?lang=en")
    assert "Question 1 of 3" in again.text and 'value="5" checked' in again.text
    step2 = client.get(submit(client, again.text, action="next", nps="5").headers["location"])
    assert ">draft text</textarea>" in step2.text
    moved = submit(client, step2.text, action="next", why_low="Slow")
    step3 = client.get(moved.headers["location"])
    assert "Question 3 of 3" in step3.text and ">Send</button>" in step3.text
    done = submit(client, step3.text, action="next", comment="Bye")
    assert done.status_code == 200 and "Thank you, we will look into it." in done.text
    [row] = _responses(session)
    assert row.answers == {"nps": 5, "why_low": "Slow", "comment": "Bye"} and row.nps == 5
    assert session.scalar(select(func.count()).select_from(SurveyDraft)) == 0


def test_draft_is_kept_across_visits_per_respondent_cookie(client, app, session):
    from fastapi.testclient import TestClient

    publish(session, layout="steps")
    first = client.get("/s/nps-page?lang=en")
    assert first.cookies.get("otk_respondent") or client.cookies.get("otk_respondent")
    submit(client, first.text, action="next", nps="10")
    assert "Question 2 of 2" in client.get("/s/nps-page?lang=en").text
    with TestClient(app) as stranger:
        assert "Question 1 of 2" in stranger.get("/s/nps-page?lang=en").text


def test_tampered_or_foreign_form_token_gets_a_clear_400_page(client, session):
    publish(session)
    publish(session, slug="other-page")
    page = client.get("/s/nps-page?lang=en").text
    fields = hidden_fields(page)
    bad = client.post("/s/nps-page", data={**fields, "ft": fields["ft"][:-3] + "abc", "nps": "9"})
    assert bad.status_code == 400 and "The page expired" in bad.text
    other = client.get("/s/other-page?lang=en").text
    foreign = client.post("/s/nps-page", data={**hidden_fields(other), "nps": "9"})
    assert foreign.status_code == 400
    assert _responses(session) == []


def test_closed_draft_and_unknown_surveys_get_clear_pages_not_errors(client, session):
    survey = publish(session)
    create_survey(session=session, title="Unpublished", slug="still-draft")
    session.commit()
    assert client.get("/s/no-such-survey?lang=en").status_code == 404
    draft = client.get("/s/still-draft?lang=en")
    assert draft.status_code == 404 and "Survey not found" in draft.text
    page = client.get("/s/nps-page?lang=en").text
    close_survey(session=session, survey=survey)
    session.commit()
    closed = client.get("/s/nps-page?lang=en")
    assert closed.status_code == 410 and "This survey is closed" in closed.text
    late = submit(client, page, nps="9")
    assert late.status_code == 410 and _responses(session) == []


def test_too_many_submissions_from_one_address_get_a_429_page(client, app, session):
    publish(session)
    app.state.public_rate_limits = {"page": (100, 60), "submit": (3, 60)}
    page = client.get("/s/nps-page?lang=en").text
    codes = [submit(client, page, nps="9").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = submit(client, page, nps="9")
    assert "Too many requests" in limited.text and int(limited.headers["retry-after"]) >= 1
    assert len(_responses(session)) == 1


def test_required_definition_keeps_question_order_of_the_template(client, session):
    assert [q["id"] for q in DEFINITION["questions"]] == ["nps", "why_low", "comment"]


def _luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_page_colours_meet_wcag_aa_contrast(client, session):
    publish(session)
    css = re.search(r"<style>(.*?)</style>", client.get("/s/nps-page").text, re.S).group(1)

    def colour(selector: str, prop: str) -> str:
        rule = re.search(r"(?m)^" + re.escape(selector) + r"\{([^}]*)\}", css).group(1)
        value = re.search(rf"(?:^|;){prop}:(#[0-9a-f]{{6}}|#[0-9a-f]{{3}})\b", rule).group(1)
        return value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])

    page_bg, card_bg = colour("body", "background"), colour(".card", "background")
    pairs = {
        "text": (colour("body", "color"), card_bg),
        "hint": (colour(".help,.note,.ends", "color"), card_bg),
        "notice": (colour("footer", "color"), page_bg),
        "link": (colour("a", "color"), card_bg),
        "error": (colour(".err", "color"), card_bg),
        "button": (colour("button", "color"), colour("button", "background")),
        "chosen score": ("#ffffff", colour(".sc input:checked+span", "background")),
    }
    for name, (fg, bg) in pairs.items():
        assert _contrast(fg, bg) >= 4.5, (name, fg, bg, round(_contrast(fg, bg), 2))
    focus = re.search(r"outline:3px solid (#[0-9a-f]{6})", css).group(1)
    assert _contrast(focus, card_bg) >= 3  # a visible focus ring (non-text contrast)
