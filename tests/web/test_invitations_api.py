"""Trigger API (POST /api/v1/invitations), counts by reason, and the invitation pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from public_pages import publish_at_touchpoint
from sqlalchemy import select

from otklik.jobs import create_jobs
from otklik.listen.models import Customer, Invitation, Touchpoint
from smtp_mailbox import running_mailbox


@pytest.fixture
def survey(session, seed):
    return publish_at_touchpoint(session, seed)


def trigger(client, headers, **body):
    body.setdefault("customer", {"external_id": "crm-1", "email": "anna@example.com"})
    return client.post("/api/v1/invitations", json=body, headers=headers)


def test_link_channel_returns_the_personal_url_that_opens_the_survey(client, api_headers, survey):
    answer = trigger(client, api_headers, touchpoint="web-apply", channel="link")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "sent" and body["survey"] == survey.slug
    assert body["touchpoint"] == "web-apply" and body["url"].startswith("http://127.0.0.1:8000/s/")
    path = body["url"].split("8000", 1)[1]
    assert client.get(path).status_code == 200


def test_email_channel_is_queued_and_the_worker_sends_it(app, client, api_headers, survey):
    with running_mailbox() as box:
        app.state.jobs = create_jobs(app.state.settings, mailer=box.mailer(), immediate=True)
        try:
            answer = trigger(client, api_headers, touchpoint="web-apply",
                             customer={"email": "bob@example.com", "timezone": "UTC"},
                             send_at=None)  # fmt: skip
        finally:
            app.state.jobs.close()
        body = answer.json()
        assert answer.status_code == 201 and body["url"] is None
        if body["send_at"] is None:  # not quiet hours in UTC right now: mailed at once
            assert len(box.to("bob@example.com")) == 1
        else:
            assert body["status"] == "queued" and not box.messages


def test_second_trigger_within_the_window_is_suppressed_with_the_reason(
    client, api_headers, survey
):
    first = trigger(client, api_headers, survey=survey.slug, channel="link")
    second = trigger(client, api_headers, survey=survey.slug, channel="link")
    assert first.json()["status"] == "sent"
    assert (second.json()["status"], second.json()["suppression_reason"]) == (
        "suppressed", "recent_invitation",
    )  # fmt: skip
    assert second.json()["url"] is None
    counts = client.get("/api/v1/invitations-summary", headers=api_headers).json()
    assert counts["suppressed_by_reason"] == {"recent_invitation": 1}
    assert counts["statuses"] == {"sent": 1, "suppressed": 1}


def test_quiet_hours_schedule_send_at_in_the_customers_zone(client, api_headers, survey):
    # 03:00 UTC on a future day = 06:00 in Moscow: quiet until 09:00 Moscow = 06:00 UTC.
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    at = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)
    answer = trigger(client, api_headers, survey=survey.slug, send_at=at.isoformat(),
                     customer={"email": "c@example.com", "timezone": "Europe/Moscow"})  # fmt: skip
    body = answer.json()
    assert body["status"] == "queued"
    assert datetime.fromisoformat(body["send_at"]) == at.replace(hour=6)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"touchpoint": "nowhere"}, "touchpoint"),
        ({"survey": "no-such-survey"}, "survey"),
        ({"touchpoint": "web-apply", "channel": "sms"}, "channel"),
        ({"touchpoint": "web-apply", "customer": {"name": "No key"}}, "customer"),
        ({"touchpoint": "web-apply", "customer": {"email": "a@b.c", "timezone": "Mars/X"}},
         "timezone"),
    ],
)  # fmt: skip
def test_bad_trigger_gets_422_naming_the_field(client, api_headers, survey, body, field):
    answer = trigger(client, api_headers, **body)
    assert answer.status_code == 422
    assert field in str(answer.json()["detail"][0]["loc"]) or field in answer.text


def test_trigger_needs_an_api_key(client, survey):
    assert trigger(client, {}, touchpoint="web-apply").status_code == 401


def test_touchpoint_without_a_published_survey_is_a_clear_422(client, api_headers, seed):
    answer = trigger(client, api_headers, touchpoint="support-chat")
    assert answer.status_code == 422 and "no published survey" in answer.text


def test_read_back_an_invitation(client, api_headers, survey):
    made = trigger(client, api_headers, survey=survey.slug, channel="link").json()
    again = client.get(f"/api/v1/invitations/{made['id']}", headers=api_headers)
    assert again.status_code == 200 and again.json()["status"] == "sent"
    assert client.get("/api/v1/invitations/999999", headers=api_headers).status_code == 404


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_invitations_page_uploads_contacts_and_shows_counts_by_reason(
    logged_in_client, session, survey
):
    client = logged_in_client
    page = client.get(f"/surveys/{survey.id}/invitations")
    assert page.status_code == 200
    csv = b"email,name,language,external_id\nann@example.com,Ann,en,c1\nann@example.com,Ann,en,c1\n"
    done = client.post(
        f"/surveys/{survey.id}/invitations/upload",
        data={"csrf_token": _csrf(page.text)},
        files={"contacts": ("contacts.csv", csv, "text/csv")},
    )
    assert done.status_code == 200  # redirected back to the page
    assert "queued 1 of 2 contacts; suppressed 1 (recent_invitation 1)" in done.text
    assert "Invited recently" in done.text
    statuses = session.scalars(select(Invitation.status).order_by(Invitation.id)).all()
    assert statuses == ["pending", "suppressed"]
    bad = client.post(
        f"/surveys/{survey.id}/invitations/upload",
        data={"csrf_token": _csrf(done.text)},
        files={"contacts": ("c.csv", b"email\nnot-an-email\n", "text/csv")},
    )
    assert "line 2: email" in bad.text


def test_survey_rules_override_the_global_policy(logged_in_client, session, survey):
    client = logged_in_client
    page = client.get(f"/surveys/{survey.id}/invitations")
    saved = client.post(
        f"/surveys/{survey.id}/invitations/policy",
        data={"csrf_token": _csrf(page.text), "sampling_percent": "0", "reminder_days": "5"},
    )
    assert saved.status_code == 200
    session.expire_all()
    assert survey.settings["fatigue"] == {"sampling_percent": 0.0}
    assert survey.settings["reminder_days"] == 5
    answer = client.post(
        f"/surveys/{survey.id}/invitations/upload",
        data={"csrf_token": _csrf(saved.text)},
        files={"contacts": ("c.csv", b"email\nz@example.com\n", "text/csv")},
    )
    assert "sampled_out 1" in answer.text
    bad = {"csrf_token": _csrf(answer.text), "sampling_percent": "150"}
    wrong = client.post(f"/surveys/{survey.id}/invitations/policy", data=bad)
    assert "sampling_percent" in wrong.text


def test_global_policy_is_admin_only_and_validated(logged_in_client, session):
    page = logged_in_client.get("/invitations/policy")
    assert page.status_code == 200 and "Contact-fatigue rules" in page.text
    refused = logged_in_client.post(
        "/invitations/policy", data={"csrf_token": _csrf(page.text), "min_days_between": "7"}
    )
    assert refused.status_code == 403  # the logged-in user is an analyst


def test_customer_found_by_external_id_is_reused(client, api_headers, survey, session):
    trigger(client, api_headers, survey=survey.slug, channel="link")
    trigger(client, api_headers, survey=survey.slug, channel="link",
            customer={"external_id": "crm-1", "email": "other@example.com"})  # fmt: skip
    assert len(session.scalars(select(Customer)).all()) == 1
    assert session.scalar(select(Touchpoint.code).where(Touchpoint.id == survey.touchpoint_id))
