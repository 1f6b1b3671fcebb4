"""The comparison formulas (two proportions, Welch t, Benjamini–Hochberg, CES % easy) against
hand-computed vectors."""

from __future__ import annotations

import math

import pytest

from otklik.understand.stats import (
    RatingCounts,
    benjamini_hochberg,
    ces_easy_share,
    proportion_difference_test,
    welch_t_test,
)


def test_two_proportion_test_matches_hand_computation():
    # p1 = .75, p2 = .50, pooled = 75/120 = .625; SE0 = √(.625·.375·(1/60 + 1/60)) = .088388
    # z = .25/.088388 = 2.8284; p = 2·Φ(−2.8284) = .00468. Unpooled SE = √(.75·.25/60 + .5·.5/60)
    # = .085391 → 95 % CI 25 ± 1.96·8.5391 = 8.26 … 41.74 points.
    test = proportion_difference_test(successes1=45, n1=60, successes2=30, n2=60)
    assert test.difference == pytest.approx(25.0)
    assert round(test.z, 3) == 2.828
    assert round(test.p_value, 4) == 0.0047
    assert round(test.se, 3) == 8.539
    assert (round(test.ci_low, 2), round(test.ci_high, 2)) == (8.26, 41.74)


def test_two_proportion_test_needs_data_and_variance():
    assert proportion_difference_test(successes1=0, n1=0, successes2=0, n2=5) is None
    assert proportion_difference_test(successes1=5, n1=5, successes2=7, n2=7) is None
    with pytest.raises(ValueError):
        proportion_difference_test(successes1=6, n1=5, successes2=0, n2=5)


def test_welch_t_test_matches_hand_computation():
    # Group 1: 2,4,4,4,5,5,7,9 → mean 5, s² = (232 − 40²/8)/7 = 4.5714, s²/n = .57143.
    # Group 2: 1,2,3 → mean 2, s² = 1, s²/n = .33333. SE = √.90476 = .95119, t = 3/.95119 = 3.154.
    # df = .90476² / (.57143²/7 + .33333²/2) = .81859 / .10220 = 8.01; two-sided p = .0135.
    test = welch_t_test(n1=8, total1=40, total_sq1=232, n2=3, total2=6, total_sq2=14)
    assert test.difference == pytest.approx(3.0)
    assert round(test.se, 3) == 0.951
    assert round(test.t, 3) == 3.154
    assert round(test.df, 2) == 8.01
    assert round(test.p_value, 4) == 0.0135
    # The interval uses t(8.01) = 2.306: 3 ± 2.306·.95119 = .807 … 5.193.
    assert (round(test.ci_low, 3), round(test.ci_high, 3)) == (0.807, 5.193)


def test_welch_t_test_is_antisymmetric_and_needs_two_answers_each():
    a = dict(n1=8, total1=40, total_sq1=232, n2=3, total2=6, total_sq2=14)
    b = dict(n1=3, total1=6, total_sq1=14, n2=8, total2=40, total_sq2=232)
    assert welch_t_test(**b).t == pytest.approx(-welch_t_test(**a).t)
    assert welch_t_test(n1=1, total1=5, total_sq1=25, n2=3, total2=6, total_sq2=14) is None
    assert welch_t_test(n1=2, total1=8, total_sq1=32, n2=2, total2=4, total_sq2=8) is None


def test_benjamini_hochberg_matches_hand_computation():
    # Sorted p: .01 (rank 1), .03 (2), .04 (3), .20 (4); m = 4.
    # raw p·m/rank: .04, .06, .0533, .20 → running minimum from the top: .04, .0533, .0533, .20.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20, None])
    assert q[0] == pytest.approx(0.04)
    assert q[1] == pytest.approx(0.16 / 3)
    assert q[2] == pytest.approx(0.16 / 3)
    assert q[3] == pytest.approx(0.20)
    assert q[4] is None


def test_benjamini_hochberg_never_lowers_a_p_value_and_caps_at_one():
    ps = [0.5, 0.9, 0.001, 0.04]
    q = benjamini_hochberg(ps)
    assert all(qi >= pi for qi, pi in zip(q, ps, strict=True))
    assert max(q) <= 1.0
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError):
        benjamini_hochberg([1.5])


def test_ces_easy_share_is_a_wilson_proportion():
    # 45 of 60 answers 5–7 → 75 %, Wilson 95 % CI 62.77 … 84.22 (as stats.proportion).
    est = ces_easy_share(n=60, easy=45)
    assert est.value == pytest.approx(75.0)
    assert (round(est.ci_low, 2), round(est.ci_high, 2)) == (62.77, 84.22)


def test_rating_counts_add_up():
    a = RatingCounts(n=3, total=6, total_sq=14, top=1)
    b = RatingCounts(n=8, total=40, total_sq=232, top=4)
    assert a + b == RatingCounts(n=11, total=46, total_sq=246, top=5)
    assert math.isclose((a + b).total / (a + b).n, 46 / 11)
