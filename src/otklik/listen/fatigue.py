"""Contact-fatigue rules: whether to ask a customer now, later (quiet hours), or not at all.

The rules are a pure function, :func:`decide`, of a :class:`FatiguePolicy`, the customer's
recent :class:`History` (loaded in bulk by :func:`load_histories`), the time and the
customer — so each rule is testable with a fixed clock and no database. Every "no" names
the rule that said it (``Decision.reason``); the invitation stores it as its
``suppression_reason`` and the UI counts invitations by reason.

Order of the rules (the first that applies wins):

1. ``unsubscribed`` — the customer unsubscribed (never overridden);
2. ``no_consent`` — consent was refused (or unknown, when the policy requires it);
3. ``no_address`` — an email invitation for a customer without an email address;
4. ``sampled_out`` — outside the survey's sample: a deterministic hash of survey, customer
   and calendar quarter, so the same customer is in or out for the whole quarter, on
   every server, and a re-run gives the same answer;
5. ``recent_response`` — answered any survey within ``resurvey_after_response_days``;
6. ``recent_invitation`` — invited (any survey) within ``min_days_between``;
7. ``recent_no_answer`` — did not answer an invitation sent within
   ``resurvey_after_no_answer_days`` (matters when it is longer than the previous rule);
8. ``quarterly_cap`` — already ``quarterly_cap`` invitations this calendar quarter;
9. quiet hours — not a "no" but a delay: ``send_at`` is the end of the quiet hours in
   the customer's time zone (the policy's default zone when the customer has none).
   Sending checks them again (:func:`quiet_until`), since an invitation queued by day
   may come due at night.

The global policy is stored in the database (``contact_policy``, editable in the UI);
a survey may override any field in ``Survey.settings["fatigue"]``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from otklik.errors import ValidationFailed
from otklik.listen.models import Invitation, Response, Survey
from otklik.store import Base, JSONType, UTCDateTime, utcnow

REASONS = (
    "unsubscribed",
    "no_consent",
    "no_address",
    "sampled_out",
    "recent_response",
    "recent_invitation",
    "recent_no_answer",
    "quarterly_cap",
)
# Invitations that asked (or will ask) the customer; suppressed ones never reached them.
ASKING_STATUSES = ("pending", "sending", "sent", "responded", "bounced", "failed")
QUARTER_DAYS = 92


class FatiguePolicy(BaseModel):
    """How often a customer may be asked. Defaults follow common CX practice."""

    model_config = ConfigDict(extra="forbid")

    min_days_between: int = Field(30, ge=0, le=365, description="Days between two invitations.")
    resurvey_after_response_days: int = Field(
        90, ge=0, le=730, description="Days after any response before asking again."
    )
    resurvey_after_no_answer_days: int = Field(
        30, ge=0, le=365, description="Days after an unanswered invitation before asking again."
    )
    quarterly_cap: int = Field(
        3, ge=0, le=100, description="Invitations per calendar quarter; 0 = no cap."
    )
    sampling_percent: float = Field(100.0, ge=0, le=100, description="Share of customers asked.")
    quiet_start: time = Field(time(21, 0), description="Quiet hours start (customer's local time).")
    quiet_end: time = Field(time(9, 0), description="Quiet hours end; equal to start = none.")
    default_timezone: str = Field("Europe/Moscow", description="For customers without a zone.")
    require_consent: bool = Field(
        False, description="Ask only customers who gave contact consent (unknown = no)."
    )

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (use e.g. Europe/Moscow)") from None
        return value


DEFAULT_POLICY = FatiguePolicy()


@dataclass(frozen=True)
class Recipient:
    """The facts about a customer the rules look at."""

    customer_id: int
    timezone: str | None = None
    unsubscribed: bool = False
    consent: bool | None = None
    has_email: bool = True


@dataclass
class History:
    """A customer's recent contacts: times of asking invitations, last answer, last silence."""

    invited: list[datetime] = field(default_factory=list)
    last_response_at: datetime | None = None
    last_unanswered_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    action: Literal["send", "suppress", "delay"]
    reason: str | None = None
    send_at: datetime | None = None


def quarter_start(now: datetime) -> datetime:
    return now.replace(month=3 * ((now.month - 1) // 3) + 1, day=1, hour=0, minute=0, second=0,
                       microsecond=0)  # fmt: skip


def in_sample(*, survey_id: int, customer_id: int, percent: float, now: datetime) -> bool:
    """Deterministic sampling: the same survey, customer and quarter always give the same answer."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    digest = hashlib.sha256(f"{survey_id}:{customer_id}:{quarter}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < round(percent * 100)


def _zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def quiet_until(policy: FatiguePolicy, now: datetime, tz: str | None) -> datetime | None:
    """The end of the quiet hours if ``now`` falls inside them (in ``tz``), else None."""
    start, end = policy.quiet_start, policy.quiet_end
    if start == end:
        return None
    local = now.astimezone(_zone(tz, policy.default_timezone))
    t = local.time().replace(tzinfo=None)
    quiet = (t >= start or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    # Build the wall-clock time in the zone (DST-correct), then convert to UTC.
    wake = datetime.combine(day, end, tzinfo=local.tzinfo)
    return wake.astimezone(now.tzinfo)


def decide(
    policy: FatiguePolicy,
    history: History,
    now: datetime,
    customer: Recipient,
    *,
    survey_id: int,
    channel: str = "email",
) -> Decision:
    """Send, suppress (with the rule's name) or delay (until the end of quiet hours)."""
    if customer.unsubscribed:
        return Decision("suppress", "unsubscribed")
    if customer.consent is False or (policy.require_consent and customer.consent is None):
        return Decision("suppress", "no_consent")
    if channel == "email" and not customer.has_email:
        return Decision("suppress", "no_address")
    if not in_sample(
        survey_id=survey_id, customer_id=customer.customer_id,
        percent=policy.sampling_percent, now=now,
    ):  # fmt: skip
        return Decision("suppress", "sampled_out")
    days = timedelta(days=1)
    if (
        history.last_response_at is not None
        and now - history.last_response_at < policy.resurvey_after_response_days * days
    ):
        return Decision("suppress", "recent_response")
    if any(abs(now - at) < policy.min_days_between * days for at in history.invited):
        return Decision("suppress", "recent_invitation")
    if (
        history.last_unanswered_at is not None
        and now - history.last_unanswered_at < policy.resurvey_after_no_answer_days * days
    ):
        return Decision("suppress", "recent_no_answer")
    if policy.quarterly_cap:
        since = quarter_start(now)
        if sum(since <= at <= now for at in history.invited) >= policy.quarterly_cap:
            return Decision("suppress", "quarterly_cap")
    wake = quiet_until(policy, now, customer.timezone) if channel == "email" else None
    if wake is not None:
        return Decision("delay", "quiet_hours", wake)
    return Decision("send")


def record(history: History, decision: Decision, now: datetime) -> None:
    """Count an invitation just made, so a second row for the same customer in one batch
    sees the first."""
    if decision.action != "suppress":
        history.invited.append(decision.send_at or now)


# ---- loading history and the policy ------------------------------------------------------


def load_histories(
    *, session: Session, customer_ids: Iterable[int], now: datetime, policy: FatiguePolicy
) -> dict[int, History]:
    """Every customer's recent history in a few grouped queries (500 customers per query)."""
    ids = sorted(set(customer_ids))
    out: dict[int, History] = defaultdict(History)
    lookback = now - timedelta(days=max(policy.min_days_between, QUARTER_DAYS) + 1)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = session.execute(
            select(Invitation.customer_id, Invitation.created_at, Invitation.send_at).where(
                Invitation.customer_id.in_(chunk),
                Invitation.status.in_(ASKING_STATUSES),
                Invitation.created_at >= lookback,
            )
        )
        for cid, created, send_at in rows:
            out[cid].invited.append(max(created, send_at) if send_at else created)
        rows = session.execute(
            select(Response.customer_id, func.max(Response.submitted_at))
            .where(Response.customer_id.in_(chunk))
            .group_by(Response.customer_id)
        )
        for cid, at in rows:
            out[cid].last_response_at = at
        rows = session.execute(
            select(Invitation.customer_id, func.max(Invitation.sent_at))
            .where(
                Invitation.customer_id.in_(chunk),
                Invitation.status == "sent",
                Invitation.responded_at.is_(None),
            )
            .group_by(Invitation.customer_id)
        )
        for cid, at in rows:
            out[cid].last_unanswered_at = at
    return out


class ContactPolicy(Base):
    """The global fatigue policy (one row named ``default``), edited in the UI."""

    __tablename__ = "contact_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    policy: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def parse_policy(data: Mapping[str, Any], *, base: FatiguePolicy = DEFAULT_POLICY) -> FatiguePolicy:
    """``base`` with ``data``'s fields; ValidationFailed names the first bad field."""
    try:
        return FatiguePolicy.model_validate({**base.model_dump(), **dict(data)})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "policy"
        raise ValidationFailed(f"{name}: {first['msg']}", field=name) from None


def global_policy(*, session: Session) -> FatiguePolicy:
    row = session.scalar(select(ContactPolicy).where(ContactPolicy.name == "default"))
    return parse_policy(row.policy) if row is not None else DEFAULT_POLICY


def save_global_policy(*, session: Session, data: Mapping[str, Any]) -> FatiguePolicy:
    """Validate and store the global policy (flushes); returns it."""
    policy = parse_policy(data)
    row = session.scalar(select(ContactPolicy).where(ContactPolicy.name == "default"))
    if row is None:
        row = ContactPolicy(name="default")
        session.add(row)
    row.policy = policy.model_dump(mode="json")
    session.flush()
    return policy


def survey_policy(*, session: Session, survey: Survey) -> FatiguePolicy:
    """The global policy with the survey's own overrides (``settings["fatigue"]``)."""
    overrides = (survey.settings or {}).get("fatigue") or {}
    return parse_policy(overrides, base=global_policy(session=session))


def save_survey_policy(*, session: Session, survey: Survey, data: Mapping[str, Any]) -> None:
    """Store per-survey overrides (only the given fields; validated against the global)."""
    clean = {k: v for k, v in dict(data).items() if v is not None}
    parse_policy(clean, base=global_policy(session=session))
    dumped = FatiguePolicy.model_validate({**DEFAULT_POLICY.model_dump(), **clean}).model_dump(
        mode="json", include=set(clean)
    )
    survey.settings = {**(survey.settings or {}), "fatigue": dumped}
    survey.updated_at = utcnow()
    session.flush()
