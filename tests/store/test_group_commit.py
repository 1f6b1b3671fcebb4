"""Group commit: every result means committed, one bad job never fails the others, and on
SQLite the event loop never waits for another writer (in-process or another process)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
from sqlalchemy import Engine, text

from otklik.store.db import write_lock
from otklik.store.group_commit import GroupCommitter


def _run(coro):
    """``asyncio.run`` in a thread of its own: on the same xdist worker a session-scoped
    Playwright (the browser tests) keeps an event loop running in the main thread."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed to the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture
def committer(engine: Engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE gc_probe (label VARCHAR(20) PRIMARY KEY)"))
    c = GroupCommitter(engine)
    yield c
    c.close()
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE gc_probe"))


def _insert(label: str):
    def job(cursor):
        cursor.execute(f"INSERT INTO gc_probe (label) VALUES ('{label}')")
        return label

    return job


def _labels(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT label FROM gc_probe")).scalars())


def _sqlite_path(engine: Engine) -> str:
    return engine.url.database


def test_concurrent_jobs_are_all_committed(committer, engine):
    async def main():
        return await asyncio.gather(*(committer.run(_insert(f"r{i}")) for i in range(20)))

    assert sorted(_run(main())) == sorted(f"r{i}" for i in range(20))
    assert _labels(engine) == sorted(f"r{i}" for i in range(20))


@pytest.mark.backends("sqlite")
def test_concurrent_jobs_on_sqlite_share_one_commit(committer, engine):

    async def main():
        await asyncio.gather(*(committer.run(_insert(f"s{i}")) for i in range(20)))

    _run(main())
    assert committer.commits == 1
    assert len(_labels(engine)) == 20


def test_a_failing_job_fails_alone(committer, engine):
    async def main():
        return await asyncio.gather(
            committer.run(_insert("a")),
            committer.run(_insert("dup")),
            committer.run(_insert("dup")),  # violates the unique label
            committer.run(_insert("b")),
            return_exceptions=True,
        )

    results = _run(main())
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    assert isinstance(errors[0], engine.dialect.loaded_dbapi.IntegrityError)
    assert _labels(engine) == ["a", "b", "dup"]


def test_validation_error_before_writing_fails_only_that_job(committer, engine):
    def invalid(_cursor):
        raise ValueError("unknown touchpoint")

    async def main():
        return await asyncio.gather(
            committer.run(_insert("a")), committer.run(invalid), return_exceptions=True
        )

    ok, bad = _run(main())
    assert ok == "a"
    assert isinstance(bad, ValueError)
    assert _labels(engine) == ["a"]


def _ticks_while(awaitable_factory):
    """Run a coroutine and count how often the loop got to run other work meanwhile."""

    async def main():
        ticks = 0
        done = False

        async def ticker():
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0.01)

        t = asyncio.create_task(ticker())
        try:
            return await awaitable_factory(), ticks
        finally:
            done = True
            await t

    return _run(main())


@pytest.mark.backends("sqlite")
def test_sqlite_waits_for_another_process_off_the_event_loop(committer, engine):
    other = sqlite3.connect(_sqlite_path(engine), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    threading.Timer(0.3, other.execute, ("COMMIT",)).start()
    started = time.monotonic()
    result, ticks = _ticks_while(lambda: committer.run(_insert("late")))
    other.close()
    assert result == "late"
    assert time.monotonic() - started >= 0.25  # it waited for the lock...
    assert ticks >= 10  # ...while the loop kept serving
    assert _labels(engine) == ["late"]


@pytest.mark.backends("sqlite")
def test_sqlite_waits_for_an_in_process_writer_off_the_event_loop(committer, engine):
    holding = threading.Event()

    def batch_writer():
        with write_lock(engine):
            holding.set()
            time.sleep(0.3)

    threading.Thread(target=batch_writer).start()
    holding.wait()
    result, ticks = _ticks_while(lambda: committer.run(_insert("queued")))
    assert result == "queued"
    assert ticks >= 10
    assert _labels(engine) == ["queued"]


@pytest.mark.backends("sqlite")
def test_sqlite_wal_is_checkpointed_in_the_background(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE gc_probe (label VARCHAR(20) PRIMARY KEY)"))
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    committer = GroupCommitter(engine, checkpoint_every=5)

    async def main():
        for i in range(10):
            await committer.run(_insert(f"c{i}"))

    _run(main())
    # The database file itself (ignoring the WAL) holds the rows once a checkpoint ran.
    deadline = time.monotonic() + 5
    in_file = 0
    while time.monotonic() < deadline:
        ro = sqlite3.connect(f"file:{_sqlite_path(engine)}?immutable=1", uri=True)
        try:
            in_file = ro.execute("SELECT count(*) FROM gc_probe").fetchone()[0]
        finally:
            ro.close()
        if in_file >= 5:
            break
        time.sleep(0.05)
    committer.close()
    assert in_file >= 5


def test_an_unreachable_database_fails_the_jobs_instead_of_hanging(tmp_path):
    from otklik.store import make_engine

    folder = tmp_path / "not-a-file.db"
    folder.mkdir()  # SQLite cannot open a directory
    engine = make_engine(f"sqlite:///{folder}")
    committer = GroupCommitter(engine)

    async def main():
        return await asyncio.wait_for(
            asyncio.gather(committer.run(_insert("x")), return_exceptions=True), timeout=10
        )

    try:
        (outcome,) = _run(main())
    finally:
        committer.close()
        engine.dispose()
    assert isinstance(outcome, engine.dialect.loaded_dbapi.OperationalError)
