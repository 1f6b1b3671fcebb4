"""Pure formulas: sufficient statistics (counts) in, value + standard error + interval out.

The query layer (``metrics.py``) only produces counts with ``GROUP BY``; every
number a user sees is computed here, from those counts, with no I/O. Counts
add up (``NpsCounts + NpsCounts``), so the same code serves one branch or a
whole company, a day or a year.

Scales: NPS is in points (−100…100); proportions (CSAT top-2-box) are in
percent (0…100); means keep the answer scale (e.g. CES 1…7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

# scipy.special holds the distribution functions scipy.stats wraps, at a third of the import
# cost (every CLI command and web process imports this module).
from scipy.special import ndtr, ndtri, stdtr, stdtrit

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A metric value with its uncertainty. ``value`` is None when there is no data (n = 0);
    ``se``/``ci_*`` are None when the data cannot give an interval (e.g. a mean of one answer)."""

    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class NpsCounts:
    """Sufficient statistics of NPS: answers (0–10), promoters (9–10), detractors (0–6)."""

    n: int = 0
    promoters: int = 0
    detractors: int = 0

    def __post_init__(self) -> None:
        if min(self.n, self.promoters, self.detractors) < 0:
            raise ValueError("NPS counts cannot be negative")
        if self.promoters + self.detractors > self.n:
            raise ValueError("promoters + detractors cannot exceed n")

    @property
    def passives(self) -> int:
        return self.n - self.promoters - self.detractors

    def __add__(self, other: NpsCounts) -> NpsCounts:
        return NpsCounts(
            n=self.n + other.n,
            promoters=self.promoters + other.promoters,
            detractors=self.detractors + other.detractors,
        )


@dataclass(frozen=True)
class DifferenceTest:
    """Two-sided z test of a difference between two groups (``difference`` = first − second)."""

    difference: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float


