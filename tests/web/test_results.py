"""The survey's results page and the quality API show response rate, drop-off and timing."""

from __future__ import annotations

from datetime import timedelta

from public_pages import publish, submit
from sqlalchemy import select

from otklik.listen.contacts import invite_contacts
from otklik.listen.invitations import invitation_url
from otklik.listen.models import Invitation
from otklik.store import utcnow


def test_results_page_after_an_invited_customer_answers(logged_in_client, app, session):
    client = logged_in_client
    survey = publish(session)
    noon = utcnow().replace(hour=9, minute=0) - timedelta(days=1)
    invite_contacts(session=session, survey=survey, now=noon,
                    data="email,name\na@example.com,A\nb@example.com,B\n")  # fmt: skip
    for inv in session.scalars(select(Invitation)).all():
        inv.status, inv.sent_at = "sent", noon
    session.commit()
    first = session.scalars(select(Invitation).order_by(Invitation.id)).first()
    url = invitation_url(session=session, invitation=first, base_url="",
                         secret=app.state.settings.resolved_secret_key())  # fmt: skip
    session.commit()
    page = client.get(url)
    assert submit(client, page.text, nps="10").status_code == 200
    results = client.get(f"/surveys/{survey.id}/results")
    assert results.status_code == 200
    assert "50.0%" in results.text  # 1 complete of 2 delivered
    quality = client.get(f"/api/v1/surveys/{survey.id}/quality").json()
    assert quality["completed"] == 1 and quality["timed_responses"] == 1
    assert quality["median_seconds"] is not None and quality["median_seconds"] >= 0
    assert [q["id"] for q in quality["questions"]] == ["nps", "why_low", "comment"]
    rates = client.get("/api/v1/response-rate", params={"by": "channel"}).json()
    assert rates[0]["key"] == "email" and rates[0]["rate"] == 0.5


def test_results_need_login(client, session):
    survey = publish(session)
    assert client.get(f"/surveys/{survey.id}/results", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/response-rate").status_code == 401
