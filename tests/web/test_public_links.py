"""Personal links on the survey page: the answer is tied to the invitation; misuse gets a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from public_pages import publish, submit
from sqlalchemy import select

from otklik.listen.links import ensure_nonce, make_personal_token
from otklik.listen.models import Customer, Invitation, Response


@pytest.fixture
def invited(session, seed, settings):
    survey = publish(session)
    customer = Customer(external_id="crm-42", email="ivan@example.com")
    session.add(customer)
    session.flush()
    inv = Invitation(
        survey_id=survey.id,
        customer_id=customer.id,
        touchpoint_id=seed["touchpoints"]["branch-visit"].id,
        channel="email",
        status="sent",
    )
    session.add(inv)
    session.flush()
    ensure_nonce(session=session, invitation=inv)
    session.commit()
    token = make_personal_token(secret=settings.resolved_secret_key(), invitation=inv)
    return {"survey": survey, "customer": customer, "invitation": inv, "token": token}


def _rows(session):
    session.expire_all()
    return list(session.scalars(select(Response)))


def test_personal_link_ties_the_answer_to_customer_invitation_and_touchpoint(
    client, session, invited, seed
):
    page = client.get(f"/s/nps-page?lang=en&t={invited['token']}")
    assert page.status_code == 200 and 'name="t"' in page.text
    assert "otk_respondent" not in page.headers.get("set-cookie", "")
    done = submit(client, page.text, nps="10", comment="Great")
    assert done.status_code == 200 and "Thanks for the 10!" in done.text
    [row] = _rows(session)
    inv = session.get(Invitation, invited["invitation"].id)
    assert (row.invitation_id, row.customer_id) == (inv.id, invited["customer"].id)
    assert row.touchpoint_id == seed["touchpoints"]["branch-visit"].id
    assert row.channel == "email" and row.source == "survey"
    assert inv.status == "responded" and inv.responded_at is not None


def test_double_submit_through_a_personal_link_shows_thanks_and_stores_one(
    client, session, invited
):
    page = client.get(f"/s/nps-page?lang=en&t={invited['token']}").text
    assert submit(client, page, nps="9").status_code == 200
    again = submit(client, page, nps="9")
    assert again.status_code == 200 and "Thanks for the 9!" in again.text
    assert len(_rows(session)) == 1


def test_reused_personal_link_gets_a_clear_410_page(client, session, invited):
    page = client.get(f"/s/nps-page?lang=ru&t={invited['token']}").text
    submit(client, page, nps="9")
    reopened = client.get(f"/s/nps-page?lang=ru&t={invited['token']}")
    assert reopened.status_code == 410 and "Вы уже ответили" in reopened.text
    other_answers = submit(client, page, nps="2")
    assert other_answers.status_code == 410
    [row] = _rows(session)
    assert row.nps == 9


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-4] + "AAAA", lambda t: t[5:], lambda t: "not-a-token"],
)
def test_tampered_personal_link_gets_a_clear_400_page(client, session, invited, mangle):
    page = client.get(f"/s/nps-page?lang=en&t={mangle(invited['token'])}")
    assert page.status_code == 400
    assert "This link is damaged" in page.text and "Traceback" not in page.text


def test_expired_personal_link_gets_a_410_page(client, session, invited, settings):
    old = make_personal_token(
        secret=settings.resolved_secret_key(),
        invitation=invited["invitation"],
        valid_for=timedelta(days=1),
        now=datetime.now(UTC) - timedelta(days=2),
    )
    page = client.get(f"/s/nps-page?lang=en&t={old}")
    assert page.status_code == 410 and "This link has expired" in page.text


def test_personal_link_keeps_a_draft_for_the_invitation(client, app, session, invited):
    from fastapi.testclient import TestClient

    page = client.get(f"/s/nps-page?lang=en&t={invited['token']}").text
    assert submit(client, page, comment="half done").status_code == 422
    with TestClient(app) as other_device:  # no cookie: the token alone finds the draft
        again = other_device.get(f"/s/nps-page?lang=en&t={invited['token']}")
    assert ">half done</textarea>" in again.text
