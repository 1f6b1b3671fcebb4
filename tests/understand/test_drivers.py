"""Key-driver analysis recovers known drivers: population maths, simulation, the demo bank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from otklik.demo import build_demo
from otklik.errors import ValidationFailed
from otklik.listen.models import Response, Touchpoint
from otklik.understand.drivers import (
    correlations,
    driver_report,
    quadrant,
    r_squared,
    relative_weights,
    shapley_r2,
    shares,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)

# A design with correlated drivers: x0 and x1 go together (r = .5), x2 hurts, x3 and x4 small.
POP_CORR = np.array(
    [
        [1.0, 0.5, 0.3, 0.0, 0.1],
        [0.5, 1.0, 0.2, 0.0, 0.0],
        [0.3, 0.2, 1.0, 0.1, 0.0],
        [0.0, 0.0, 0.1, 1.0, 0.2],
        [0.1, 0.0, 0.0, 0.2, 1.0],
    ]
)
BETA = np.array([0.6, 0.35, -0.45, 0.15, 0.25])
NOISE_SD = 1.0


def population_truth() -> tuple[np.ndarray, float]:
    """True signed shares and R² from the population correlations (no sampling at all)."""
    var_y = BETA @ POP_CORR @ BETA + NOISE_SD**2
    rxy = POP_CORR @ BETA / np.sqrt(var_y)
    weights, r2, betas = relative_weights(POP_CORR, rxy)
    assert r2 == pytest.approx(BETA @ POP_CORR @ BETA / var_y)  # weights add up to R²
    assert np.allclose(betas * np.sqrt(var_y), BETA)  # standardised betas are the truth
    return shares(weights, betas), r2


def test_uncorrelated_drivers_get_their_squared_correlations():
    rxy = np.array([0.5, -0.3, 0.1])
    weights, r2, _ = relative_weights(np.eye(3), rxy)
    assert np.allclose(weights, rxy**2)
    assert r2 == pytest.approx(0.35)
    assert np.allclose(
        shares(weights, np.sign(rxy)), [100 * 0.25 / 0.35, -100 * 0.09 / 0.35, 100 * 0.01 / 0.35]
    )


def test_relative_weights_agree_with_the_exact_shapley_decomposition():
    truth, r2 = population_truth()
    var_y = BETA @ POP_CORR @ BETA + NOISE_SD**2
    rxy = POP_CORR @ BETA / np.sqrt(var_y)
    shapley = shapley_r2(POP_CORR, rxy)
    assert shapley.sum() == pytest.approx(r2)
    assert r_squared(POP_CORR, rxy, tuple(range(5))) == pytest.approx(r2)
    assert np.abs(100 * shapley / r2 - np.abs(truth)).max() < 2.5


def test_simulation_recovers_rank_order_and_shares_within_five_points():
    truth, _ = population_truth()
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.multivariate_normal(np.zeros(5), POP_CORR, size=n)
    y = x @ BETA + rng.normal(0, NOISE_SD, size=n)

    rxx, rxy = correlations(x, y)
    weights, _, betas = relative_weights(rxx, rxy)
    found = shares(weights, betas)

    assert list(np.argsort(-np.abs(found))) == list(np.argsort(-np.abs(truth)))
    assert np.abs(found - truth).max() < 5.0
    assert np.all(np.sign(found) == np.sign(BETA))


def test_simulation_with_binary_drivers_on_a_0_to_10_score():
    """Closer to a survey: a yes/no answer and a choice drive a clipped 0–10 score."""
    rng = np.random.default_rng(3)
    n = 40_000
    resolved = rng.random(n) < 0.7
    long_wait = rng.random(n) < 0.3
    premium = rng.random(n) < 0.1
    latent = 7 + 3.0 * resolved - 1.5 * long_wait + 0.8 * premium + rng.normal(0, 1.5, n)
    score = np.clip(np.round(latent), 0, 10)
    x = np.column_stack([resolved, long_wait, premium]).astype(float)
    # Truth from a sample 25x larger of the same design (the clipping has no closed form).
    big = 1_000_000
    xb = np.column_stack(
        [rng.random(big) < 0.7, rng.random(big) < 0.3, rng.random(big) < 0.1]
    ).astype(float)
    yb = np.clip(np.round(7 + xb @ [3.0, -1.5, 0.8] + rng.normal(0, 1.5, big)), 0, 10)
    truth = shares(*_wb(*correlations(xb, yb)))
    found = shares(*_wb(*correlations(x, score)))
    assert list(np.argsort(-np.abs(found))) == [0, 1, 2]
    assert np.abs(found - truth).max() < 5.0
    assert list(np.sign(found)) == [1.0, -1.0, 1.0]


def _wb(rxx, rxy):
    weights, _, betas = relative_weights(rxx, rxy)
    return weights, betas


def test_exactly_duplicated_driver_splits_its_weight_instead_of_failing():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 2))
    y = x @ [1.0, 0.5] + rng.normal(size=2000)
    rxx, rxy = correlations(np.column_stack([x, x[:, 0]]), y)
    weights, r2, _ = relative_weights(rxx, rxy)
    assert np.isfinite(weights).all() and weights[0] == pytest.approx(weights[2])
    assert r2 == pytest.approx(correlations(x, y)[1] @ np.linalg.solve(*correlations(x, y)))


@pytest.mark.parametrize(
    ("importance", "performance", "expected"),
    [(30, -20, "priority"), (30, 40, "strength"), (2, 40, "overkill"), (2, -20, "low_priority")],
)
def test_quadrant_sets_importance_against_performance(importance, performance, expected):
    got = quadrant(
        importance=importance, performance=performance, importance_cut=10, performance_cut=15
    )
    assert got == expected


def test_demo_bank_planted_driver_ranks_first(session):
    build_demo(session=session, responses=3000, customers=1500, seed=5, now=NOW)
    session.commit()

    report = driver_report(session=session, since=NOW - timedelta(days=600), until=NOW)

    assert report.enough_data and report.responses > 2500
    top = report.drivers[0]
    assert (top.source, top.name, top.level) == ("answer", "issue_resolved", "no")
    assert top.share < 0 and top.quadrant == "priority"
    assert top.performance < report.overall_performance - 50  # NPS ≈ −65 vs ≈ +15
    wait = next(d for d in report.drivers if d.name == "wait_minutes")
    assert wait.share < 0 and report.drivers.index(wait) < 5
    assert sum(d.importance for d in report.drivers) == pytest.approx(100, abs=0.5)
    assert report.groups[0].name == "issue_resolved"


def test_extra_columns_plug_in_as_drivers(session, seed):
    tp = seed["touchpoints"]["web-apply"]
    rng = np.random.default_rng(2)
    themes = {}
    for i in range(400):
        slow = bool(rng.random() < 0.3)
        score = int(np.clip(round(8 - 4 * slow + rng.normal(0, 1.2)), 0, 10))
        r = Response(touchpoint_id=tp.id, nps=score, submitted_at=NOW - timedelta(days=1 + i % 50))
        session.add(r)
        session.flush()
        if slow:
            themes[r.id] = 1.0
    session.commit()
    report = driver_report(
        session=session,
        since=NOW - timedelta(days=90),
        until=NOW,
        extra={"theme: slow app": themes},
    )
    assert [d.key for d in report.drivers] == ["extra:theme: slow app"]
    assert report.drivers[0].share == -100.0


def test_too_few_responses_give_a_reason_not_numbers(session, seed):
    session.add(Response(nps=9, submitted_at=NOW - timedelta(days=1)))
    session.commit()
    report = driver_report(session=session, since=NOW - timedelta(days=30), until=NOW)
    assert not report.enough_data and report.reason == "not_enough_responses"
    assert report.drivers == []
    with pytest.raises(ValidationFailed):
        driver_report(session=session, since=NOW, until=NOW)
    assert session.query(Touchpoint).count() == 3
