"""Sending invitations and their one reminder by email (run by the worker, see otklik.jobs).

:func:`send_due` claims due invitations one by one (``pending`` → ``sending`` with a
conditional UPDATE, so two workers never send the same one) — except those that came due
in the customer's quiet hours, which move to the hours' end — sends them over one SMTP
connection, then records ``sent`` / ``bounced``; a server failure puts them back in the
queue (``failed`` after :data:`MAX_ATTEMPTS`). No database lock is held while talking to
the mail server. The reminder goes once, ``reminder_days`` after the invitation (setting
``OTKLIK_REMINDER_DAYS``, or ``Survey.settings["reminder_days"]``; 0 = none), only if the
customer has not answered, has not unsubscribed, and it is not quiet hours for them.

Every message is RU or EN (the invitation's language), text + HTML with everything
escaped, and carries the personal link, a link to see and erase one's answers, and an
unsubscribe link (also as ``List-Unsubscribe`` with one-click POST, RFC 8058).
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from otklik.config import Settings
from otklik.listen.erasure import my_data_url
from otklik.listen.fatigue import FatiguePolicy, quiet_until, survey_policy
from otklik.listen.invitations import unsubscribe_url
from otklik.listen.links import personal_url
from otklik.listen.mailer import Bounced, Mailer, MailError
from otklik.listen.models import Customer, Invitation, Survey
from otklik.listen.surveys import live_definition
from otklik.store import utcnow, write_lock

MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=15)
TEXTS = {
    "ru": {
        "subject": "{title}: расскажите, как всё прошло",
        "reminder_subject": "Напоминание: {title}",
        "greeting": "Здравствуйте, {name}!",
        "greeting_anon": "Здравствуйте!",
        "body": "Ответьте, пожалуйста, на несколько вопросов «{title}» — это займёт пару "
        "минут и поможет нам стать лучше.",
        "reminder_body": "Недавно мы просили вас ответить на несколько вопросов «{title}». "
        "Если найдётся пара минут, будем благодарны. Это последнее напоминание.",
        "button": "Ответить на вопросы",
        "notice": "Ответы используются только для улучшения обслуживания. Ссылка личная — "
        "не пересылайте это письмо.",
        "my_data": "Мои ответы: посмотреть и удалить",
        "unsubscribe": "Отписаться от опросов",
    },
    "en": {
        "subject": "{title}: tell us how it went",
        "reminder_subject": "Reminder: {title}",
        "greeting": "Hello {name},",
        "greeting_anon": "Hello,",
        "body": "Please answer a few questions of “{title}” — it takes a couple of minutes "
        "and helps us improve.",
        "reminder_body": "We recently asked you to answer a few questions of “{title}”. If "
        "you have a couple of minutes, we would be grateful. This is the only reminder.",
        "button": "Answer the questions",
        "notice": "Your answers are used only to improve our service. The link is personal — "
        "please do not forward this email.",
        "my_data": "My answers: see and erase them",
        "unsubscribe": "Unsubscribe from surveys",
    },
}
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998)
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "mail_templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Delivery:
    """What sending needs: the mail sender, the public URL and the signing secret."""

    mailer: Mailer
    base_url: str
    secret: str
    reminder_days: int = 3

    @classmethod
    def from_settings(cls, settings: Settings, mailer: Mailer | None = None) -> Delivery:
        return cls(
            mailer=mailer or Mailer.from_settings(settings),
            base_url=settings.base_url,
            secret=settings.resolved_secret_key(),
            reminder_days=settings.reminder_days,
        )


@dataclass
class SendReport:
    sent: int = 0
    reminded: int = 0
    bounced: int = 0
    retry: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0  # came due during the customer's quiet hours: held until they end
    errors: list[str] = field(default_factory=list)


def build_message(
    *,
    to: str,
    name: str | None,
    lang: str,
    title: str,
    survey_url: str,
    my_data: str,
    unsubscribe: str,
    mail_from: str,
    reminder: bool = False,
) -> EmailMessage:
    """The invitation (or reminder) email in ``lang``: plain text + HTML, escaped."""
    texts = TEXTS.get(lang, TEXTS["ru"])
    m = {
        "greeting": texts["greeting"].format(name=name) if name else texts["greeting_anon"],
        "body": texts["reminder_body" if reminder else "body"].format(title=title),
        **{k: texts[k] for k in ("button", "notice", "my_data", "unsubscribe")},
    }
    subject = texts["reminder_subject" if reminder else "subject"].format(title=title)
    ctx = {"m": m, "lang": lang, "subject": subject, "survey_url": survey_url,
           "my_data_url": my_data, "unsubscribe_url": unsubscribe}  # fmt: skip
    # Long unbroken header values (the unsubscribe URL) must not be folded into encoded
    # words, or mail clients cannot read List-Unsubscribe: allow RFC 5322's 998 characters.
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = subject.replace("\n", " ")
    msg["From"] = mail_from
    msg["To"] = Address(display_name=" ".join((name or "").split()), addr_spec=to)
    msg["Message-ID"] = make_msgid(domain=mail_from.rsplit("@", 1)[-1] or None)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = lang
    msg.set_content(_env.get_template("invitation.txt").render(ctx))
    msg.add_alternative(_env.get_template("invitation.html").render(ctx), subtype="html")
    return msg


def _survey_title(session: Session, survey: Survey, lang: str) -> str | None:
    live = live_definition(session=session, survey=survey)
    if live is None:
        return None
    return ((live[1].get("title") or {}).get(lang) or survey.title).strip()


def _message(session: Session, delivery: Delivery, inv: Invitation, reminder: bool):
    """(message, None) or (None, suppression reason)."""
    customer = session.get(Customer, inv.customer_id) if inv.customer_id else None
    survey = session.get(Survey, inv.survey_id)
    if customer is None or customer.unsubscribed_at is not None:
        return None, "unsubscribed"
    if not customer.email:
        return None, "no_address"
    lang = inv.language or customer.language or "ru"
    title = _survey_title(session, survey, lang)
    if title is None:
        return None, "survey_closed"
    base, secret = delivery.base_url, delivery.secret
    msg = build_message(
        to=customer.email, name=customer.name, lang=lang, title=title, reminder=reminder,
        survey_url=personal_url(session=session, invitation=inv, secret=secret, base_url=base,
                                lang=lang),
        my_data=my_data_url(base_url=base, secret=secret, customer_id=customer.id, lang=lang),
        unsubscribe=unsubscribe_url(base_url=base, secret=secret, customer_id=customer.id,
                                    lang=lang),
        mail_from=delivery.mailer.mail_from,
    )  # fmt: skip
    return msg, None


def _claim(session: Session, ids: list[int], now: datetime) -> list[int]:
    claimed = []
    with write_lock(session.get_bind()):
        # A worker that died mid-send leaves "sending" rows: put them back after a while.
        session.execute(
            update(Invitation)
            .where(Invitation.status == "sending", Invitation.sent_at < now - STALE_CLAIM)
            .values(status="pending", sent_at=None)
        )
        for i in ids:
            done = session.execute(
                update(Invitation)
                .where(Invitation.id == i, Invitation.status == "pending")
                .values(status="sending", sent_at=now)
            )
            if done.rowcount:
                claimed.append(i)
        session.commit()
    return claimed


def send_due(
    *, session: Session, delivery: Delivery, now: datetime | None = None, limit: int = 500
) -> SendReport:
    """Send due invitations, then due reminders. Safe to run concurrently and repeatedly.

    Quiet hours are checked again here, in each customer's zone, with the policy of today:
    an invitation queued in the afternoon may come due at night (a worker that was down,
    a retry after a mail-server failure, a zone or policy changed since). Such an
    invitation is deferred to the end of the quiet hours, not sent and not dropped.
    """
    now = now or utcnow()
    report = SendReport()
    rows = session.execute(
        select(Invitation.id, Invitation.survey_id, Customer.timezone)
        .outerjoin(Customer, Customer.id == Invitation.customer_id)
        .where(
            Invitation.status == "pending",
            Invitation.channel == "email",
            or_(Invitation.send_at.is_(None), Invitation.send_at <= now),
        )
        .order_by(Invitation.id)
        .limit(limit)
    ).all()
    ids, wake_at = _outside_quiet_hours(session, rows, now)
    session.commit()
    if wake_at:
        report.deferred = _defer(session, wake_at, now)
    claimed = _claim(session, ids, now) if ids else []
    if claimed:
        _send_batch(session, delivery, claimed, now, report, reminder=False)
    _send_reminders(session, delivery, now, limit, report)
    return report


def _outside_quiet_hours(
    session: Session, rows: list, now: datetime
) -> tuple[list[int], dict[int, datetime]]:
    """Split due invitations into those to send now and those to hold until ``wake_at``."""
    policies: dict[int, FatiguePolicy] = {}
    send: list[int] = []
    wake_at: dict[int, datetime] = {}
    for invitation_id, survey_id, tz in rows:
        policy = policies.get(survey_id)
        if policy is None:
            survey = session.get(Survey, survey_id)
            policy = policies[survey_id] = survey_policy(session=session, survey=survey)
        wake = quiet_until(policy, now, tz)
        if wake is None:
            send.append(invitation_id)
        else:
            wake_at[invitation_id] = wake
    return send, wake_at


def _defer(session: Session, wake_at: dict[int, datetime], now: datetime) -> int:
    """Move still-due pending invitations to the end of the customer's quiet hours."""
    deferred = 0
    with write_lock(session.get_bind()):
        for invitation_id, wake in wake_at.items():
            deferred += session.execute(
                update(Invitation)
                .where(Invitation.id == invitation_id, Invitation.status == "pending",
                       or_(Invitation.send_at.is_(None), Invitation.send_at <= now))
                .values(send_at=wake)
            ).rowcount  # fmt: skip
        session.commit()
    return deferred


