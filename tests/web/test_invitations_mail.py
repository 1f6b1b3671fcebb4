"""Email invitations end to end: a real SMTP server (aiosmtpd) receives the mail, the test
follows its links (answer, see and erase my answers, unsubscribe) through the real app."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from public_pages import publish, submit
from sqlalchemy import func, select

from otklik.jobs import create_jobs
from otklik.listen.contacts import invite_contacts
from otklik.listen.delivery import Delivery, send_due
from otklik.listen.erasure import Erasure
from otklik.listen.fatigue import save_global_policy
from otklik.listen.models import Customer, Invitation, Response
from otklik.store import utcnow
from otklik.understand.engine.models import AnalyticsChange
from smtp_mailbox import html_part, links, running_mailbox, text_part

CONTACTS = (
    "email,name,language,external_id\n"
    "anna@example.com,Анна <script>x</script>,ru,crm-1\n"
    "bob@example.com,Bob,en,crm-2\n"
    "bounce-me@example.com,Nobody,en,crm-3\n"
)


@pytest.fixture
def mailbox():
    with running_mailbox() as box:
        yield box


@pytest.fixture
def delivery(settings, mailbox) -> Delivery:
    return Delivery.from_settings(settings, mailbox.mailer())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def noon(days_ago: int = 0):
    """12:00 in Moscow (09:00 UTC): outside the default quiet hours."""
    return utcnow().replace(hour=9, minute=0) - timedelta(days=days_ago)


def invite_all(session, at=None):
    survey = publish(session)
    report = invite_contacts(session=session, survey=survey, data=CONTACTS, now=at or noon(1))
    assert report.queued == 3, report.summary_line()
    return survey


def test_invitation_mail_is_sent_and_answered_through_its_link(client, session, mailbox, delivery):
    invite_all(session)
    report = send_due(session=session, delivery=delivery, now=noon())
    assert (report.sent, report.bounced) == (2, 1)
    [anna] = mailbox.to("anna@example.com")
    assert anna["Subject"].startswith("Ваше мнение")
    assert anna["List-Unsubscribe"].startswith("<http") and anna["List-Unsubscribe-Post"]
    assert "<script>" not in html_part(anna) and "&lt;script&gt;" in html_part(anna)
    [bob] = mailbox.to("bob@example.com")
    assert "Your opinion" in bob["Subject"] and "Answer the questions" in text_part(bob)
    bounced = session.scalar(select(Invitation).where(Invitation.status == "bounced"))
    assert "550" in bounced.last_error

    page = client.get(path_of(links(anna)["survey"]))
    assert page.status_code == 200 and 'lang="ru"' in page.text
    done = submit(client, page.text, nps="9", comment="Всё отлично")
    assert done.status_code == 200
    session.expire_all()
    inv = session.scalar(
        select(Invitation).join(Customer).where(Customer.email == "anna@example.com")
    )
    response = session.scalar(select(Response).where(Response.invitation_id == inv.id))
    assert inv.status == "responded" and inv.opened_at is not None
    assert response.nps == 9 and response.customer_id == inv.customer_id
    assert "started_at" in response.attributes


def test_one_reminder_goes_to_those_who_did_not_answer(client, session, mailbox, delivery):
    invite_all(session, at=noon(4))
    send_due(session=session, delivery=delivery, now=noon(4))
    [anna] = mailbox.to("anna@example.com")
    page = client.get(path_of(links(anna)["survey"]))
    submit(client, page.text, nps="10")
    before = len(mailbox.messages)
    first = send_due(session=session, delivery=delivery, now=noon())
    second = send_due(session=session, delivery=delivery, now=noon() + timedelta(days=3))
    assert (first.reminded, second.reminded) == (1, 0)
    [reminder] = mailbox.messages[before:]
    assert "bob@example.com" in reminder["To"] and reminder["Subject"].startswith("Reminder")
    assert len(mailbox.to("anna@example.com")) == 1


def test_no_reminder_within_the_configured_days(session, mailbox, delivery):
    invite_all(session, at=noon(2))
    send_due(session=session, delivery=delivery, now=noon(2))
    assert send_due(session=session, delivery=delivery, now=noon()).reminded == 0


def test_unsubscribe_link_is_honoured(client, session, mailbox, delivery):
    survey = invite_all(session)
    send_due(session=session, delivery=delivery, now=noon())
    [bob] = mailbox.to("bob@example.com")
    url = path_of(links(bob)["unsubscribe"])
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.text
    session.expire_all()
    assert (
        session.scalar(select(Customer.unsubscribed_at).where(Customer.email == "bob@example.com"))
        is None
    )
    assert client.post(url).status_code == 200
    session.expire_all()
    assert session.scalar(
        select(Customer.unsubscribed_at).where(Customer.email == "bob@example.com")
    )
    # A later invitation to bob is suppressed with the reason, and no mail goes out.
    again = invite_contacts(
        session=session, survey=survey, data="email,name\nbob@example.com,Bob\n",
        now=utcnow() + timedelta(days=200),
    )  # fmt: skip
    assert again.suppressed == {"unsubscribed": 1}
    assert client.get(url.replace(url.split("/")[2][:6], "AAAAAA")).status_code == 400


def test_one_click_unsubscribe_post_withdraws_queued_mail(client, session, mailbox, delivery):
    invite_all(session)
    send_due(session=session, delivery=delivery, now=noon())
    [anna] = mailbox.to("anna@example.com")
    target = anna["List-Unsubscribe"].strip("<>")
    answer = client.post(path_of(target), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200


def test_my_data_link_shows_answers_and_erases_them(client, session, mailbox, delivery):
    invite_all(session)
    send_due(session=session, delivery=delivery, now=noon())
    [anna] = mailbox.to("anna@example.com")
    page = client.get(path_of(links(anna)["survey"]))
    more = submit(client, page.text, nps="3")  # a low score reveals the follow-up
    submit(client, more.text, nps="3", why_low="Долго <b>ждала</b>")
    mine = client.get(path_of(links(anna)["my_data"]))
    assert mine.status_code == 200
    assert "Долго &lt;b&gt;ждала&lt;/b&gt;" in mine.text and "<b>ждала" not in mine.text
    token = mine.text.split('name="ft" value="')[1].split('"')[0]
    action = mine.text.split('<form method="post" action="')[1].split('"')[0]
    # Without the page's signed form token nothing is erased.
    assert client.post(action.replace("&amp;", "&"), data={"ft": "forged"}).status_code == 400
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    erased = client.post(action.replace("&amp;", "&"), data={"ft": token})
    assert erased.status_code == 200
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    record = session.scalar(select(Erasure))
    assert record.responses == 1 and len(record.response_ids) == 1
    changed = session.scalars(select(AnalyticsChange.response_id)).all()
    assert record.response_ids[0] in changed  # the analytics mirror will drop it
    again = client.get(path_of(links(anna)["my_data"]))
    assert "Ваших ответов у нас нет" in again.text


def test_forged_my_data_link_gets_a_clear_page(client):
    page = client.get("/my-data/not-a-token")
    assert page.status_code == 400 and "<h1>" in page.text


def test_quiet_hours_hold_mail_until_morning_in_the_customers_zone(session, mailbox, delivery):
    survey = publish(session)
    data = "email,name,timezone\nvlad@example.com,Влад,Asia/Vladivostok\n"
    # 14:00 UTC = 00:00 in Vladivostok: quiet until 09:00 there = 23:00 UTC.
    at = utcnow().replace(hour=14, minute=0, second=0, microsecond=0)
    assert invite_contacts(session=session, survey=survey, data=data, now=at).queued == 1
    inv = session.scalar(select(Invitation))
    assert inv.send_at == at.replace(hour=23)
    assert send_due(session=session, delivery=delivery, now=at + timedelta(hours=8)).sent == 0
    assert send_due(session=session, delivery=delivery, now=at + timedelta(hours=9)).sent == 1


def test_worker_task_sends_through_huey_immediate_mode(settings, session, mailbox):
    # The task sends at the real time of day: without this, between 21:00 and 09:00
    # Moscow time (the default zone) quiet hours would hold every mail back.
    save_global_policy(session=session, data={"quiet_start": "00:00", "quiet_end": "00:00"})
    invite_all(session, at=utcnow() - timedelta(days=1, hours=12))
    jobs = create_jobs(settings, mailer=mailbox.mailer(), immediate=True)
    try:
        counts = jobs.deliver().get()
    finally:
        jobs.close()
    assert (counts["sent"], counts["bounced"]) == (2, 1)
    assert len(mailbox.messages) == 2


def test_mail_server_down_keeps_invitations_queued(settings, session):
    from otklik.listen.mailer import Mailer

    invite_all(session)
    dead = Delivery.from_settings(settings, Mailer(host="127.0.0.1", port=9, mail_from="x@y.z"))
    report = send_due(session=session, delivery=dead, now=noon())
    assert report.sent == 0 and report.errors
    session.expire_all()
    statuses = session.scalars(select(Invitation.status)).all()
    assert statuses == ["pending"] * 3
    assert all(a == 1 for a in session.scalars(select(Invitation.attempts)))
