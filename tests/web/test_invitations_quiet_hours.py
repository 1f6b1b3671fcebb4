"""Quiet hours are checked again when mail goes out: an invitation queued by day that comes
due at night (worker down, retry after a mail-server failure) is held until the quiet hours
end in the customer's own zone — never sent at night, never dropped. A real SMTP server
(aiosmtpd) receives what is sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from public_pages import publish
from sqlalchemy import select

from otklik.listen.contacts import invite_contacts
from otklik.listen.delivery import Delivery, send_due
from otklik.listen.fatigue import save_survey_policy
from otklik.listen.mailer import Mailer
from otklik.listen.models import Customer, Invitation
from smtp_mailbox import running_mailbox

CONTACTS = (
    "email,name,timezone\n"
    "masha@example.com,Маша,Europe/Moscow\n"
    "vlad@example.com,Влад,Asia/Vladivostok\n"
    "nina@example.com,Nina,America/New_York\n"
)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in March 2031 (US daylight saving starts on Sunday 9 March, 02:00 local)."""
    return datetime(2031, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def mailbox():
    with running_mailbox() as box:
        yield box


@pytest.fixture
def delivery(settings, mailbox) -> Delivery:
    return Delivery.from_settings(settings, mailbox.mailer())


def _invitations(session) -> dict[str, Invitation]:
    session.expire_all()
    rows = session.execute(
        select(Customer.email, Invitation).join(Customer, Customer.id == Invitation.customer_id)
    )
    return {email: inv for email, inv in rows}


@pytest.fixture
def queued(session):
    """All three queued at 06:00 UTC on 8 March: 09:00 Moscow, 16:00 Vladivostok,
    01:00 New York — the New Yorker is already held until 09:00 EST (14:00 UTC)."""
    survey = publish(session)
    assert invite_contacts(session=session, survey=survey, data=CONTACTS, now=utc(8, 6)).queued == 3
    invitations = _invitations(session)
    assert invitations["masha@example.com"].send_at is None
    assert invitations["vlad@example.com"].send_at is None
    assert invitations["nina@example.com"].send_at == utc(8, 14)
    return survey


def test_mail_due_at_night_waits_for_morning_in_each_customers_zone(session, mailbox, delivery,
                                                                    queued):  # fmt: skip
    # The worker comes back at 15:00 UTC: 18:00 Moscow (day), 01:00 Vladivostok (night),
    # 10:00 New York (day).
    report = send_due(session=session, delivery=delivery, now=utc(8, 15))
    assert (report.sent, report.deferred) == (2, 1)
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "Nina <nina@example.com>", "Маша <masha@example.com>",
    ]  # fmt: skip
    vlad = _invitations(session)["vlad@example.com"]
    # Held, not dropped: queued until 09:00 in Vladivostok (UTC+10) = 23:00 UTC.
    assert (vlad.status, vlad.send_at, vlad.suppression_reason) == ("pending", utc(8, 23), None)

    assert send_due(session=session, delivery=delivery, now=utc(8, 22, 59)).sent == 0
    morning = send_due(session=session, delivery=delivery, now=utc(8, 23))
    assert (morning.sent, morning.deferred) == (1, 0)
    assert len(mailbox.to("vlad@example.com")) == 1
    assert _invitations(session)["vlad@example.com"].status == "sent"


def test_retry_after_a_mail_server_failure_is_held_through_the_night(settings, session, mailbox,
                                                                     delivery, queued):  # fmt: skip
    dead = Delivery.from_settings(settings, Mailer(host="127.0.0.1", port=9, mail_from="x@y.z"))
    assert send_due(session=session, delivery=dead, now=utc(8, 7)).retry == 2  # Moscow, Vlad
    # The server is back at 19:30 UTC = 22:30 in Moscow, 05:30 in Vladivostok: both quiet.
    report = send_due(session=session, delivery=delivery, now=utc(8, 19, 30))
    assert (report.sent, report.deferred) == (1, 2)  # only New York (14:30 there) gets mail
    assert [str(m["To"]) for m in mailbox.messages] == ["Nina <nina@example.com>"]
    invitations = _invitations(session)
    assert invitations["masha@example.com"].send_at == utc(9, 6)  # 09:00 Moscow (UTC+3)
    assert invitations["vlad@example.com"].send_at == utc(8, 23)
    assert invitations["masha@example.com"].attempts == 1  # a deferral is not a failed attempt


def test_the_end_of_quiet_hours_follows_daylight_saving_in_the_customers_zone(
    session, mailbox, delivery, queued
):
    # Nina's invitation comes due at 04:00 UTC on 9 March: 23:00 EST on the night US clocks
    # spring forward, so 09:00 next morning is EDT (UTC−4), not EST.
    nina = _invitations(session)["nina@example.com"]
    nina.send_at = None
    session.commit()
    report = send_due(session=session, delivery=delivery, now=utc(9, 4))
    assert report.deferred == 2 and not mailbox.to("nina@example.com")  # and Masha (07:00)
    assert _invitations(session)["nina@example.com"].send_at == utc(9, 13)  # not 14:00


def test_quiet_hours_changed_after_queueing_apply_at_send_time(session, mailbox, delivery,
                                                               queued):  # fmt: skip
    # Queued by day; then the survey's quiet hours are widened to 17:00–10:00.
    save_survey_policy(session=session, survey=queued,
                       data={"quiet_start": "17:00", "quiet_end": "10:00"})  # fmt: skip
    session.commit()
    report = send_due(session=session, delivery=delivery, now=utc(8, 15))  # 18:00 Moscow
    assert report.sent == 1 and [str(m["To"]) for m in mailbox.messages] == [
        "Nina <nina@example.com>"
    ]
    assert _invitations(session)["masha@example.com"].send_at == utc(9, 7)  # 10:00 Moscow
