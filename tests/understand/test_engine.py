"""The analytics engine: mirror segments + live tail equal a direct SQL count, at every step.

Fresh responses, edits and erasures show on the next read without a sync;
syncs, compaction and rebuilds never change a number; several processes read
while one syncs. SQLite and PostgreSQL.
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
from otklik.understand.engine.reader import AnalyticsEngine
from otklik.understand.metrics import MetricQuery, grouped_counts

T0 = datetime(2024, 1, 1, tzinfo=UTC)
QUERIES = [
    MetricQuery.make(since=T0, until=T0 + timedelta(days=400)),
    MetricQuery.make(since=T0, until=T0 + timedelta(days=400), by=("touchpoint", "month")),
    MetricQuery.make(since=T0, until=T0 + timedelta(days=400), by=("channel", "week")),
    MetricQuery.make(
        since=T0 + timedelta(days=30),
        until=T0 + timedelta(days=200),
        by=("unit",),
        filters={"channel": ["web", "chat"]},
    ),
]


def _fill(session, seed, n: int, *, rng: random.Random, start: int = 0) -> None:
    tps = [tp.id for tp in seed["touchpoints"].values()] + [None]
    units = [seed["company"].id, seed["branch"].id, None]
    rows = [
        {
            "submitted_at": T0 + timedelta(hours=7 * (start + i)),
            "touchpoint_id": rng.choice(tps),
            "unit_id": rng.choice(units),
            "channel": rng.choice(["web", "chat", "branch", None]),
            "language": rng.choice(["ru", "en", None]),
            "source": "api",
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


def _same(session, analytics) -> None:
    for q in QUERIES:
        direct = grouped_counts(session=session, query=q)
        mirrored = grouped_counts(session=session, query=q, engine=analytics)
        assert mirrored == direct, q


def test_sync_plus_tail_equals_direct_sql_at_every_step(session, seed, analytics):
    rng = random.Random(5)
    _fill(session, seed, 600, rng=rng)
    _same(session, analytics)  # nothing mirrored yet: all tail
    assert analytics.sync()["rows"] == 600
    _same(session, analytics)  # all mirrored, no tail
    _fill(session, seed, 150, rng=rng, start=600)
    _same(session, analytics)  # mirror + tail
    assert analytics.sync()["rows"] == 150
    status = analytics.status(session=session)
    assert status["segments"] == 2 and status["tail_rows"] == 0
    _same(session, analytics)


def test_a_new_response_shows_on_the_next_read_without_a_sync(session, seed, analytics):
    _fill(session, seed, 200, rng=random.Random(1))
    analytics.sync()
    q = MetricQuery.make(since=T0, until=T0 + timedelta(days=400))
    [before] = grouped_counts(session=session, query=q, engine=analytics)
    session.add(Response(submitted_at=T0 + timedelta(days=3), nps=10, source="api"))
    session.commit()
    [after] = grouped_counts(session=session, query=q, engine=analytics)
    assert after.counts.responses == before.counts.responses + 1
    assert after.counts.nps.promoters == before.counts.nps.promoters + 1


def test_erased_and_edited_responses_are_reflected_before_and_after_compaction(
    session, seed, analytics, engine
):
    _fill(session, seed, 400, rng=random.Random(2))
    analytics.sync()
    ids = [r.id for r in session.query(Response.id).order_by(Response.id).limit(30)]
    session.execute(delete(Response).where(Response.id.in_(ids[:20])))  # an erasure request
    session.execute(update(Response).where(Response.id.in_(ids[20:])).values(nps=0, channel="chat"))
    session.commit()
    _same(session, analytics)  # excluded from segments, current versions read from the tail
    status = analytics.status(session=session)
    assert status["pending_changes"] == 30
    analytics.sync()
    _same(session, analytics)  # the edits now live in a newer segment
    analytics.mirror.compact(engine=engine)
    _same(session, analytics)
    assert analytics.status(session=session)["segments"] == 1
    analytics.sync()  # a later compaction trims the change log it no longer needs
    analytics.mirror.compact(engine=engine)
    _same(session, analytics)


def test_rebuild_gives_the_same_numbers_and_one_segment(session, seed, analytics):
    rng = random.Random(3)
    for step in range(3):
        _fill(session, seed, 100, rng=rng, start=100 * step)
        analytics.sync()
    assert analytics.status(session=session)["segments"] == 3
    analytics.sync(rebuild=True)
    assert analytics.status(session=session)["segments"] == 1
    _same(session, analytics)


def test_a_mirror_made_for_another_database_is_ignored(session, seed, engine, tmp_path):
    _fill(session, seed, 50, rng=random.Random(4))
    analytics = AnalyticsEngine(directory=tmp_path / "a", engine=engine, auto_sync=False)
    analytics.sync()
    manifest = tmp_path / "a" / "manifest.json"
    raw = json.loads(manifest.read_text())
    raw["database"] = "sqlite:///somewhere/else.db"
    manifest.write_text(json.dumps(raw))
    assert analytics.status(session=session)["segments"] == 0
    _same(session, analytics)


def test_a_large_tail_starts_a_background_sync_on_read(session, seed, engine, tmp_path):
    _fill(session, seed, 120, rng=random.Random(6))
    analytics = AnalyticsEngine(
        directory=tmp_path / "auto", engine=engine, auto_sync=True, auto_sync_tail=100
    )
    _same(session, analytics)
    with analytics._syncing:  # waits for the background sync to finish
        pass
    assert analytics.status(session=session)["tail_rows"] == 0
    _same(session, analytics)


READER = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    import otklik.models
    from otklik.store import make_engine, make_sessionmaker
    from otklik.understand.engine.reader import AnalyticsEngine
    from otklik.understand.metrics import MetricQuery, grouped_counts
    url, directory, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = make_engine(url)
    analytics = AnalyticsEngine(directory=Path(directory), engine=engine, auto_sync=False)
    T0 = datetime(2024, 1, 1, tzinfo=UTC)
    q = MetricQuery.make(since=T0, until=T0 + timedelta(days=400), by=("touchpoint",))
    seen = set()
    for _ in range(rounds):
        with make_sessionmaker(engine)() as s:
            a = grouped_counts(session=s, query=q, engine=analytics)
            b = grouped_counts(session=s, query=q)
            assert a == b, (a, b)
            seen.add(analytics.mirror.manifest().watermark)
    print(json.dumps(sorted(seen)))
    """
)


