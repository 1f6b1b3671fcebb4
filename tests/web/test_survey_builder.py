"""The survey builder through real HTTP forms with CSRF (no JavaScript): create from a template,
add and edit questions, reorder, preview, publish, close, attach; escaping; access by role."""

from __future__ import annotations

import functools
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from otklik.access.models import User
from otklik.access.passwords import hash_password
from otklik.listen.models import Survey, SurveyVersion

PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    """One argon2 hash for the whole module: hashing is deliberately slow."""
    return hash_password(PASSWORD)


def login(client: TestClient, session, role: str) -> TestClient:
    email = f"{role}@example.com"
    session.add(User(email=email, password_hash=password_hash(), role=role, language="en"))
    session.commit()
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token(client, "/login")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def token(client: TestClient, page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)


def post(client: TestClient, url: str, data: dict | None = None, page: str = "/surveys"):
    """Submit a form the way a browser does: token from the page, no redirect following."""
    return client.post(
        url, data={**(data or {}), "csrf_token": token(client, page)}, follow_redirects=False
    )


@pytest.fixture
def analyst(client, session) -> TestClient:
    return login(client, session, "analyst")


def survey_row(session, survey_id: int) -> Survey:
    session.expire_all()
    return session.get(Survey, survey_id)


def create(client: TestClient, title="Support CES", template="ces-support", **extra) -> int:
    r = post(client, "/surveys", {"title": title, "template": template, **extra})
    assert r.status_code == 303, r.text
    return int(re.fullmatch(r"/surveys/(\d+)", r.headers["location"]).group(1))


