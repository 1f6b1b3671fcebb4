"""The churn-risk model: features see only the past, it beats a feedback-free baseline on
the demo bank, ranks active customers with reasons, and refuses to guess without churners."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from otklik.demo import build_demo
from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response
from otklik.understand.churn_features import History, snapshot
from otklik.understand.churn_risk import churn_risk_report

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_snapshot_features_use_only_answers_before_the_snapshot():
    t = NOW - timedelta(days=90)
    h = History(
        id=1,
        external_id="C1",
        name=None,
        segment="youth",
        acquired_at=NOW - timedelta(days=400),
        churned_at=NOW - timedelta(days=30),
        times=[t - timedelta(days=20), t - timedelta(days=10), t + timedelta(days=5)],
        nps=[9, 3, 0],
        ces=[None, 2, 1],
    )
    snap = snapshot([h], at=t, segments=["youth"], label_until=NOW)
    row = dict(zip(snap.names, snap.x[0], strict=True))
    # Two answers before t (9 then 3); the 0 five days later is the future and must not leak.
    assert row["last_nps"] == 3 and row["nps_trend"] == -6 and row["detractor_answers"] == 1
    assert row["last_ces"] == 2 and row["no_nps"] == 0
    assert row["log_days_since_response"] == pytest.approx(math.log1p(10))
    assert row["segment=youth"] == 1
    assert list(snap.labels) == [1]  # leaves 60 days after t, within the window
    # Not active once gone; not active before joining.
    assert len(snapshot([h], at=NOW, segments=[]).customers) == 0
    assert len(snapshot([h], at=NOW - timedelta(days=500), segments=[]).customers) == 0


@pytest.fixture
def bank(session):
    summary = build_demo(session=session, responses=6000, customers=3000, seed=7, now=NOW)
    session.commit()
    return summary


def test_demo_model_beats_the_baseline_explains_its_list_and_is_cached(session, bank):
    report = churn_risk_report(session=session, as_of=NOW, horizon_days=90, limit=25)

    assert report.enough_data and report.train_churners >= 50 and report.test_churners >= 10
    # Feedback carries the planted signal (detractors leave ~6x as often); lifecycle does not.
    assert report.model.auc > 0.65
    assert report.model.auc > report.baseline.ci_high
    assert report.baseline.auc < 0.6

    assert len(report.at_risk) == 25
    risks = [c.risk for c in report.at_risk]
    assert risks == sorted(risks, reverse=True)
    ids = [c.customer_id for c in report.at_risk]
    churned = {cid for (cid,) in session.query(Customer.id).filter(Customer.churned_at < NOW).all()}
    assert not set(ids) & churned  # only customers who are still here
    top = report.at_risk[0]
    assert top.reasons and all(r.contribution > 0 for r in top.reasons)
    assert {r.factor for c in report.at_risk for r in c.reasons} & {
        "detractor_answers",
        "last_nps",
    }
    assert top.last_nps is not None and top.last_nps <= 6

    # Cached until the data changes: a new response means a new data version, a new model.
    assert churn_risk_report(session=session, as_of=NOW, horizon_days=90, limit=25) is report
    session.add(Response(customer_id=ids[0], nps=0, submitted_at=NOW - timedelta(days=1)))
    session.commit()
    again = churn_risk_report(session=session, as_of=NOW, horizon_days=90, limit=25)
    assert again is not report and again.at_risk[0].customer_id == ids[0]


def test_too_few_churners_says_so_instead_of_guessing(session):
    for i in range(300):
        c = Customer(
            acquired_at=NOW - timedelta(days=500),
            churned_at=NOW - timedelta(days=100) if i < 20 else None,
        )
        session.add(c)
        session.flush()
        session.add(Response(customer_id=c.id, nps=i % 11, submitted_at=NOW - timedelta(days=200)))
    session.commit()

    report = churn_risk_report(session=session, as_of=NOW, horizon_days=90)

    assert not report.enough_data and report.reason == "not_enough_churners"
    assert report.train_churners == 20 and report.at_risk == [] and report.model is None
    with pytest.raises(ValidationFailed):
        churn_risk_report(session=session, as_of=NOW, horizon_days=3)