def test_two_processes_read_correct_numbers_while_a_third_syncs(session, seed, engine, db_url,
                                                                tmp_path):  # fmt: skip
    rng = random.Random(8)
    _fill(session, seed, 300, rng=rng)
    directory = tmp_path / "shared"
    writer = AnalyticsEngine(directory=directory, engine=engine, auto_sync=False)
    writer.sync()
    script = tmp_path / "reader.py"
    script.write_text(READER)
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), db_url, str(directory), "12"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for step in range(4):
        _fill(session, seed, 50, rng=rng, start=300 + 50 * step)
        writer.sync()
        if step % 2:
            writer.mirror.compact(engine=engine)
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])  # read through real manifests
    _same(session, writer)


def test_the_writer_lock_lets_one_process_sync_at_a_time(engine, tmp_path):
    analytics = AnalyticsEngine(directory=tmp_path / "lock", engine=engine, auto_sync=False)
    with analytics.mirror.writer(wait=False) as got:
        assert got
        assert analytics.sync(wait=False) is None  # another holder: skip, don't wait


@pytest.mark.backends("postgresql")  # only PostgreSQL hands out ids inside open transactions
def test_an_insert_committed_after_a_sync_passed_its_id_is_still_counted(
    session, seed, engine, analytics
):
    """PostgreSQL: id 1 is taken by an open transaction, id 2 commits, a sync mirrors up to
    2; when id 1 commits later it must still count (SQLite serialises writers: no gap)."""
    slow = engine.connect()
    tx = slow.begin()
    row = {"submitted_at": T0, "nps": 10, "source": "api", "answers": {}, "attributes": {}}
    slow.execute(insert(Response), [row])
    _fill(session, seed, 20, rng=random.Random(9))  # commits ids after the open one
    analytics.sync()
    tx.commit()
    slow.close()
    _same(session, analytics)  # read from the tail as a hole
    analytics.sync()
    assert analytics.mirror.manifest().id_holes == []
    _same(session, analytics)


@pytest.mark.backends("postgresql")  # only PostgreSQL hands out change seqs in open transactions
def test_a_deletion_committed_after_a_sync_passed_its_change_is_still_honoured(
    session, seed, engine, analytics
):
    _fill(session, seed, 30, rng=random.Random(10))
    analytics.sync()
    first, second = [r.id for r in session.query(Response.id).order_by(Response.id).limit(2)]
    slow = engine.connect()
    tx = slow.begin()
    slow.execute(delete(Response).where(Response.id == first))  # takes a change seq, uncommitted
    session.execute(update(Response).where(Response.id == second).values(nps=0))
    session.commit()
    analytics.sync()  # passes the open transaction's seq
    tx.commit()
    slow.close()
    _same(session, analytics)
    analytics.sync()
    _same(session, analytics)
    analytics.mirror.compact(engine=engine)
    _same(session, analytics)


def test_syncs_merge_small_segments_and_keep_the_big_one_until_they_grow(session, seed,
                                                                         analytics):  # fmt: skip
    rng = random.Random(11)
    _fill(session, seed, 800, rng=rng)
    analytics.sync()
    [big] = analytics.mirror.manifest().segments
    ids = [r.id for r in session.query(Response.id).order_by(Response.id).limit(3)]
    session.execute(delete(Response).where(Response.id.in_(ids)))  # stale rows in the big one
    session.commit()
    for step in range(8):  # the eighth sync leaves 9 segments: the small ones are merged
        _fill(session, seed, 10, rng=rng, start=800 + 10 * step)
        analytics.sync()
    segments = analytics.mirror.manifest().segments
    assert segments[0].file == big.file and len(segments) == 2
    _same(session, analytics)
    for step in range(8):  # now the small ones reach a quarter of the big one: all rewritten
        _fill(session, seed, 25, rng=rng, start=880 + 25 * step)
        analytics.sync()
    segments = analytics.mirror.manifest().segments
    assert big.file not in {s.file for s in segments} and len(segments) <= 2
    _same(session, analytics)
