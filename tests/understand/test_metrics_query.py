"""The query layer against hand counts, per dimension, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Response, Survey
from otklik.org.models import Unit
from otklik.understand.metrics import Counts, MetricQuery, grouped_counts
from otklik.understand.stats import NpsCounts, RatingCounts

T0 = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
END = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def world(session, seed):
    """Two branches under a region under the company; responses with every dimension set."""
    company, branch = seed["company"], seed["branch"]  # branch msk-1 sits under the company
    region = Unit(code="north", name="North", kind="region", parent_id=company.id)
    session.add(region)
    session.flush()
    region.path = f"{company.path}{region.id}/"
    spb = Unit(code="spb-1", name="Saint Petersburg 1", kind="branch", parent_id=region.id)
    session.add(spb)
    session.flush()
    spb.path = f"{region.path}{spb.id}/"
    vip = Customer(external_id="c1", segment="premium", attributes={"tier": "gold", "age": 41})
    mass = Customer(external_id="c2", segment="mass", attributes={"tier": "basic"})
    session.add_all([vip, mass])
    session.flush()
    tps = seed["touchpoints"]
    survey = seed["survey"]
    other = Survey(slug="chat-csat", title="Chat CSAT", status="published", definition={})
    session.add(other)
    session.flush()
    plan = [
        # at, touchpoint, unit, customer, survey, channel, language, source, nps, csat, ces
        (T0, "web-apply", branch, vip, survey, "web", "ru", "survey", 10, 5, 7),
        (T0 + timedelta(days=6), "web-apply", spb, mass, survey, "web", "en", "widget", 6, 3, 2),
        (T0 + timedelta(days=7), "branch-visit", spb, vip, None, "branch", "ru", "api", 9, 4, 5),
        (T0 + timedelta(days=40), "support-chat", None, None, other, "chat", "ru", "api", 3, None,
         4),
        (T0 + timedelta(days=95), "support-chat", branch, mass, other, "chat", None, "api", None,
         5, None),
        (T0 + timedelta(days=100), None, region, None, None, None, "en", "import", 8, 1, 6),
    ]  # fmt: skip
    for at, tp, unit, cust, sv, channel, lang, source, nps, csat, ces in plan:
        session.add(
            Response(
                submitted_at=at,
                touchpoint_id=tps[tp].id if tp else None,
                unit_id=unit.id if unit else None,
                customer_id=cust.id if cust else None,
                survey_id=sv.id if sv else None,
                channel=channel,
                language=lang,
                source=source,
                nps=nps,
                csat=csat,
                ces=ces,
            )
        )
    session.commit()
    return {"region": region, "spb": spb}


def _by(session, *by, **filters) -> dict:
    q = MetricQuery.make(since=T0, until=END, by=by, filters=filters)
    return {tuple(g.keys.values()): g.counts for g in grouped_counts(session=session, query=q)}


def _nps(counts: Counts) -> tuple[int, int, int]:
    return counts.nps.n, counts.nps.promoters, counts.nps.detractors


def test_overall_counts_every_metric(session, world):
    [total] = _by(session).values()
    assert total.responses == 6
    assert total.nps == NpsCounts(n=5, promoters=2, detractors=2)
    # CSAT answers 5,3,4,5,1: top-2-box = 3; Σ = 18; Σ² = 25+9+16+25+1 = 76
    assert total.csat == RatingCounts(n=5, total=18, total_sq=76, top=3)
    # CES answers 7,2,5,4,6: easy (5–7) = 3; Σ = 24; Σ² = 49+4+25+16+36 = 130
    assert total.ces == RatingCounts(n=5, total=24, total_sq=130, top=3)


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("touchpoint", {("web-apply",): (2, 1, 1), ("branch-visit",): (1, 1, 0),
                        ("support-chat",): (1, 0, 1), (None,): (1, 0, 0)}),
        ("stage", {(None,): (1, 0, 0)}),  # stage keys are ids; checked by name below
        ("journey", {("onboarding",): (4, 2, 2), (None,): (1, 0, 0)}),
        ("channel", {("web",): (2, 1, 1), ("branch",): (1, 1, 0), ("chat",): (1, 0, 1),
                     (None,): (1, 0, 0)}),
        ("language", {("ru",): (3, 2, 1), ("en",): (2, 0, 1)}),
        ("source", {("survey",): (1, 1, 0), ("widget",): (1, 0, 1), ("api",): (2, 1, 1),
                    ("import",): (1, 0, 0)}),
        ("survey", {("onboarding-nps",): (2, 1, 1), ("chat-csat",): (1, 0, 1),
                    (None,): (2, 1, 0)}),
        ("segment", {("premium",): (2, 2, 0), ("mass",): (1, 0, 1), (None,): (2, 0, 1)}),
        ("attribute:tier", {("gold",): (2, 2, 0), ("basic",): (1, 0, 1), (None,): (2, 0, 1)}),
        ("month", {("2024-01",): (3, 2, 1), ("2024-02",): (1, 0, 1), ("2024-04",): (1, 0, 0)}),
        ("week", {("2024-W01",): (2, 1, 1), ("2024-W02",): (1, 1, 0), ("2024-W06",): (1, 0, 1),
                  ("2024-W15",): (1, 0, 0)}),
        ("quarter", {("2024-Q1",): (4, 2, 2), ("2024-Q2",): (1, 0, 0)}),
        ("day", {("2024-01-01",): (1, 1, 0), ("2024-01-07",): (1, 0, 1),
                 ("2024-01-08",): (1, 1, 0), ("2024-02-10",): (1, 0, 1),
                 ("2024-04-10",): (1, 0, 0)}),
    ],
)  # fmt: skip
def test_each_dimension_matches_a_hand_count(session, world, dimension, expected):
    found = {k: _nps(c) for k, c in _by(session, dimension).items() if c.nps.n}
    if dimension == "stage":
        assert found[(None,)] == expected[(None,)]
        assert sorted(v for k, v in found.items() if k != (None,)) == [(1, 0, 1), (3, 2, 1)]
    else:
        assert found == expected


def test_units_roll_up_the_hierarchy(session, world, seed):
    found = {k[0]: c for k, c in _by(session, "unit").items()}
    # responses at: msk-1 (nps 10; the csat-only one), spb-1 (6, 9), north (8); one without unit
    assert _nps(found["msk-1"]) == (1, 1, 0) and found["msk-1"].responses == 2
    assert _nps(found["spb-1"]) == (2, 1, 1)
    assert _nps(found["north"]) == (3, 1, 1)  # itself + spb-1 below it
    assert _nps(found["acme"]) == (4, 2, 1)  # everything with a unit
    assert found[None].responses == 1


def test_unit_filter_takes_the_subtree_and_rolls_up_inside_it(session, world):
    found = {k[0]: _nps(c) for k, c in _by(session, "unit", unit=["north"]).items()}
    assert found == {"north": (3, 1, 1), "spb-1": (2, 1, 1)}


def test_filters_combine_and_accept_journey_and_stage(session, world, seed):
    [web] = _by(session, channel=["web"], language=["ru"]).values()
    assert _nps(web) == (1, 1, 0)
    [journey] = _by(session, journey=["onboarding"]).values()
    assert _nps(journey) == (4, 2, 2)
    stage = seed["stages"][0]
    [apply] = _by(session, stage=[str(stage.id)]).values()
    assert _nps(apply) == (3, 2, 1)
    [premium] = _by(session, segment=["premium"]).values()
    assert _nps(premium) == (2, 2, 0)


def test_two_dimensions_group_by_both(session, world):
    found = {k: _nps(c) for k, c in _by(session, "touchpoint", "month").items() if c.nps.n}
    assert found[("web-apply", "2024-01")] == (2, 1, 1)
    assert found[("support-chat", "2024-02")] == (1, 0, 1)
    assert found[(None, "2024-04")] == (1, 0, 0)


def test_window_split_gives_both_periods_in_one_scan(session, world):
    split = T0 + timedelta(days=30)
    q = MetricQuery.make(since=T0, until=END, by=("channel",), split_at=split)
    found = {(g.keys["channel"], g.window): _nps(g.counts) for g in grouped_counts(
        session=session, query=q) if g.counts.nps.n}  # fmt: skip
    assert found == {("web", 0): (2, 1, 1), ("branch", 0): (1, 1, 0), ("chat", 1): (1, 0, 1),
                     (None, 1): (1, 0, 0)}  # fmt: skip


@pytest.mark.parametrize(
    ("by", "filters", "field"),
    [
        (("planet",), {}, "by"),
        (("month", "week"), {}, "by"),
        (("attribute:drop table",), {}, "by"),
        ((), {"touchpoint": ["nope"]}, "touchpoint"),
        ((), {"unit": ["nowhere"]}, "unit"),
        ((), {"colour": ["red"]}, "colour"),
    ],
)
def test_bad_dimensions_and_filters_are_refused_naming_the_field(session, seed, by, filters, field):
    with pytest.raises(ValidationFailed) as exc:
        _by(session, *by, **filters)
    assert exc.value.field == field


def test_queries_by_different_periods_and_attributes_in_one_process_each_group_their_own(
    session, world
):
    # The compiled-SQL cache must key on the period and the attribute name: a month query
    # must not make the next week query group by month (nor tier answer for age).
    for _ in range(2):
        assert set(_by(session, "month")) == {("2024-01",), ("2024-02",), ("2024-04",)}
        assert ("2024-W02",) in _by(session, "week")
        assert ("gold",) in _by(session, "attribute:tier")
        assert ("41",) in _by(session, "attribute:age")


def test_several_split_points_number_the_windows_in_one_scan(session, world):
    splits = (T0 + timedelta(days=7), T0 + timedelta(days=95))  # each point opens a window
    q = MetricQuery.make(since=T0, until=END, split_at=splits)
    found = {g.window: g.counts.responses for g in grouped_counts(session=session, query=q)}
    assert found == {0: 2, 1: 2, 2: 2}
