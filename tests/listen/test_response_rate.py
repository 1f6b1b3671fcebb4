"""Response rate (RR1) against a hand count, drop-off per question, time to complete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from otklik.listen.drafts import SurveyDraft
from otklik.listen.models import Customer, Invitation, Response
from otklik.listen.response_rate import drop_off, response_rates, time_to_complete, wilson
from otklik.listen.surveys import create_survey, publish_survey

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEFINITION = {
    "title": {"ru": "Опрос", "en": "Survey"},
    "layout": "steps",
    "questions": [
        {"id": "nps", "type": "nps", "text": {"ru": "Оценка", "en": "Score"}},
        {"id": "why", "type": "text", "text": {"ru": "Почему", "en": "Why"}},
        {"id": "ok", "type": "yes_no", "text": {"ru": "Решено?", "en": "Solved?"}},
    ],
}


@pytest.fixture
def survey(session, seed):
    s = create_survey(session=session, title="RR", slug="rr", definition=DEFINITION,
                      touchpoint_id=seed["touchpoints"]["web-apply"].id)  # fmt: skip
    publish_survey(session=session, survey=s)
    session.commit()
    return s


def _invitations(session, survey, seed, spec):
    """spec: (channel, touchpoint code, status, how many)."""
    customer = Customer(email="x@example.com", attributes={})
    session.add(customer)
    session.flush()
    rows = []
    for channel, tp, status, n in spec:
        for _ in range(n):
            rows.append({
                "survey_id": survey.id, "customer_id": customer.id, "channel": channel,
                "touchpoint_id": seed["touchpoints"][tp].id, "status": status,
                "suppression_reason": "sampled_out" if status == "suppressed" else None,
                "created_at": T0, "attempts": 0, "language": "ru",
            })  # fmt: skip
    session.execute(insert(Invitation), rows)
    session.commit()


def test_rr1_counts_only_delivered_invitations(session, survey, seed):
    _invitations(session, survey, seed, [
        ("email", "web-apply", "responded", 30), ("email", "web-apply", "sent", 70),
        ("email", "web-apply", "bounced", 9), ("email", "web-apply", "suppressed", 40),
        ("email", "web-apply", "pending", 5), ("email", "web-apply", "failed", 2),
        ("link", "branch-visit", "responded", 12), ("link", "branch-visit", "sent", 8),
    ])  # fmt: skip
    [overall] = response_rates(session=session, by="survey", survey_id=survey.id)
    # Hand count: completes 30 + 12 = 42; delivered = 30 + 70 + 12 + 8 = 120.
    assert (overall.completes, overall.delivered) == (42, 120)
    assert overall.rate == pytest.approx(0.35)
    assert (overall.suppressed, overall.bounced, overall.queued, overall.failed) == (40, 9, 5, 2)
    assert overall.invitations == 176
    low, high = overall.ci
    assert low < 0.35 < high
    by_channel = {r.key: r for r in response_rates(session=session, by="channel")}
    assert by_channel["email"].rate == pytest.approx(30 / 100)
    assert by_channel["link"].rate == pytest.approx(12 / 20)
    by_tp = {r.label: r for r in response_rates(session=session, by="touchpoint")}
    assert by_tp["branch-visit"].delivered == 20 and by_tp["web-apply"].completes == 30


def test_rr1_is_none_without_delivered_invitations(session, survey, seed):
    _invitations(session, survey, seed, [("email", "web-apply", "suppressed", 3)])
    [row] = response_rates(session=session, survey_id=survey.id)
    assert row.rate is None and row.ci is None


def test_period_filter_uses_creation_time(session, survey, seed):
    _invitations(session, survey, seed, [("email", "web-apply", "sent", 4)])
    assert response_rates(session=session, since=T0 + timedelta(seconds=1)) == []
    assert response_rates(session=session, until=T0 + timedelta(seconds=1))[0].delivered == 4


def test_wilson_interval_matches_a_published_value():
    # 81 of 263 (Newcombe 1998, example): 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def _response(session, survey, answers, started=None, took=None):
    attrs = {"started_at": started.isoformat()} if started else {}
    session.add(Response(survey_id=survey.id, answers=answers, attributes=attrs, source="survey",
                         submitted_at=(started or T0) + (took or timedelta(0))))  # fmt: skip


def test_drop_off_from_abandoned_drafts(session, survey):
    for _ in range(6):
        _response(session, survey, {"nps": 9, "why": "ok", "ok": True})
    now = T0 + timedelta(days=1)
    old = now - timedelta(hours=2)
    drafts = [({}, "nps"), ({"nps": 3}, "why"), ({"nps": 3}, "why"), ({"nps": 5, "why": "x"}, "ok")]
    for i, (answers, step) in enumerate(drafts):
        session.add(SurveyDraft(survey_id=survey.id, respondent_key=f"c:{i}", answers=answers,
                                step=step, started_at=old, updated_at=old))  # fmt: skip
    session.add(SurveyDraft(survey_id=survey.id, respondent_key="c:live", answers={"nps": 1},
                            step="why", started_at=now, updated_at=now))  # fmt: skip
    session.commit()
    result = drop_off(session=session, survey=survey, now=now)
    assert (result.started, result.completed, result.abandoned, result.in_progress) == (10, 6, 4, 1)
    funnel = {q.id: q for q in result.questions}
    assert (funnel["nps"].reached, funnel["nps"].abandoned) == (10, 1)
    assert (funnel["why"].reached, funnel["why"].abandoned) == (9, 2)
    assert (funnel["ok"].reached, funnel["ok"].abandoned) == (7, 1)
    assert funnel["why"].drop_rate == pytest.approx(2 / 9)
    assert funnel["nps"].answered == 6 + 3  # completes + drafts that answered it


def test_median_time_to_complete(session, survey):
    for seconds in (30, 60, 90, 120, 600):
        _response(session, survey, {"nps": 8}, started=T0, took=timedelta(seconds=seconds))
    _response(session, survey, {"nps": 8})  # no recorded first view: not timed
    session.commit()
    timing = time_to_complete(session=session, survey_id=survey.id)
    assert (timing.n, timing.median_seconds) == (5, 90)
    assert (timing.p25_seconds, timing.p75_seconds) == (60, 120)
    empty = time_to_complete(session=session, survey_id=survey.id + 999)
    assert empty.n == 0 and empty.median_seconds is None
