"""Invitations: ask a customer to answer a survey — from a CSV of contacts, the trigger API,
or the demo — subject to the contact-fatigue rules; unsubscribe; counts by status/reason.

Creating an invitation never sends mail: it decides (:func:`otklik.listen.fatigue.decide`)
and stores the outcome — ``pending`` with an optional ``send_at`` (quiet hours), or
``suppressed`` with the rule's name, or ``sent`` for the ``link`` channel, where the caller
(a CRM, a call centre) delivers the personal link itself. Sending is a job
(:mod:`otklik.listen.delivery`, run by the worker).

Statuses: ``pending`` (shown as *queued*) → ``sending`` → ``sent`` → ``responded``; or
``bounced`` (the server refused the address), ``failed`` (gave up after retries),
``suppressed`` (with ``suppression_reason``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from otklik.errors import Conflict, NotFound, OtklikError, ValidationFailed
from otklik.listen.fatigue import (
    Decision,
    FatiguePolicy,
    Recipient,
    decide,
    load_histories,
    record,
    survey_policy,
)
from otklik.listen.links import ensure_nonce, personal_url
from otklik.listen.models import Customer, Invitation, Survey, Touchpoint
from otklik.listen.surveys import live_definition
from otklik.store import utcnow, write_lock

UNSUBSCRIBE_SALT = "otklik.unsubscribe"
LANGS = ("ru", "en")
CHANNELS = ("email", "link")
PUBLIC_STATUS = {"pending": "queued", "sending": "queued"}


def public_status(status: str) -> str:
    """The status as the API and UI say it (``pending`` → ``queued``)."""
    return PUBLIC_STATUS.get(status, status)


# ---- customers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """One person to invite (a CSV row, or the trigger API's customer)."""

    email: str | None = None
    name: str | None = None
    language: str | None = None
    external_id: str | None = None
    timezone: str | None = None


def find_or_create_customer(*, session: Session, contact: Contact) -> Customer:
    """By external_id, else by email (lower case); new customers get the contact's details.

    An existing customer keeps their data, except that a missing email, name, language
    or time zone is filled in from the contact.
    """
    customer = None
    if contact.external_id:
        customer = session.scalar(
            select(Customer).where(Customer.external_id == contact.external_id)
        )
    if customer is None and contact.email:
        customer = session.scalar(
            select(Customer).where(Customer.email == contact.email.lower()).order_by(Customer.id)
        )
        if customer is not None and contact.external_id and customer.external_id:
            customer = None  # another person who shares the address: keep them apart
    if customer is None:
        customer = Customer(
            external_id=contact.external_id,
            email=contact.email.lower() if contact.email else None,
            name=contact.name,
            language=contact.language,
            timezone=contact.timezone,
            attributes={},
        )
        session.add(customer)
        session.flush()
        return customer
    for name in ("email", "name", "language", "timezone"):
        value = getattr(contact, name)
        if value and not getattr(customer, name):
            setattr(customer, name, value.lower() if name == "email" else value)
    return customer


# ---- creating invitations ----------------------------------------------------------------


def _recipient(customer: Customer) -> Recipient:
    return Recipient(
        customer_id=customer.id,
        timezone=customer.timezone,
        unsubscribed=customer.unsubscribed_at is not None,
        consent=customer.contact_consent,
        has_email=bool(customer.email),
    )


def invite_customers(
    *,
    session: Session,
    survey: Survey,
    customers: list[Customer],
    channel: str = "email",
    now: datetime | None = None,
    send_at: datetime | None = None,
    language: str | None = None,
    touchpoint_id: int | None = None,
    policy: FatiguePolicy | None = None,
    languages: dict[int, str] | None = None,
) -> list[tuple[Invitation, Decision]]:
    """One invitation per customer, each decided by the fatigue rules (flushes, no commit).

    ``send_at`` (a future time) asks the rules about that moment instead of now.
    """
    if channel not in CHANNELS:
        raise ValidationFailed(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
    if live_definition(session=session, survey=survey) is None:
        raise ValidationFailed(
            f"survey '{survey.slug}' is not published; publish it before inviting", field="survey"
        )
    now = now or utcnow()
    at = max(send_at, now) if send_at is not None else now
    policy = policy or survey_policy(session=session, survey=survey)
    histories = load_histories(
        session=session, customer_ids=[c.id for c in customers], now=at, policy=policy
    )
    out = []
    for customer in customers:
        history = histories[customer.id]
        decision = decide(policy, history, at, _recipient(customer), survey_id=survey.id,
                          channel=channel)  # fmt: skip
        record(history, decision, at)
        lang = (languages or {}).get(customer.id) or language or customer.language
        invitation = Invitation(
            survey_id=survey.id,
            customer_id=customer.id,
            touchpoint_id=touchpoint_id or survey.touchpoint_id,
            channel=channel,
            language=lang if lang in LANGS else "ru",
            created_at=now,
            attempts=0,
        )
        if decision.action == "suppress":
            invitation.status = "suppressed"
            invitation.suppression_reason = decision.reason
        elif channel == "link":
            # The caller delivers the link; it counts as sent (delivered) from send_at.
            invitation.status = "sent"
            invitation.sent_at = decision.send_at or at
            invitation.send_at = decision.send_at or (
                send_at if send_at and send_at > now else None
            )
        else:
            invitation.status = "pending"
            invitation.send_at = decision.send_at or (
                send_at if send_at and send_at > now else None
            )
        session.add(invitation)
        out.append((invitation, decision))
    session.flush()
    for invitation, decision in out:
        if decision.action != "suppress":
            ensure_nonce(session=session, invitation=invitation)
    return out


# ---- the trigger API ---------------------------------------------------------------------


def survey_for(*, session: Session, survey_slug: str | None, touchpoint_code: str | None) -> Survey:
    """The survey named, or the published survey attached to the touchpoint."""
    if survey_slug:
        survey = session.scalar(select(Survey).where(Survey.slug == survey_slug))
        if survey is None:
            raise ValidationFailed(f"unknown survey '{survey_slug}'", field="survey")
        return survey
    if not touchpoint_code:
        raise ValidationFailed("give a survey or a touchpoint", field="touchpoint")
    tp = session.scalar(select(Touchpoint).where(Touchpoint.code == touchpoint_code))
    if tp is None:
        raise ValidationFailed(f"unknown touchpoint '{touchpoint_code}'", field="touchpoint")
    survey = session.scalar(
        select(Survey)
        .where(Survey.touchpoint_id == tp.id, Survey.status == "published")
        .order_by(Survey.id)
        .limit(1)
    )
    if survey is None:
        raise ValidationFailed(
            f"touchpoint '{touchpoint_code}' has no published survey", field="touchpoint"
        )
    return survey


@dataclass(frozen=True)
class Trigger:
    """One call of the trigger API: "customer X just passed touchpoint Y"."""

    contact: Contact
    survey: str | None = None
    touchpoint: str | None = None
    channel: str = "email"
    send_at: datetime | None = None
    language: str | None = None
    event_id: str | None = None

    def fingerprint(self) -> str:
        """What a retry must repeat: the body, with the email's case and send_at's zone aside."""
        doc = asdict(self)
        if self.contact.email:
            doc["contact"]["email"] = self.contact.email.lower()
        if self.send_at is not None:
            doc["send_at"] = self.send_at.astimezone(UTC).isoformat()
        return hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()


def trigger_invitation(
    *,
    session: Session,
    trigger: Trigger,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, bool]:
    """Invite the customer (fatigue rules apply) once per retry key; commits.

    Returns ``(invitation, created)``. A retry with the same ``idempotency_key`` or
    ``event_id`` and the same body returns the stored invitation (``created`` False, nothing
    new is queued); the same key with another body is a :class:`Conflict`. Concurrent
    retries race on the keys' unique indexes: one insert wins, the others roll back
    (PostgreSQL makes them wait for the winner's commit) and return the winner's row.
    """
    if trigger.contact.external_id is None and trigger.contact.email is None:
        raise ValidationFailed("customer needs external_id or email", field="customer")
    keyed = idempotency_key is not None or trigger.event_id is not None
    digest = trigger.fingerprint() if keyed else None
    for _attempt in range(3):
        with write_lock(session.get_bind()):
            try:
                if keyed:
                    repeated = _repeated(session, idempotency_key, trigger.event_id, digest)
                    if repeated is not None:
                        session.commit()
                        return repeated, False
                invitation = _invite_once(session, trigger, now)
                if keyed:
                    invitation.idempotency_key = idempotency_key
                    invitation.event_id = trigger.event_id
                    invitation.request_hash = digest
                    session.flush()
                session.commit()
                return invitation, True
            except IntegrityError:
                # Lost a race: a concurrent retry stored the key (or a new customer) first.
                session.rollback()
            except BaseException:
                session.rollback()
                raise
    raise Conflict("the invitation could not be stored because of concurrent changes; retry")


def _invite_once(session: Session, trigger: Trigger, now: datetime | None) -> Invitation:
    survey = survey_for(session=session, survey_slug=trigger.survey,
                        touchpoint_code=trigger.touchpoint)  # fmt: skip
    touchpoint_id = None
    if trigger.touchpoint:
        touchpoint_id = session.scalar(
            select(Touchpoint.id).where(Touchpoint.code == trigger.touchpoint)
        )
    customer = find_or_create_customer(session=session, contact=trigger.contact)
    [(invitation, _)] = invite_customers(
        session=session, survey=survey, customers=[customer], channel=trigger.channel, now=now,
        send_at=trigger.send_at, language=trigger.language or trigger.contact.language,
        touchpoint_id=touchpoint_id,
    )  # fmt: skip
    return invitation


def _repeated(
    session: Session, key: str | None, event_id: str | None, digest: str | None
) -> Invitation | None:
    """The stored invitation this call repeats; None if new; Conflict if the body differs."""
    for column, value, label in (
        (Invitation.idempotency_key, key, "Idempotency-Key"),
        (Invitation.event_id, event_id, "event_id"),
    ):
        if value is None:
            continue
        found = session.scalar(select(Invitation).where(column == value))
        if found is None:
            continue
        if found.request_hash != digest:
            raise Conflict(
                f"{label} {value!r} was already used for invitation {found.id} with a "
                "different body; send a new key for a new invitation, or the same body to retry"
            )
        return found
    return None


def invitation_url(
    *, session: Session, invitation: Invitation, secret: str, base_url: str
) -> str | None:
    """The personal link of a non-suppressed invitation (None when suppressed)."""
    if invitation.status == "suppressed":
        return None
    return personal_url(session=session, invitation=invitation, secret=secret, base_url=base_url,
                        lang=invitation.language)  # fmt: skip


def get_invitation(*, session: Session, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(f"invitation {invitation_id} does not exist")
    return invitation


# ---- unsubscribe -------------------------------------------------------------------------


class UnsubscribeLinkInvalid(OtklikError):
    """The unsubscribe link was altered."""


def unsubscribe_token(*, secret: str, customer_id: int) -> str:
    """Never expires: an old email's unsubscribe link must keep working."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps(customer_id)


def unsubscribe_url(*, base_url: str, secret: str, customer_id: int, lang: str | None) -> str:
    token = unsubscribe_token(secret=secret, customer_id=customer_id)
    return f"{base_url.rstrip('/')}/unsubscribe/{token}" + (f"?lang={lang}" if lang else "")


def read_unsubscribe_token(*, secret: str, token: str) -> int:
    try:
        value = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token[:400])
    except BadSignature:
        raise UnsubscribeLinkInvalid("this unsubscribe link is not valid") from None
    if not isinstance(value, int):
        raise UnsubscribeLinkInvalid("this unsubscribe link is not valid")
    return value


def unsubscribe(*, session: Session, customer_id: int, now: datetime | None = None) -> bool:
    """Mark the customer unsubscribed and withdraw their queued invitations; commits.

    Returns False when the customer is unknown. Idempotent (keeps the first time).
    """
    at = now or utcnow()
    with write_lock(session.get_bind()):
        found = session.execute(
            update(Customer)
            .where(Customer.id == customer_id, Customer.unsubscribed_at.is_(None))
            .values(unsubscribed_at=at)
        ).rowcount
        exists = found or session.get(Customer, customer_id) is not None
        session.execute(
            update(Invitation)
            .where(Invitation.customer_id == customer_id, Invitation.status == "pending")
            .values(status="suppressed", suppression_reason="unsubscribed")
        )
        session.commit()
    return bool(exists)


# ---- counts ------------------------------------------------------------------------------


def mark_opened(*, session: Session, invitation_id: int, now: datetime | None = None) -> None:
    """Record the first view of the survey page through a personal link (commits)."""
    with write_lock(session.get_bind()):
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.opened_at.is_(None))
            .values(opened_at=now or utcnow())
        )
        session.commit()


def status_counts(*, session: Session, survey_id: int | None = None) -> dict[str, int]:
    """Invitations by public status (queued, sent, responded, bounced, failed, suppressed)."""
    query = select(Invitation.status, func.count()).group_by(Invitation.status)
    if survey_id is not None:
        query = query.where(Invitation.survey_id == survey_id)
    out: Counter = Counter()
    for status, n in session.execute(query):
        out[public_status(status)] += n
    return dict(out)


def suppression_counts(*, session: Session, survey_id: int | None = None) -> dict[str, int]:
    """Suppressed invitations by the rule that stopped them, most frequent first."""
    query = (
        select(Invitation.suppression_reason, func.count())
        .where(Invitation.status == "suppressed")
        .group_by(Invitation.suppression_reason)
    )
    if survey_id is not None:
        query = query.where(Invitation.survey_id == survey_id)
    rows = [(reason or "unknown", n) for reason, n in session.execute(query)]
    return dict(sorted(rows, key=lambda kv: (-kv[1], kv[0])))


def recent_invitations(
    *, session: Session, survey_id: int, limit: int = 50
) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Invitation, Customer.email, Customer.name)
        .join(Customer, Customer.id == Invitation.customer_id, isouter=True)
        .where(Invitation.survey_id == survey_id)
        .order_by(Invitation.id.desc())
        .limit(limit)
    ).all()
    return [
        {"invitation": inv, "status": public_status(inv.status), "email": email, "name": name}
        for inv, email, name in rows
    ]
