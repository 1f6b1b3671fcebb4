"""The demo company's invitations agree with its responses and its customers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from otklik.demo import build_demo
from otklik.listen.invitations import suppression_counts
from otklik.listen.models import Customer, Invitation, Response
from otklik.listen.response_rate import response_rates


def test_demo_invitations_are_consistent_with_responses_and_unsubscribes(session):
    summary = build_demo(session=session, responses=4000, customers=1500, seed=3,
                         now=datetime(2026, 6, 1, 12, tzinfo=UTC))  # fmt: skip
    session.commit()
    assert summary.invitations["responded"] > 300 and summary.unsubscribed > 0
    linked = session.execute(
        select(Response.customer_id, Response.submitted_at, Invitation.customer_id,
               Invitation.responded_at, Invitation.status, Invitation.sent_at)
        .join(Invitation, Invitation.id == Response.invitation_id)
    ).all()  # fmt: skip
    assert len(linked) == summary.invitations["responded"]
    for r_customer, submitted, i_customer, responded, status, sent in linked:
        assert r_customer == i_customer and status == "responded"
        assert responded == submitted and sent < submitted
    # Invitations answered = responses pointing at an invitation (no orphans either way).
    answered = session.scalar(select(func.count()).where(Invitation.status == "responded"))
    assert answered == len(linked)
    reasons = suppression_counts(session=session)
    assert {"unsubscribed", "recent_invitation", "no_consent", "sampled_out"} <= set(reasons)
    # Every "unsubscribed" suppression is of an unsubscribed customer, after the unsubscribe.
    rows = session.execute(
        select(Invitation.created_at, Customer.unsubscribed_at)
        .join(Customer, Customer.id == Invitation.customer_id)
        .where(Invitation.suppression_reason == "unsubscribed")
    ).all()
    assert rows and all(u is not None and created >= u for created, u in rows)
    # No response after a customer's unsubscribe came through an invitation.
    late = session.scalar(
        select(func.count())
        .select_from(Response)
        .join(Customer, Customer.id == Response.customer_id)
        .where(
            Response.invitation_id.is_not(None), Response.submitted_at > Customer.unsubscribed_at
        )
    )
    assert late == 0
    # No-consent customers are never emailed.
    emailed = session.scalar(
        select(func.count())
        .select_from(Invitation)
        .join(Customer, Customer.id == Invitation.customer_id)
        .where(Customer.contact_consent.is_(False), Invitation.status != "suppressed")
    )
    assert emailed == 0
    [overall] = response_rates(session=session, by="channel")
    assert 0.3 < overall.rate < 0.5
