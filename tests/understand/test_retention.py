"""Retention, cohorts and churn by NPS category against hand-counted customer sets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response
from otklik.understand.retention import (
    churn_by_nps,
    churn_rate,
    cohort_table,
    retention_rate,
    retention_series,
)

AS_OF = datetime(2024, 5, 15, 12, tzinfo=UTC)


def d(month: int, day: int, year: int = 2024) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# name: (acquired_at, churned_at). Periods are [start, end): a customer acquired exactly at
# a boundary is new in the period that starts there; one who churned exactly at a boundary
# was still active at it and is lost in the period that starts there.
CUSTOMERS = {
    "A": (d(12, 10, 2023), None),
    "B": (d(12, 20, 2023), d(2, 5)),
    "C": (d(1, 5), None),
    "D": (d(1, 20), d(1, 25)),  # new and lost within January
    "E": (d(2, 1), d(4, 1)),  # both exactly on boundaries
    "F": (d(3, 15), None),
    "F2": (d(3, 3), d(4, 15)),
    "G": (d(4, 10), d(4, 20)),
    "H": (d(5, 2), None),  # the current, incomplete month
    "X": (None, None),  # no acquisition date: no lifecycle, left out
}


@pytest.fixture
def customers(session):
    rows = {
        name: Customer(external_id=name, acquired_at=a, churned_at=c)
        for name, (a, c) in CUSTOMERS.items()
    }
    session.add_all(rows.values())
    session.flush()
    # March cohort answers: F 10 and 9, F2 3 → n 3, promoters 2, detractors 1 → NPS +33.3.
    for name, score in (("F", 10), ("F", 9), ("F2", 3)):
        session.add(Response(customer_id=rows[name].id, nps=score, submitted_at=d(4, 1)))
    session.commit()
    return rows


def test_retention_rate_formula_matches_the_textbook_example():
    assert retention_rate(start=200, end=210, new=30) == 90.0
    assert retention_rate(start=0, end=5, new=5) is None
    assert churn_rate(start=200, lost=20) == 10.0
    with pytest.raises(ValueError):
        churn_rate(start=5, lost=6)


def test_retention_per_month_matches_hand_counts(session, customers):
    series = retention_series(session=session, as_of=AS_OF, period="month", periods=4)

    got = [
        (
            p.start.month,
            p.customers_start,
            p.new,
            p.customers_end,
            p.lost,
            p.new_lost,
            p.retention_rate,
            p.churn_rate,
        )
        for p in series.periods
    ]
    # Jan: S = A, B; N = C, D; E (Feb 1) = A, B, C (E joins *at* Feb 1, D left) → (3−2)/2.
    # Feb: S = A, B, C; N = E; B lost; E (Mar 1) = A, C, E → (3−1)/3.
    # Mar: S = A, C, E; N = F, F2; E (Apr 1) = A, C, E (leaves *at* Apr 1), F, F2 → (5−2)/3.
    # Apr: S = A, C, E, F, F2; N = G; E and F2 lost, G new and lost; E (May 1) = A, C, F
    #      → (3−1)/5 = 40 %, churn 2/5 = 40 %.
    assert got == [
        (1, 2, 2, 3, 0, 1, 50.0, 0.0),
        (2, 3, 1, 3, 1, 0, 66.7, 33.3),
        (3, 3, 2, 5, 0, 0, 100.0, 0.0),
        (4, 5, 1, 3, 2, 1, 40.0, 40.0),
    ]
    # The current month (May) is not complete and is left out.
    assert series.periods[-1].end == d(5, 1)
    april = series.periods[-1]
    assert april.churn_ci_low < 40.0 < april.churn_ci_high


def test_quarterly_retention_counts_the_whole_quarter(session, customers):
    [q1] = retention_series(session=session, as_of=AS_OF, period="quarter", periods=1).periods
    # Q1 2024: S = A, B; N = C, D, E, F, F2; lost B; E (Apr 1) = A, C, E, F, F2 → (5−5)/2 = 0.
    assert (q1.start, q1.end) == (d(1, 1), d(4, 1))
    assert (q1.customers_start, q1.new, q1.customers_end, q1.lost) == (2, 5, 5, 1)
    assert q1.retention_rate == 0.0
    assert q1.churn_rate == 50.0


def test_cohort_table_leaves_immature_cells_empty_not_zero(session, customers):
    table = cohort_table(session=session, as_of=AS_OF, months=4, min_n=1)

    got = {row.cohort.month: (row.customers, row.retention) for row in table.cohorts}
    # Feb cohort = E (leaves Apr 1): active at end of Feb, end of Mar, gone at end of Apr.
    # Mar cohort = F, F2 (F2 leaves Apr 15). Apr cohort = G (joins and leaves in April).
    # May is the current month: every cell is immature (None), and so is age 3 of Feb, etc.
    assert got == {
        2: (1, [100.0, 100.0, 0.0, None]),
        3: (2, [100.0, 50.0, None, None]),
        4: (1, [0.0, None, None, None]),
        5: (1, [None, None, None, None]),
    }
    march = next(r for r in table.cohorts if r.cohort.month == 3)
    assert (march.nps.n, march.nps.promoters, march.nps.detractors) == (3, 2, 1)
    assert march.nps.value == 33.3


def test_cohort_nps_is_withheld_below_min_n(session, customers):
    table = cohort_table(session=session, as_of=AS_OF, months=4, min_n=30)
    march = next(r for r in table.cohorts if r.cohort.month == 3)
    assert march.nps.n == 3 and not march.nps.enough_data and march.nps.value is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"periods": 0}, "periods"), ({"periods": 500}, "periods"), ({"period": "week"}, "period")],
)
def test_bad_retention_parameters_name_the_field(session, kwargs, field):
    with pytest.raises(ValidationFailed) as err:
        retention_series(session=session, as_of=AS_OF, **kwargs)
    assert err.value.field == field


def _customer_with_answers(session, *, scores, churned_at=None, dates=None):
    c = Customer(acquired_at=d(1, 1, 2023), churned_at=churned_at)
    session.add(c)
    session.flush()
    for i, score in enumerate(scores):
        at = dates[i] if dates else d(1, 1 + i)
        session.add(Response(customer_id=c.id, nps=score, submitted_at=at))
    return c


def test_churn_by_latest_nps_category_with_a_significant_difference(session):
    # Detractors: 40, of whom 20 left. Promoters: 50, 5 left. Passives: 10, 2 left.
    for i in range(40):
        _customer_with_answers(session, scores=[2], churned_at=d(3, 1) if i < 20 else None)
    for i in range(50):
        _customer_with_answers(session, scores=[10], churned_at=d(3, 1) if i < 5 else None)
    for i in range(10):
        _customer_with_answers(session, scores=[8], churned_at=d(3, 1) if i < 2 else None)
    # The latest answer decides: a detractor who became a promoter counts as a promoter
    # (and stays). An answer given after leaving does not count: this one stays a detractor.
    _customer_with_answers(session, scores=[1, 9])
    _customer_with_answers(session, scores=[3, 10], churned_at=d(2, 1), dates=[d(1, 10), d(2, 20)])
    # A customer who left after AS_OF has not left yet.
    _customer_with_answers(session, scores=[10], churned_at=d(6, 1))
    session.commit()

    report = churn_by_nps(session=session, as_of=AS_OF, min_n=30)

    cats = {c.category: (c.customers, c.churned, c.churn_rate) for c in report.categories}
    assert cats["detractor"] == (41, 21, round(100 * 21 / 41, 1))
    assert cats["promoter"] == (52, 5, round(100 * 5 / 52, 1))
    assert cats["passive"] == (10, 2, None)  # below min_n: the rate is withheld
    test = report.detractor_vs_promoter
    assert test is not None and test.significant
    # Hand check: p1 = 21/41 = .5122, p2 = 5/52 = .0962, pooled 26/93 = .2796,
    # se = √(.2796·.7204·(1/41 + 1/52)) = .0939 → z = 4.43.
    assert test.difference == round(100 * (21 / 41 - 5 / 52), 1)
    assert test.z == pytest.approx(4.43, abs=0.01)
    assert test.ratio == round((21 / 41) / (5 / 52), 2)


def test_churn_by_nps_has_no_test_without_enough_customers(session):
    _customer_with_answers(session, scores=[2], churned_at=d(3, 1))
    session.commit()
    report = churn_by_nps(session=session, as_of=AS_OF, min_n=30)
    assert report.detractor_vs_promoter is None
    assert [c.customers for c in report.categories] == [0, 0, 1]
