"""The dashboard's one-scan data equals the separate reports, to the last count, and its
cached read stays fresh: new responses and erasures show on the next load. SQLite and
PostgreSQL; through the system of record and through the analytics engine."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert

from otklik.listen.models import Customer, Response
from otklik.understand.dashboard import build_dashboard
from otklik.understand.engine.reader import AnalyticsEngine
from otklik.understand.report import breakdown, kpis, trend

# Not midnight: the windows' edges fall inside days, which the scan must split exactly.
NOW = datetime(2025, 6, 18, 13, 47, 5, 250000, tzinfo=UTC)


@pytest.fixture
def answers(session, seed):
    """Two years of responses every ~3 hours, with some on the exact window edges."""
    rng = random.Random(5)
    customers = [Customer(external_id=f"c{i}", segment=s) for i, s in enumerate(["a", "b"])]
    session.add_all(customers)
    session.flush()
    tps = [tp.id for tp in seed["touchpoints"].values()] + [None]
    units = [seed["company"].id, seed["branch"].id, None]
    moments = [NOW - timedelta(minutes=173 * i) for i in range(6200)]
    for days in (30, 90, 365):  # exactly on since and previous_since, and a µs before
        for k in (1, 2):
            edge = NOW - timedelta(days=days * k)
            moments += [edge, edge - timedelta(microseconds=1), edge + timedelta(seconds=1)]
    moments += [NOW, NOW - timedelta(microseconds=1)]  # until is exclusive
    rows = [
        {
            "submitted_at": at,
            "touchpoint_id": rng.choice(tps),
            "unit_id": rng.choice(units),
            "customer_id": rng.choice([c.id for c in customers] + [None]),
            "channel": rng.choice(["web", "chat", "branch"]),
            "language": rng.choice(["ru", "en"]),
            "source": "api",
            "nps": rng.choice([None, *range(11)]),
            "csat": rng.choice([None, 1, 2, 3, 4, 5]),
            "ces": rng.choice([None, *range(1, 8)]),
            "answers": {},
            "attributes": {},
        }
        for at in moments
    ]
    session.execute(insert(Response), rows)
    session.commit()


def _separately(session, engine, *, metric, days, by, grain):
    """The dashboard as three reports would draw it (four scans)."""
    since = NOW - timedelta(days=days)
    prev = since - timedelta(days=days)
    common = {"session": session, "engine": engine, "min_n": 30}
    tiles = kpis(since=since, until=NOW, compare_since=prev, **common)
    table = breakdown(metric=metric, since=since, until=NOW, by=(by,), compare_since=prev,
                      **common)  # fmt: skip
    series = trend(metric=metric, grain=grain, since=min(prev, NOW - timedelta(days=365)),
                   until=NOW, **common)  # fmt: skip
    return list(tiles.values()), table, series


@pytest.mark.parametrize(
    ("metric", "days", "by", "grain"),
    [
        ("nps", 365, "touchpoint", "month"),
        ("csat", 30, "unit", "week"),  # units roll up: totals must not count a branch twice
        ("ces", 90, "segment", "quarter"),
        ("nps", 1, "channel", "week"),
    ],
)
@pytest.mark.parametrize("through", ["system of record", "analytics engine"])
def test_one_scan_equals_the_separate_reports(
    session, answers, engine, tmp_path, metric, days, by, grain, through
):
    analytics = None
    if through == "analytics engine":
        analytics = AnalyticsEngine(directory=tmp_path / "a", engine=engine, auto_sync=False)
        analytics.sync()
    tiles, table, series = _separately(session, analytics, metric=metric, days=days, by=by,
                                       grain=grain)  # fmt: skip
    for _ in range(2):  # the second read takes the mirror's counts from the cache
        d = build_dashboard(session=session, now=NOW, metric=metric, days=days, by=by,
                            grain=grain, sort="label", engine=analytics)  # fmt: skip
        assert [k.row for k in d.kpis] == tiles
        assert d.breakdown.total == table.total
        assert sorted(d.breakdown.rows, key=repr) == sorted(table.rows, key=repr)
        assert d.trend == series
    assert sum(p.responses for p in d.trend) > 3000  # not vacuous


def test_cached_dashboard_shows_a_new_response_and_honours_an_erasure(session, answers, engine,
                                                                      tmp_path):  # fmt: skip
    analytics = AnalyticsEngine(directory=tmp_path / "a", engine=engine, auto_sync=False)
    analytics.sync()

    def responses() -> int:
        d = build_dashboard(session=session, now=NOW, days=90, engine=analytics)
        return d.breakdown.total.responses

    before = responses()
    assert responses() == before  # cached
    session.add(Response(submitted_at=NOW - timedelta(days=40), nps=10, source="api"))
    session.commit()
    assert responses() == before + 1  # the tail is read live, no sync needed
    victim = (
        session.query(Response.id)
        .filter(Response.submitted_at.between(NOW - timedelta(days=80), NOW - timedelta(days=1)))
        .order_by(Response.id)
        .first()[0]
    )
    session.execute(delete(Response).where(Response.id == victim))  # an erasure request
    session.commit()
    assert responses() == before  # the mirrored copy is excluded although counts were cached
    analytics.sync()
    assert responses() == before
