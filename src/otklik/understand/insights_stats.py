"""Pure formulas the insight pages need beyond ``stats.py``: two proportions, AUC uncertainty.

Kept apart from ``stats.py`` (the metric formulas) so each stays small; the
same rule holds: counts in, value + interval + test out, no I/O.
"""

from __future__ import annotations

import math

from scipy.special import ndtr

from otklik.understand.stats import DEFAULT_CONFIDENCE, DifferenceTest, z_quantile


def proportion_difference_test(
    *,
    successes_1: int,
    n_1: int,
    successes_2: int,
    n_2: int,
    confidence: float = DEFAULT_CONFIDENCE,
) -> DifferenceTest | None:
    """Is the share in group 1 different from group 2? Difference in percentage points.

    The z statistic uses the pooled share (the test under "no difference");
    the interval uses the unpooled standard error (Wald), as textbooks pair them.
    None when a group is empty or nobody (or everybody) in both groups succeeded.
    Example: 30 of 100 vs 15 of 100 → +15.0 points, z = 2.540, p = 0.0111,
    95 % CI 3.61 … 26.39.
    """
    for s, n, name in ((successes_1, n_1, "1"), (successes_2, n_2, "2")):
        if n < 0 or s < 0 or s > n:
            raise ValueError(f"group {name}: need 0 <= successes <= n")
    if n_1 == 0 or n_2 == 0:
        return None
    p1, p2 = successes_1 / n_1, successes_2 / n_2
    pooled = (successes_1 + successes_2) / (n_1 + n_2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_1 + 1 / n_2))
    if se_pooled == 0.0:
        return None
    se = math.sqrt(p1 * (1 - p1) / n_1 + p2 * (1 - p2) / n_2)
    z = (p1 - p2) / se_pooled
    half = z_quantile(confidence) * se
    return DifferenceTest(
        difference=100.0 * (p1 - p2),
        se=100.0 * se,
        z=z,
        p_value=float(2.0 * ndtr(-abs(z))),
        ci_low=100.0 * (p1 - p2 - half),
        ci_high=100.0 * (p1 - p2 + half),
    )


def auc_standard_error(*, auc: float, positives: int, negatives: int) -> float:
    """Hanley & McNeil (1982) standard error of an ROC AUC from the class sizes.

    Good enough to say whether a held-out AUC of 0.70 on 40 churners is
    distinguishable from a coin (0.5). Example: AUC 0.8, 50 vs 450 → 0.0385.
    """
    if positives < 1 or negatives < 1:
        raise ValueError("AUC needs at least one positive and one negative")
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    var = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / (positives * negatives)
    return math.sqrt(max(var, 0.0))
