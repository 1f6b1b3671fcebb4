"""NPS counts from the database equal a hand count, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.errors import ValidationFailed
from otklik.listen.models import Response
from otklik.understand.metrics import nps_counts
from otklik.understand.stats import NpsCounts

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def _add(session, *, nps, at, touchpoint=None, csat=None):
    session.add(
        Response(
            nps=nps,
            csat=csat,
            submitted_at=at,
            touchpoint_id=touchpoint.id if touchpoint is not None else None,
            source="api",
        )
    )


def test_overall_counts_equal_hand_count(session, seed):
    web = seed["touchpoints"]["web-apply"]
    scores = [10, 9, 9, 8, 7, 6, 5, 0, 10, 3]  # promoters 4, passives 2, detractors 4
    for i, score in enumerate(scores):
        _add(session, nps=score, at=T0 + timedelta(hours=i), touchpoint=web)
    session.commit()

    [group] = nps_counts(session=session, since=T0, until=T0 + timedelta(days=1))

    assert group.key is None
    assert group.nps == NpsCounts(n=10, promoters=4, detractors=4)
    assert group.nps.passives == 2
    assert group.responses == 10


def test_counts_grouped_by_touchpoint(session, seed):
    tps = seed["touchpoints"]
    plan = {
        "web-apply": [10, 10, 9, 7, 2],  # P3 D1
        "branch-visit": [6, 6, 8],  # P0 D2
        "support-chat": [],
    }
    for code, scores in plan.items():
        for score in scores:
            _add(session, nps=score, at=T0, touchpoint=tps[code])
    _add(session, nps=9, at=T0)  # no touchpoint: its own group, key None
    session.commit()

    groups = {
        g.key: g
        for g in nps_counts(session=session, since=T0, until=T0 + timedelta(1), by="touchpoint")
    }

    assert set(groups) == {tps["web-apply"].id, tps["branch-visit"].id, None}
    assert groups[tps["web-apply"].id].nps == NpsCounts(5, 3, 1)
    assert groups[tps["branch-visit"].id].nps == NpsCounts(3, 0, 2)
    assert groups[None].nps == NpsCounts(1, 1, 0)
    total = sum((g.nps for g in groups.values()), NpsCounts())
    [overall] = nps_counts(session=session, since=T0, until=T0 + timedelta(1))
    assert total == overall.nps  # counts add up: groups merge into the total


def test_date_range_includes_since_and_excludes_until(session, seed):
    web = seed["touchpoints"]["web-apply"]
    since, until = T0, T0 + timedelta(days=7)
    _add(session, nps=10, at=since - timedelta(microseconds=1))  # before: out
    _add(session, nps=9, at=since, touchpoint=web)  # exactly since: in
    _add(session, nps=0, at=until - timedelta(seconds=1), touchpoint=web)  # last second: in
    _add(session, nps=10, at=until, touchpoint=web)  # exactly until: out
    session.commit()

    [group] = nps_counts(session=session, since=since, until=until)

    assert group.nps == NpsCounts(n=2, promoters=1, detractors=1)
    assert group.responses == 2


def test_responses_without_nps_count_as_responses_not_nps_answers(session, seed):
    web = seed["touchpoints"]["web-apply"]
    _add(session, nps=10, at=T0, touchpoint=web)
    _add(session, nps=None, csat=5, at=T0, touchpoint=web)
    _add(session, nps=None, csat=2, at=T0, touchpoint=web)
    session.commit()

    [overall] = nps_counts(session=session, since=T0, until=T0 + timedelta(1))
    [by_tp] = nps_counts(session=session, since=T0, until=T0 + timedelta(1), by="touchpoint")

    for group in (overall, by_tp):
        assert group.responses == 3
        assert group.nps == NpsCounts(n=1, promoters=1, detractors=0)


def test_empty_range_gives_one_zero_group_overall_and_none_by_touchpoint(session, seed):
    [overall] = nps_counts(session=session, since=T0, until=T0 + timedelta(1))
    assert overall.nps == NpsCounts() and overall.responses == 0
    assert nps_counts(session=session, since=T0, until=T0 + timedelta(1), by="touchpoint") == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"since": T0 + timedelta(1), "until": T0}, "since"),
        ({"since": datetime(2024, 3, 1), "until": T0}, "since"),  # naive
        ({"since": T0, "until": T0, "by": "planet"}, "by"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(session, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        nps_counts(session=session, **kwargs)
    assert exc.value.field == field