@lru_cache(maxsize=64)  # scipy quantiles cost ~50 µs; dashboards ask for the same few
def z_quantile(confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Two-sided normal critical value: 1.959964 for 95 %."""
    _check_confidence(confidence)
    return float(ndtri(0.5 + confidence / 2))


@lru_cache(maxsize=1024)
def t_quantile(df: int, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Two-sided Student t critical value with ``df`` degrees of freedom (2.364624 for df=7)."""
    _check_confidence(confidence)
    if df < 1:
        raise ValueError("t quantile needs at least one degree of freedom")
    return float(stdtrit(df, 0.5 + confidence / 2))


def enough_data(n: int, min_n: int) -> bool:
    """Whether ``n`` answers are enough to show a number (below it the UI says so instead)."""
    return n > 0 and n >= min_n


def nps_variance(*, promoters: float, detractors: float, n: float) -> float:
    """Per-answer variance of the NPS score (+1/0/−1): V = p + d − (p − d)²."""
    p, d = promoters / n, detractors / n
    return max(p + d - (p - d) ** 2, 0.0)


def nps(
    counts: NpsCounts, *, method: str = "wald", confidence: float = DEFAULT_CONFIDENCE
) -> Estimate:
    """NPS = 100·(p − d) with a normal interval, SE = 100·√(V/n).

    ``method="wald"`` is the textbook interval (exact at p, d; collapses to a
    point when everyone answers alike). ``method="adjusted-wald"`` centres the
    interval on (P+¾, D+¾)/(n+3) — better coverage for small n and extreme
    shares, and a sane width at NPS 100; the dashboard uses it. ``value`` is
    always the plain NPS. Example: n=200, P=100, D=40 → 30.0, Wald ±10.82,
    adjusted-Wald 29.56 ± 10.74.
    """
    if counts.n == 0:
        return Estimate(value=None, se=None, ci_low=None, ci_high=None, n=0)
    value = 100.0 * (counts.promoters - counts.detractors) / counts.n
    se = 100.0 * math.sqrt(
        nps_variance(promoters=counts.promoters, detractors=counts.detractors, n=counts.n)
        / counts.n
    )
    if method == "wald":
        centre, half = value, z_quantile(confidence) * se
    elif method == "adjusted-wald":
        n_adj = counts.n + 3
        p_adj, d_adj = counts.promoters + 0.75, counts.detractors + 0.75
        centre = 100.0 * (p_adj - d_adj) / n_adj
        v_adj = nps_variance(promoters=p_adj, detractors=d_adj, n=n_adj)
        half = z_quantile(confidence) * 100.0 * math.sqrt(v_adj / n_adj)
    else:
        raise ValueError(f"unknown NPS interval method {method!r} (wald, adjusted-wald)")
    return Estimate(
        value=value,
        se=se,
        ci_low=max(centre - half, -100.0),
        ci_high=min(centre + half, 100.0),
        n=counts.n,
    )


def nps_difference_test(
    first: NpsCounts, second: NpsCounts, *, confidence: float = DEFAULT_CONFIDENCE
) -> DifferenceTest | None:
    """Is the NPS of ``first`` different from ``second``? Z = ΔNPS / √(V₁/n₁ + V₂/n₂).

    Independent samples (two periods, two branches). None when a group is empty
    or both have zero variance (no test is possible). Example: 30.0 (n=200) vs
    16.0 (n=250) → Z = 1.886, p = 0.059.
    """
    if first.n == 0 or second.n == 0:
        return None
    v1 = nps_variance(promoters=first.promoters, detractors=first.detractors, n=first.n)
    v2 = nps_variance(promoters=second.promoters, detractors=second.detractors, n=second.n)
    se = 100.0 * math.sqrt(v1 / first.n + v2 / second.n)
    if se == 0.0:
        return None
    diff = nps(first).value - nps(second).value  # type: ignore[operator]
    z = diff / se
    half = z_quantile(confidence) * se
    return DifferenceTest(
        difference=diff,
        se=se,
        z=z,
        p_value=float(2.0 * ndtr(-abs(z))),
        ci_low=diff - half,
        ci_high=diff + half,
    )


def proportion(*, successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """A share in percent with the Wilson score interval (honest near 0 % and 100 %).

    Example: 45 of 60 → 75.0 %, 95 % CI 62.78 … 84.23.
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("need 0 <= successes <= n")
    if n == 0:
        return Estimate(value=None, se=None, ci_low=None, ci_high=None, n=0)
    p = successes / n
    z = z_quantile(confidence)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Estimate(
        value=100.0 * p,
        se=100.0 * math.sqrt(p * (1 - p) / n),
        ci_low=100.0 * max(centre - half, 0.0),
        ci_high=100.0 * min(centre + half, 1.0),
        n=n,
    )


def csat(*, n: int, top2: int, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """CSAT as the top-2-box share (answers 4–5 of 5), in percent, Wilson interval."""
    return proportion(successes=top2, n=n, confidence=confidence)


def mean(
    *, n: int, total: float, total_sq: float, confidence: float = DEFAULT_CONFIDENCE
) -> Estimate:
    """A mean (CES, CSAT average) with a Student t interval from (n, Σx, Σx²).

    Example: 2,4,4,4,5,5,7,9 → n=8, Σx=40, Σx²=232 → 5.0, 95 % CI 3.21 … 6.79.
    """
    if n < 0:
        raise ValueError("n cannot be negative")
    if n == 0:
        return Estimate(value=None, se=None, ci_low=None, ci_high=None, n=0)
    value = total / n
    if n == 1:
        return Estimate(value=value, se=None, ci_low=None, ci_high=None, n=1)
    # Σx² − (Σx)²/n can dip below zero by rounding when all answers are equal.
    variance = max((total_sq - total * total / n) / (n - 1), 0.0)
    se = math.sqrt(variance / n)
    half = t_quantile(n - 1, confidence) * se
    return Estimate(value=value, se=se, ci_low=value - half, ci_high=value + half, n=n)


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.95")


# --- Comparisons of two groups and many at once -------------------------------------------


def proportion_difference_test(
    *,
    successes1: int,
    n1: int,
    successes2: int,
    n2: int,
    confidence: float = DEFAULT_CONFIDENCE,
) -> DifferenceTest | None:
    """Two-proportion z test (CSAT top-2-box, % easy), difference in percentage points.

    The z statistic uses the pooled share (the textbook test of "no difference");
    the interval uses the unpooled SE (it describes the difference itself).
    Example: 45/60 vs 30/60 → +25.0 points, z = 2.828, p = 0.0047.
    """
    for s, n in ((successes1, n1), (successes2, n2)):
        if n < 0 or s < 0 or s > n:
            raise ValueError("need 0 <= successes <= n")
    if n1 == 0 or n2 == 0:
        return None
    p1, p2 = successes1 / n1, successes2 / n2
    pooled = (successes1 + successes2) / (n1 + n2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se_pooled == 0.0:
        return None
    z = (p1 - p2) / se_pooled
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    half = z_quantile(confidence) * se
    return DifferenceTest(
        difference=100.0 * (p1 - p2),
        se=100.0 * se,
        z=z,
        p_value=float(2.0 * ndtr(-abs(z))),
        ci_low=100.0 * (p1 - p2 - half),
        ci_high=100.0 * (p1 - p2 + half),
    )


@dataclass(frozen=True)
class WelchTest:
    """Welch's unequal-variance t test of two means (``difference`` = first − second)."""

    difference: float
    se: float
    t: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float


def welch_t_test(
    *,
    n1: int,
    total1: float,
    total_sq1: float,
    n2: int,
    total2: float,
    total_sq2: float,
    confidence: float = DEFAULT_CONFIDENCE,
) -> WelchTest | None:
    """Are two means (CES, CSAT average) different? From (n, Σx, Σx²) of each group.

    t = (x̄₁ − x̄₂)/√(s₁²/n₁ + s₂²/n₂) with Welch–Satterthwaite degrees of freedom.
    None when a group has fewer than two answers or both have zero variance.
    Example: 2,4,4,4,5,5,7,9 vs 1,2,3 → Δ = 3.0, SE = 0.951, t = 3.154, df = 8.01, p = 0.0135.
    """
    if n1 < 2 or n2 < 2:
        return None
    m1, m2 = total1 / n1, total2 / n2
    v1 = max((total_sq1 - total1 * total1 / n1) / (n1 - 1), 0.0) / n1
    v2 = max((total_sq2 - total2 * total2 / n2) / (n2 - 1), 0.0) / n2
    se = math.sqrt(v1 + v2)
    if se == 0.0:
        return None
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    t = (m1 - m2) / se
    half = float(stdtrit(df, 0.5 + confidence / 2)) * se
    return WelchTest(
        difference=m1 - m2,
        se=se,
        t=t,
        df=df,
        p_value=float(2.0 * stdtr(df, -abs(t))),
        ci_low=m1 - m2 - half,
        ci_high=m1 - m2 + half,
    )


def benjamini_hochberg(p_values: list[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order; None stays None.

    When a dashboard compares 40 branches at once, about two would look
    "significant" at p < 0.05 by chance alone; comparing q-values to 0.05 keeps
    the expected share of false discoveries at 5 %. Example: [0.01, 0.04, 0.03,
    0.20] → [0.04, 0.0533, 0.0533, 0.20].
    """
    indexed = [(p, i) for i, p in enumerate(p_values) if p is not None]
    for p, _ in indexed:
        if not 0.0 <= p <= 1.0:
            raise ValueError("p-values must be between 0 and 1")
    m = len(indexed)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank, (p, i) in reversed(list(enumerate(sorted(indexed), start=1))):
        running = min(running, p * m / rank)
        adjusted[i] = running
    return adjusted


# --- CES and other ratings --------------------------------------------------------------------

CSAT_TOP2_MIN = 4  # CSAT 1–5: 4 and 5 are "satisfied"
CES_EASY_MIN = 5  # CES 1–7 ("the company made it easy"): 5, 6, 7 are "easy"


def ces_easy_share(*, n: int, easy: int, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Share of CES answers 5–7 ("easy") in percent, with a Wilson interval."""
    return proportion(successes=easy, n=n, confidence=confidence)


@dataclass(frozen=True)
class RatingCounts:
    """Sufficient statistics of a rating question: answers, Σx, Σx², and answers at or above a
    cut-off (``top``: top-2-box for CSAT, "easy" for CES). They add up like ``NpsCounts``."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    top: int = 0

    def __add__(self, other: RatingCounts) -> RatingCounts:
        return RatingCounts(
            n=self.n + other.n,
            total=self.total + other.total,
            total_sq=self.total_sq + other.total_sq,
            top=self.top + other.top,
        )