def test_builder_needs_a_login(client):
    r = client.get("/surveys", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_list_shows_templates_and_the_nav_link(analyst):
    page = analyst.get("/surveys").text
    assert '<a href="/surveys">Surveys</a>' in page
    for name in ("NPS relationship", "Transactional CSAT", "CES after support"):
        assert name in page


def test_create_from_template_then_add_a_question_reorder_and_publish(analyst, session, seed):
    sid = create(analyst, touchpoint_id=str(seed["touchpoints"]["support-chat"].id))
    page = analyst.get(f"/surveys/{sid}").text
    assert "The company made it easy for me to handle my issue." in page
    assert "Support chat" in page

    r = post(analyst, f"/surveys/{sid}/questions", {"type": "rating"}, f"/surveys/{sid}")
    assert r.headers["location"] == f"/surveys/{sid}/questions/rating"
    form = analyst.get(r.headers["location"]).text
    assert 'name="scale_max"' in form
    r = post(
        analyst,
        f"/surveys/{sid}/questions/rating",
        {
            "id": "stars",
            "type": "rating",
            "text_ru": "Оцените оператора",
            "text_en": "Rate the agent",
            "scale_max": "10",
            "required": "on",
            "show_q": "ces",
            "show_op": "gte",
            "show_value": "5",
        },
        f"/surveys/{sid}/questions/rating",
    )
    assert r.status_code == 303, r.text
    questions = survey_row(session, sid).definition["questions"]
    assert questions[-1] == {
        "id": "stars",
        "type": "rating",
        "text": {"ru": "Оцените оператора", "en": "Rate the agent"},
        "required": True,
        "show_if": {"question": "ces", "op": "gte", "value": 5},
        "scale_max": 10,
    }

    r = post(
        analyst, f"/surveys/{sid}/questions/stars/move", {"direction": "up"}, f"/surveys/{sid}"
    )
    assert r.status_code == 303
    ids = [q["id"] for q in survey_row(session, sid).definition["questions"]]
    assert ids == ["ces", "resolved", "difficulty", "stars", "contact"]

    r = post(analyst, f"/surveys/{sid}/publish", page=f"/surveys/{sid}")
    assert r.status_code == 303
    survey = survey_row(session, sid)
    assert (survey.status, survey.version) == ("published", 1)
    assert "live version 1" in analyst.get(f"/surveys/{sid}").text


def test_edit_after_publish_then_publish_again_gives_version_two(analyst, session):
    sid = create(analyst, title="NPS", template="nps-relationship")
    post(analyst, f"/surveys/{sid}/publish", page=f"/surveys/{sid}")
    post(analyst, f"/surveys/{sid}/questions/improve/delete", page=f"/surveys/{sid}")
    page = analyst.get(f"/surveys/{sid}").text
    assert "unpublished changes" in page and "(v2)" in page
    post(analyst, f"/surveys/{sid}/publish", page=f"/surveys/{sid}")
    versions = session.scalars(
        select(SurveyVersion.version).where(SurveyVersion.survey_id == sid)
    ).all()
    assert sorted(versions) == [1, 2]
    assert survey_row(session, sid).version == 2


def test_invalid_question_form_shows_errors_and_keeps_the_input(analyst, session):
    sid = create(analyst)
    r = post(
        analyst,
        f"/surveys/{sid}/questions/resolved",
        {"id": "resolved", "type": "yes_no", "text_ru": "Решён?", "text_en": ""},
        f"/surveys/{sid}/questions/resolved",
    )
    assert r.status_code == 422
    assert "questions[1].text.en" in r.text
    assert "Решён?" in r.text
    assert survey_row(session, sid).definition["questions"][1]["text"]["en"] == (
        "Was your issue resolved?"
    )


def test_settings_form_updates_texts_notice_and_thank_you(analyst, session):
    sid = create(analyst, title="CSAT", template="csat-transactional")
    r = post(
        analyst,
        f"/surveys/{sid}/settings",
        {
            "name": "CSAT branch",
            "slug": "csat-branch",
            "title_ru": "Как прошёл визит?",
            "title_en": "How was your visit?",
            "notice_ru": "Ответы видит только отдел качества.",
            "notice_en": "Only the quality team sees the answers.",
            "privacy_url": "https://example.com/privacy",
            "thanks_ru": "Спасибо!",
            "thanks_en": "Thanks!",
            "layout": "steps",
        },
        f"/surveys/{sid}",
    )
    assert r.status_code == 303, r.text
    survey = survey_row(session, sid)
    assert (survey.title, survey.slug) == ("CSAT branch", "csat-branch")
    d = survey.definition
    assert d["layout"] == "steps" and d["notice"]["privacy_url"] == "https://example.com/privacy"
    assert d["thank_you"]["default"] == {"ru": "Спасибо!", "en": "Thanks!"}
    assert len(d["thank_you"]["rules"]) == 1  # rules survive the settings form


def test_json_editor_refuses_bad_json_and_names_the_path(analyst, session):
    sid = create(analyst)
    r = post(analyst, f"/surveys/{sid}/json", {"definition": "{not json"}, f"/surveys/{sid}")
    assert r.status_code == 422 and "not valid JSON" in r.text
    r = post(
        analyst,
        f"/surveys/{sid}/json",
        {"definition": '{"title": {"ru": "Т", "en": "T"}, "questions": [{"id": "x"}]}'},
        f"/surveys/{sid}",
    )
    assert r.status_code == 422 and "questions[0]" in r.text


def test_user_text_is_escaped_everywhere(analyst):
    evil = "<script>alert(1)</script>"
    sid = create(analyst, title=evil)
    post(
        analyst,
        f"/surveys/{sid}/questions/resolved",
        {"id": "resolved", "type": "yes_no", "text_ru": evil, "text_en": evil},
        f"/surveys/{sid}/questions/resolved",
    )
    for url in ("/surveys", f"/surveys/{sid}", f"/surveys/{sid}/preview?plang=en"):
        page = analyst.get(url).text
        assert evil not in page
        assert "&lt;script&gt;" in page


def test_preview_renders_in_both_languages_and_follows_show_if(analyst):
    sid = create(analyst, title="NPS", template="nps-relationship")
    en = analyst.get(f"/surveys/{sid}/preview?plang=en").text
    assert "How likely are you to recommend us to a friend or colleague?" in en
    assert "What should we fix first?" not in en  # shown only to detractors
    ru = analyst.get(f"/surveys/{sid}/preview?plang=ru").text
    assert "Насколько вероятно, что вы порекомендуете нас другу или коллеге?" in ru
    first_page = {"plang": "en", "shown": "nps,reason", "check": "1"}
    low = analyst.get(f"/surveys/{sid}/preview", params={**first_page, "nps": "3"})
    assert "What should we fix first?" in low.text  # revealed: the form is shown again
    assert "What is the main reason for your score of 3?" in low.text
    assert "Thank you" not in low.text
    done = analyst.get(f"/surveys/{sid}/preview", params={**first_page, "nps": "10"}).text
    assert "Thank you! We are glad you would recommend us." in done
    missing = analyst.get(f"/surveys/{sid}/preview", params=first_page).text
    assert "Please answer this question." in missing


def test_close_reopen_and_attach_from_the_edit_page(analyst, session, seed):
    sid = create(analyst)
    post(analyst, f"/surveys/{sid}/publish", page=f"/surveys/{sid}")
    post(analyst, f"/surveys/{sid}/close", page=f"/surveys/{sid}")
    assert survey_row(session, sid).status == "closed"
    post(analyst, f"/surveys/{sid}/reopen", page=f"/surveys/{sid}")
    assert survey_row(session, sid).status == "published"
    tp = seed["touchpoints"]["branch-visit"]
    post(analyst, f"/surveys/{sid}/attach", {"touchpoint_id": str(tp.id)}, f"/surveys/{sid}")
    assert survey_row(session, sid).touchpoint_id == tp.id


def test_refused_action_is_reported_on_the_page(analyst):
    sid = create(analyst, title="Blank", template="")
    r = post(analyst, f"/surveys/{sid}/publish", page=f"/surveys/{sid}")
    assert r.status_code == 303
    assert "add at least one question before publishing" in analyst.get(f"/surveys/{sid}").text


def test_post_without_csrf_token_is_refused(analyst, session):
    r = analyst.post("/surveys", data={"title": "X", "template": ""}, follow_redirects=False)
    assert r.status_code == 403
    assert session.scalar(select(Survey.id).where(Survey.title == "X")) is None


def test_viewer_sees_surveys_but_cannot_change_them(client, session, seed):
    login(client, session, "viewer")
    page = client.get("/surveys").text
    assert "Onboarding NPS" in page and 'action="/surveys"' not in page
    sid = seed["survey"].id
    assert "/publish" not in client.get(f"/surveys/{sid}").text
    r = post(client, f"/surveys/{sid}/close", page="/surveys")
    assert r.status_code == 403
