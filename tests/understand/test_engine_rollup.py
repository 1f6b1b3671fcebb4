"""Per-segment rollups: reads that fit them give exactly a direct scan's numbers — with
filters, unsynced rows, edits and erasures — and a fresh process answers from the files on
disk without scanning a segment. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, update

from otklik.listen.models import Response
from otklik.understand.dashboard import build_dashboard
from otklik.understand.engine import rollup
from otklik.understand.engine.reader import AnalyticsEngine
from otklik.understand.metrics import MetricQuery, grouped_counts, plan

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _queries(seed) -> list[MetricQuery]:
    end = T0 + timedelta(days=300)
    return [
        MetricQuery.make(since=T0, until=end),
        MetricQuery.make(since=T0, until=end, by=("touchpoint", "month")),
        MetricQuery.make(since=T0, until=end, by=("journey", "quarter")),
        MetricQuery.make(since=T0, until=end, by=("stage", "week")),
        MetricQuery.make(
            since=T0 + 3 * DAY,
            until=end - 5 * DAY,
            by=("channel", "day"),
            split_at=(T0 + 40 * DAY, T0 + 41 * DAY, T0 + 90 * DAY),
        ),
        MetricQuery.make(since=T0, until=end, by=("unit", "month"), filters={"channel": ["web"]}),
        MetricQuery.make(since=T0, until=end, by=("survey",), filters={"unit": ["msk-1"]}),
        MetricQuery.make(since=T0, until=end, by=("language", "source"), metrics=("nps",)),
        MetricQuery.make(
            since=T0,
            until=end,
            by=("touchpoint",),
            filters={"touchpoint": ["web-apply", "support-chat"]},
        ),
    ]


def _fill(session, seed, n: int, *, rng: random.Random, start: int = 0) -> None:
    tps = [tp.id for tp in seed["touchpoints"].values()] + [None]
    units = [seed["company"].id, seed["branch"].id, None]
    rows = [
        {
            "submitted_at": T0 + timedelta(hours=5 * (start + i), minutes=rng.randrange(60)),
            "survey_id": rng.choice([seed["survey"].id, None]),
            "touchpoint_id": rng.choice(tps),
            "unit_id": rng.choice(units),
            "channel": rng.choice(["web", "chat", "branch", None]),
            "language": rng.choice(["ru", "en", None]),
            "source": rng.choice(["api", "import", "link"]),
            "nps": rng.choice([None, *range(11)]),
            "csat": rng.choice([None, 1, 2, 3, 4, 5]),
            "ces": rng.choice([None, *range(1, 8)]),
            "answers": {},
            "attributes": {},
        }
        for i in range(n)
    ]
    session.execute(insert(Response), rows)
    session.commit()


@pytest.fixture
def analytics(engine, tmp_path) -> AnalyticsEngine:
    return AnalyticsEngine(directory=tmp_path / "analytics", engine=engine, auto_sync=False)


def _all_equal(session, seed, analytics) -> None:
    """Rollups, a scan of the segments and the system of record agree on every query."""
    for q in _queries(seed):
        direct = grouped_counts(session=session, query=q)
        analytics.use_rollups = True
        rolled = grouped_counts(session=session, query=q, engine=analytics)
        analytics.use_rollups = False
        scanned = grouped_counts(session=session, query=q, engine=analytics)
        analytics.use_rollups = True
        assert rolled == direct, q
        assert scanned == direct, q
        assert sum(g.counts.responses for g in direct) > 0, q


def test_the_queries_here_fit_a_rollup(session, seed):
    for q in _queries(seed):
        assert rollup.fitting_set(plan(session=session, query=q)) is not None, q


@pytest.mark.parametrize(
    "query",
    [
        MetricQuery.make(since=T0, until=T0 + DAY, by=("segment",)),  # customer dimension
        MetricQuery.make(since=T0 + timedelta(hours=3), until=T0 + DAY),  # not a whole day
        MetricQuery.make(since=T0, until=T0 + DAY, split_at=T0 + timedelta(hours=12)),
        MetricQuery.make(
            since=T0, until=T0 + DAY, by=("touchpoint", "channel"), filters={"unit": ["acme"]}
        ),  # three dimensions
    ],
)
def test_reads_that_do_not_fit_a_rollup_are_recognised(session, seed, query):
    assert rollup.fitting_set(plan(session=session, query=query)) is None


def test_rollups_equal_a_scan_with_filters_tail_edits_and_erasures(session, seed, analytics,
                                                                   engine):  # fmt: skip
    rng = random.Random(21)
    _fill(session, seed, 900, rng=rng)
    analytics.sync()
    assert all(s.rollup for s in analytics.mirror.manifest().segments)
    _all_equal(session, seed, analytics)
    _fill(session, seed, 120, rng=rng, start=900)  # unsynced tail
    ids = [r.id for r in session.query(Response.id).order_by(Response.id).limit(60)]
    session.execute(delete(Response).where(Response.id.in_(ids[:25])))  # an erasure request
    session.execute(
        update(Response).where(Response.id.in_(ids[25:])).values(nps=10, channel="web", csat=1)
    )
    session.commit()
    _all_equal(session, seed, analytics)  # stale rows subtracted from the rollup
    analytics.sync()  # the edits are in a new segment; the old one still holds stale copies
    _all_equal(session, seed, analytics)
    session.execute(delete(Response).where(Response.id.in_(ids[25:35])))
    session.commit()
    _all_equal(session, seed, analytics)  # erased from two segments at once
    analytics.mirror.compact(engine=engine)
    assert [s.rollup is not None for s in analytics.mirror.manifest().segments] == [True]
    _all_equal(session, seed, analytics)


def test_the_dashboard_from_rollups_equals_the_system_of_record(session, seed, analytics):
    rng = random.Random(22)
    _fill(session, seed, 700, rng=rng)
    analytics.sync()
    _fill(session, seed, 30, rng=rng, start=700)
    now = T0 + timedelta(days=140, hours=13, minutes=7)
    for by, flt in (("touchpoint", {}), ("unit", {"channel": ["chat"]}), ("source", {})):
        kw = {"session": session, "now": now, "days": 60, "by": by, "filters": flt}
        assert build_dashboard(**kw, engine=analytics) == build_dashboard(**kw), by


def test_a_sync_adds_rollups_to_segments_written_without_them(session, seed, analytics):
    _fill(session, seed, 300, rng=random.Random(23))
    analytics.sync()
    m = analytics.mirror.manifest()
    old = m.segments[0].rollup
    (analytics.mirror.dir / old).unlink()
    m.segments[0].rollup = None  # as a mirror written before rollups existed
    analytics.mirror._save(m)
    _all_equal(session, seed, analytics)  # read by scanning meanwhile
    assert analytics.status(session=session)["segments_with_rollups"] == 0
    analytics.sync()
    [segment] = analytics.mirror.manifest().segments
    assert segment.rollup not in (None, old)
    assert analytics.status(session=session)["segments_with_rollups"] == 1
    _all_equal(session, seed, analytics)


def test_day_batches_hold_at_most_the_limit_and_a_big_day_alone():
    d = [datetime(2024, 1, i).date() for i in range(1, 6)]
    rows = list(zip(d, [3, 4, 9, 2, 2], strict=True))
    assert rollup.batches(rows, limit=7) == [(d[0], d[2]), (d[2], d[3]), (d[3], d[4] + DAY)]


def test_a_rollup_built_in_many_batches_equals_a_scan(session, seed, analytics, monkeypatch):
    monkeypatch.setattr(rollup, "BATCH_ROWS", 40)  # ~8 days per batch here: many batches
    _fill(session, seed, 600, rng=random.Random(25))
    analytics.sync()
    _all_equal(session, seed, analytics)
    leftovers = list(analytics.mirror.dir.glob(".agg-part-*"))
    assert leftovers == []


def test_a_manifest_with_fields_from_a_newer_writer_is_still_read(session, seed, analytics):
    _fill(session, seed, 50, rng=random.Random(26))
    analytics.sync()
    path = analytics.mirror.dir / "manifest.json"
    raw = json.loads(path.read_text())
    raw["future"] = 1
    raw["segments"][0]["future"] = {"x": 1}
    path.write_text(json.dumps(raw))
    assert len(analytics.mirror.manifest().segments) == 1
    _all_equal(session, seed, analytics)


FRESH = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    import otklik.models
    from otklik.store import make_engine, make_sessionmaker
    from otklik.understand.engine.reader import AnalyticsEngine
    from otklik.understand.metrics import MetricQuery, grouped_counts
    url, directory = sys.argv[1], sys.argv[2]
    engine = make_engine(url)
    analytics = AnalyticsEngine(directory=Path(directory), engine=engine, auto_sync=False)
    T0 = datetime(2024, 1, 1, tzinfo=UTC)
    q = MetricQuery.make(since=T0, until=T0 + timedelta(days=300), by=("touchpoint", "month"))
    with make_sessionmaker(engine)() as s:
        groups = grouped_counts(session=s, query=q, engine=analytics)
    print(json.dumps([[g.keys, g.counts.responses, g.counts.nps.promoters] for g in groups]))
    """
)


def test_a_fresh_process_answers_from_the_rollups_on_disk(session, seed, analytics, db_url,
                                                          tmp_path):  # fmt: skip
    rng = random.Random(24)
    _fill(session, seed, 500, rng=rng)
    analytics.sync()
    _fill(session, seed, 40, rng=rng, start=500)  # and a live tail
    [segment] = analytics.mirror.manifest().segments
    # Hide the segment itself: a scan would fail, the rollup beside it must do.
    seg_path = analytics.mirror.dir / segment.file
    seg_path.rename(seg_path.with_suffix(".hidden"))
    script = tmp_path / "fresh.py"
    script.write_text(FRESH)
    done = subprocess.run([sys.executable, str(script), db_url, str(analytics.mirror.dir)],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    q = MetricQuery.make(since=T0, until=T0 + timedelta(days=300), by=("touchpoint", "month"))
    direct = grouped_counts(session=session, query=q)
    expected = [[g.keys, g.counts.responses, g.counts.nps.promoters] for g in direct]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected
