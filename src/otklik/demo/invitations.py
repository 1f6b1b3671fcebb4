"""Demo invitations consistent with the demo responses.

About a fifth of the answers of customers who consented to contact came through an
email invitation (the response points at it, sent a few hours to two days before the
answer, opened minutes before it). Around them: invitations that got no answer (most
with their one reminder), a few bounced, and suppressed ones with the rule that stopped
them — ``recent_invitation``, ``recent_response``, ``sampled_out``, ``quarterly_cap``,
``no_consent`` (customers who refused contact) and ``unsubscribed`` (about 1.5 % of the
customers who answered unsubscribe some weeks after their last answer, and later asks
are suppressed). The response rate comes out near 40 %.

Rows are plain dicts with explicit ids, written with the demo's bulk insert (COPY on
PostgreSQL), so ~60k invitations cost well under a second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from otklik.demo.responses import HISTORY_DAYS, Generated

INVITED_SHARE = 0.2
RESPONSE_RATE = 0.4
UNSUBSCRIBE_SHARE = 0.015
SUPPRESSED_SHARE = 0.12
REASONS = {
    "recent_invitation": 0.34,
    "recent_response": 0.26,
    "sampled_out": 0.16,
    "quarterly_cap": 0.08,
    "no_consent": 0.16,
}


@dataclass
class DemoInvitations:
    rows: list[dict] = field(default_factory=list)
    # Row position → customer index (the caller turns it into customer_id).
    customer_index: list[int] = field(default_factory=list)
    unsubscribed: int = 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[row["status"]] = out.get(row["status"], 0) + 1
        return out


def generate_invitations(
    rng: random.Random,
    *,
    generated: Generated,
    customers: list[dict],
    anchor: datetime,
    first_id: int,
) -> DemoInvitations:
    """Invitations for the generated responses (sets ``invitation_id`` on the response rows
    and ``unsubscribed_at`` on a few customer rows)."""
    out = DemoInvitations()
    start = anchor - timedelta(days=HISTORY_DAYS)
    consenting = [i for i, c in enumerate(customers) if c["contact_consent"]]
    refusing = [i for i, c in enumerate(customers) if not c["contact_consent"]]
    surveys = sorted({(r["survey_id"], r["touchpoint_id"]) for r in generated.rows})

    def add(idx: int, survey: tuple[int, int], status: str, created: datetime, **extra) -> int:
        row = {
            "id": first_id + len(out.rows), "survey_id": survey[0], "customer_id": None,
            "touchpoint_id": survey[1], "channel": "email", "status": status,
            "suppression_reason": None, "token_nonce": None,
            "language": customers[idx]["language"], "created_at": created, "send_at": None,
            "sent_at": None, "reminded_at": None, "opened_at": None, "responded_at": None,
            "attempts": 0, "last_error": None,
        }  # fmt: skip
        row.update(extra)
        out.rows.append(row)
        out.customer_index.append(idx)
        return row["id"]

    for row, idx in zip(generated.rows, generated.customer_index, strict=True):
        row["invitation_id"] = None
        if idx is None or not customers[idx]["contact_consent"] or rng.random() >= INVITED_SHARE:
            continue
        answered = row["submitted_at"]
        sent = answered - timedelta(minutes=rng.randint(120, 2880))
        row["invitation_id"] = add(
            idx, (row["survey_id"], row["touchpoint_id"]), "responded", sent, sent_at=sent,
            opened_at=answered - timedelta(seconds=rng.randint(40, 400)), responded_at=answered,
        )  # fmt: skip
    responded = len(out.rows)
    span = HISTORY_DAYS * 86400
    for _ in range(round(responded * (1 - RESPONSE_RATE) / RESPONSE_RATE)):
        idx = rng.choice(consenting)
        sent = start + timedelta(seconds=rng.randrange(span))
        roll = rng.random()
        if roll < 0.04:
            add(idx, rng.choice(surveys), "bounced", sent,
                last_error="recipient refused: 550 5.1.1 no such mailbox")  # fmt: skip
            continue
        reminded = sent + timedelta(days=3)
        add(idx, rng.choice(surveys), "sent", sent, sent_at=sent,
            reminded_at=reminded if reminded < anchor and roll < 0.95 else None)  # fmt: skip
    reasons, weights = list(REASONS), list(REASONS.values())
    for _ in range(round(len(out.rows) * SUPPRESSED_SHARE)):
        reason = rng.choices(reasons, weights)[0]
        pool = refusing if reason == "no_consent" and refusing else consenting
        at = start + timedelta(seconds=rng.randrange(span))
        add(rng.choice(pool), rng.choice(surveys), "suppressed", at, suppression_reason=reason)
    for idx, (_, last) in generated.history.items():
        if rng.random() >= UNSUBSCRIBE_SHARE:
            continue
        gone = last + timedelta(days=rng.randint(3, 60), hours=rng.randint(0, 23))
        if gone >= anchor:
            continue
        customers[idx]["unsubscribed_at"] = gone
        out.unsubscribed += 1
        for _ in range(rng.randint(1, 2)):
            later = gone + (anchor - gone) * rng.random()
            add(idx, rng.choice(surveys), "suppressed", later, suppression_reason="unsubscribed")
    for c in customers:
        c.setdefault("unsubscribed_at", None)
    return out