def _send_batch(
    session: Session, delivery: Delivery, ids: list[int], now: datetime, report: SendReport,
    *, reminder: bool,
) -> None:  # fmt: skip
    outcome: dict[int, tuple[str, str | None]] = {}
    messages = []
    for i in ids:
        inv = session.get(Invitation, i)
        msg, reason = _message(session, delivery, inv, reminder)
        if msg is None:
            outcome[i] = ("suppressed", reason)
        else:
            messages.append((i, msg))
    session.commit()
    pending = [i for i, _ in messages]
    try:
        with delivery.mailer.session() as conn:
            for i, msg in messages:
                try:
                    conn.send(msg)
                    outcome[i] = ("sent", None)
                except Bounced as exc:
                    outcome[i] = ("bounced", str(exc)[:300])
                pending.remove(i)
    except MailError as exc:
        report.errors.append(str(exc))
        for i in pending:
            outcome[i] = ("retry", str(exc)[:300])
    _record(session, outcome, now, report, reminder=reminder)


def _record(
    session: Session, outcome: dict[int, tuple[str, str | None]], now: datetime,
    report: SendReport, *, reminder: bool,
) -> None:  # fmt: skip
    with write_lock(session.get_bind()):
        for i, (result, detail) in outcome.items():
            inv = session.get(Invitation, i)
            if result == "sent":
                if reminder:
                    report.reminded += 1
                else:
                    inv.status, inv.sent_at = "sent", now
                    report.sent += 1
            elif result == "bounced":
                inv.status, inv.last_error = "bounced", detail
                report.bounced += 1
            elif result == "suppressed":
                if inv.status in ("sending", "pending"):
                    inv.status, inv.suppression_reason, inv.sent_at = "suppressed", detail, None
                report.suppressed += 1
            elif reminder:  # retry the reminder on the next run
                inv.reminded_at, inv.last_error = None, detail
                report.retry += 1
            else:
                inv.attempts = (inv.attempts or 0) + 1
                inv.last_error = detail
                inv.sent_at = None
                inv.status = "failed" if inv.attempts >= MAX_ATTEMPTS else "pending"
                report.failed += inv.status == "failed"
                report.retry += inv.status == "pending"
        session.commit()


