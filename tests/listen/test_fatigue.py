"""Contact-fatigue rules: each rule alone, their order, quiet hours across zones, sampling."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from otklik.errors import ValidationFailed
from otklik.listen.fatigue import (
    DEFAULT_POLICY,
    FatiguePolicy,
    History,
    Recipient,
    decide,
    in_sample,
    parse_policy,
    quiet_until,
    record,
)

NOON_MSK = datetime(2026, 5, 13, 9, 0, tzinfo=UTC)  # 12:00 in Moscow, a Wednesday
NO_QUIET = DEFAULT_POLICY.model_copy(update={"quiet_start": time(0), "quiet_end": time(0)})
ALICE = Recipient(customer_id=7, timezone="Europe/Moscow")


def days(n: float) -> timedelta:
    return timedelta(days=n)


def run(history=None, *, policy=NO_QUIET, now=NOON_MSK, customer=ALICE, channel="email"):
    return decide(policy, history or History(), now, customer, survey_id=1, channel=channel)


def test_a_fresh_customer_is_asked():
    assert run().action == "send"


def test_unsubscribed_customer_is_suppressed_whatever_else():
    customer = Recipient(customer_id=7, unsubscribed=True)
    decision = run(customer=customer, policy=NO_QUIET.model_copy(update={"sampling_percent": 0}))
    assert (decision.action, decision.reason) == ("suppress", "unsubscribed")


@pytest.mark.parametrize(
    ("consent", "require", "expected"),
    [(False, False, "no_consent"), (None, True, "no_consent"), (None, False, None),
     (True, True, None)],
)  # fmt: skip
def test_consent(consent, require, expected):
    policy = NO_QUIET.model_copy(update={"require_consent": require})
    decision = run(customer=Recipient(customer_id=7, consent=consent), policy=policy)
    assert decision.reason == expected


def test_email_needs_an_address_but_a_link_does_not():
    customer = Recipient(customer_id=7, has_email=False)
    assert run(customer=customer).reason == "no_address"
    assert run(customer=customer, channel="link").action == "send"


@pytest.mark.parametrize(
    ("field", "history", "reason"),
    [
        ("resurvey_after_response_days", History(last_response_at=NOON_MSK - days(89)),
         "recent_response"),
        ("resurvey_after_no_answer_days", History(last_unanswered_at=NOON_MSK - days(29)),
         "recent_no_answer"),
        ("min_days_between", History(invited=[NOON_MSK - days(29)]), "recent_invitation"),
    ],
)  # fmt: skip
def test_window_rules_suppress_inside_and_allow_after(field, history, reason):
    policy = NO_QUIET.model_copy(
        update={"resurvey_after_response_days": 90, "resurvey_after_no_answer_days": 30,
                "min_days_between": 30}
    )  # fmt: skip
    assert run(history, policy=policy).reason == reason
    later = NOON_MSK + days(2)
    assert run(history, policy=policy, now=later).action == "send"
    # Setting the rule's window to 0 turns it off.
    assert run(history, policy=policy.model_copy(update={field: 0})).reason != reason


def test_response_rule_comes_before_the_invitation_rule():
    history = History(invited=[NOON_MSK - days(3)], last_response_at=NOON_MSK - days(2))
    assert run(history).reason == "recent_response"


def test_quarterly_cap_counts_this_calendar_quarter_only():
    policy = NO_QUIET.model_copy(update={"min_days_between": 7, "quarterly_cap": 2})
    may = History(invited=[datetime(2026, 4, 2, tzinfo=UTC), datetime(2026, 4, 20, tzinfo=UTC)])
    assert run(may, policy=policy).reason == "quarterly_cap"
    # Two invitations in the previous quarter do not count.
    march = History(invited=[datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)])
    assert run(march, policy=policy).action == "send"
    assert run(may, policy=policy.model_copy(update={"quarterly_cap": 0})).action == "send"


def test_a_batch_sees_its_own_earlier_invitation():
    history = History()
    first = run(history)
    record(history, first, NOON_MSK)
    assert run(history).reason == "recent_invitation"


@pytest.mark.parametrize(
    ("utc_now", "zone", "wake_utc"),
    [
        # 23:30 in Moscow (UTC+3) → 09:00 Moscow next day = 06:00 UTC.
        (datetime(2026, 5, 13, 20, 30, tzinfo=UTC), "Europe/Moscow",
         datetime(2026, 5, 14, 6, 0, tzinfo=UTC)),
        # 07:00 in Vladivostok (UTC+10) → 09:00 the same day = 23:00 UTC the day before.
        (datetime(2026, 5, 12, 21, 0, tzinfo=UTC), "Asia/Vladivostok",
         datetime(2026, 5, 12, 23, 0, tzinfo=UTC)),
        # New York in summer time (UTC−4): 22:00 → 09:00 next day = 13:00 UTC.
        (datetime(2026, 7, 2, 2, 0, tzinfo=UTC), "America/New_York",
         datetime(2026, 7, 2, 13, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_quiet_hours_delay_to_their_end_in_the_customers_zone(utc_now, zone, wake_utc):
    customer = Recipient(customer_id=7, timezone=zone)
    decision = run(customer=customer, policy=DEFAULT_POLICY, now=utc_now)
    assert (decision.action, decision.reason, decision.send_at) == ("delay", "quiet_hours",
                                                                     wake_utc)  # fmt: skip


def test_same_moment_is_quiet_in_one_zone_and_not_in_another():
    at = datetime(2026, 5, 13, 19, 0, tzinfo=UTC)  # 22:00 Moscow, 12:00 in Los Angeles
    moscow = Recipient(customer_id=7, timezone="Europe/Moscow")
    la = Recipient(customer_id=7, timezone="America/Los_Angeles")
    assert run(customer=moscow, policy=DEFAULT_POLICY, now=at).action == "delay"
    assert run(customer=la, policy=DEFAULT_POLICY, now=at).action == "send"


def test_unknown_or_missing_zone_uses_the_policy_default():
    at = datetime(2026, 5, 13, 19, 0, tzinfo=UTC)  # 22:00 in Moscow
    for tz in (None, "Mars/Olympus"):
        decision = run(customer=Recipient(customer_id=7, timezone=tz), policy=DEFAULT_POLICY,
                       now=at)  # fmt: skip
        assert decision.action == "delay"


def test_daytime_quiet_window_and_no_window():
    lunch = DEFAULT_POLICY.model_copy(update={"quiet_start": time(13), "quiet_end": time(14)})
    at = datetime(2026, 5, 13, 10, 30, tzinfo=UTC)  # 13:30 Moscow
    assert quiet_until(lunch, at, "Europe/Moscow") == datetime(2026, 5, 13, 11, 0, tzinfo=UTC)
    assert quiet_until(lunch, at + timedelta(hours=1), "Europe/Moscow") is None
    assert quiet_until(NO_QUIET, at, "Europe/Moscow") is None


def test_sampling_is_deterministic_and_close_to_the_rate():
    now = NOON_MSK
    picks = [in_sample(survey_id=3, customer_id=c, percent=20, now=now) for c in range(5000)]
    again = [in_sample(survey_id=3, customer_id=c, percent=20, now=now) for c in range(5000)]
    assert picks == again
    assert 900 <= sum(picks) <= 1100  # 20% of 5000 = 1000, ±3 standard deviations
    # Another survey samples other customers; the next quarter re-draws.
    other = [in_sample(survey_id=4, customer_id=c, percent=20, now=now) for c in range(5000)]
    later = [in_sample(survey_id=3, customer_id=c, percent=20, now=now + days(92))
             for c in range(5000)]  # fmt: skip
    assert other != picks and later != picks
    assert all(in_sample(survey_id=3, customer_id=c, percent=100, now=now) for c in range(50))
    assert not any(in_sample(survey_id=3, customer_id=c, percent=0, now=now) for c in range(50))


def test_sampled_out_customers_are_suppressed_with_that_reason():
    policy = NO_QUIET.model_copy(update={"sampling_percent": 50})
    reasons = {
        decide(policy, History(), NOON_MSK, Recipient(customer_id=c), survey_id=1).reason
        for c in range(40)
    }
    assert reasons == {None, "sampled_out"}


def test_policy_validation_names_the_field():
    with pytest.raises(ValidationFailed) as err:
        parse_policy({"sampling_percent": 150})
    assert err.value.field == "sampling_percent"
    with pytest.raises(ValidationFailed) as err:
        parse_policy({"default_timezone": "Nowhere/City"})
    assert "default_timezone" in str(err.value)
    assert parse_policy({"min_days_between": 7}).min_days_between == 7
    assert FatiguePolicy().min_days_between == 30