def _reminder_days(survey: Survey, default: int) -> int:
    value = (survey.settings or {}).get("reminder_days")
    return value if isinstance(value, int) and 0 <= value <= 60 else default


def _send_reminders(
    session: Session, delivery: Delivery, now: datetime, limit: int, report: SendReport
) -> None:
    waiting = and_(
        Invitation.status == "sent",
        Invitation.channel == "email",
        Invitation.reminded_at.is_(None),
        Invitation.responded_at.is_(None),
    )
    survey_ids = list(session.scalars(select(Invitation.survey_id).where(waiting).distinct()))
    due: list[int] = []
    for sid in survey_ids:
        survey = session.get(Survey, sid)
        days = _reminder_days(survey, delivery.reminder_days)
        if not days:
            continue
        policy = survey_policy(session=session, survey=survey)
        rows = session.execute(
            select(Invitation.id, Customer.timezone)
            .join(Customer, Customer.id == Invitation.customer_id)
            .where(waiting, Invitation.survey_id == sid,
                   Invitation.sent_at <= now - timedelta(days=days),
                   Customer.unsubscribed_at.is_(None))
            .order_by(Invitation.id)
            .limit(limit - len(due))
        )  # fmt: skip
        due += [i for i, tz in rows if quiet_until(policy, now, tz) is None]
        if len(due) >= limit:
            break
    session.commit()
    if not due:
        return
    claimed = []
    with write_lock(session.get_bind()):
        for i in due:
            done = session.execute(
                update(Invitation)
                .where(Invitation.id == i, Invitation.reminded_at.is_(None),
                       Invitation.responded_at.is_(None), Invitation.status == "sent")
                .values(reminded_at=now)
            )  # fmt: skip
            if done.rowcount:
                claimed.append(i)
        session.commit()
    if claimed:
        _send_batch(session, delivery, claimed, now, report, reminder=True)
