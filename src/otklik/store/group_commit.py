"""Group commit: concurrent writes share one transaction and one commit.

Ingestion answers 201 only after the response is committed, so every request pays for
a commit. With several clients at once, a single writer thread takes whatever requests
are waiting, runs them in one transaction and commits once; each request is answered
when *its* commit is done, so "201 means committed" still holds while the cost of the
commit (the WAL write on SQLite, the round trip and flush on PostgreSQL) is shared.
Databases have done this inside their engines for decades; doing it in front of the
database also removes a thread-pool hop per request.

A job is a function of a DBAPI cursor. The contract: a job may raise a non-database
exception only *before* its first write (e.g. validation); database errors may happen
anywhere. A database error rolls the group back and each job is retried alone, so one
bad job never fails the others.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import Engine

from otklik.store.db import write_lock

T = TypeVar("T")
Job = Callable[[Any], Any]
Deliver = Callable[[Any, BaseException | None], None]
_STOP = object()


class GroupCommitter:
    """One writer thread per engine (and process), started on first use."""

    def __init__(self, engine: Engine, *, max_group: int = 256) -> None:
        self.engine = engine
        self.max_group = max_group
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._db_error = engine.dialect.loaded_dbapi.Error

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="otklik-group-commit", daemon=True
                    )
                    self._thread.start()

    def submit(self, job: Callable[[Any], T]) -> Future[T]:
        """Queue ``job`` from any thread; the future resolves after its transaction commits."""
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()

        def deliver(result: Any, error: BaseException | None) -> None:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

        self._ensure_started()
        self._queue.put((job, deliver))
        return future

    async def run(self, job: Callable[[Any], T]) -> T:
        """Await ``job``'s committed result from the event loop (no thread-pool hop)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(result: Any, error: BaseException | None) -> None:
            if future.cancelled():  # the client went away; the write still happened
                return
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

        def deliver(result: Any, error: BaseException | None) -> None:
            loop.call_soon_threadsafe(settle, result, error)

        self._ensure_started()
        self._queue.put((job, deliver))
        return await future

    def close(self) -> None:
        """Stop the writer after the jobs already queued."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            group = [item]
            stop = False
            while len(group) < self.max_group:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                group.append(nxt)
            self._run_group(group)
            if stop:
                return

    def _run_group(self, group: list[tuple[Job, Deliver]]) -> None:
        outcomes: list[tuple[Deliver, Any, BaseException | None]] = []
        failure: BaseException | None = None
        try:
            raw = self.engine.raw_connection()
        except BaseException as exc:  # the database is unreachable: fail these requests
            for _, deliver in group:
                deliver(None, exc)
            return
        try:
            with write_lock(self.engine):
                cursor = raw.cursor()
                try:
                    for job, deliver in group:
                        try:
                            outcomes.append((deliver, job(cursor), None))
                        except self._db_error:
                            raise
                        except Exception as exc:  # raised before the job wrote anything
                            outcomes.append((deliver, None, exc))
                    raw.commit()
                except BaseException as exc:
                    raw.rollback()
                    failure = exc
                finally:
                    cursor.close()
        finally:
            raw.close()
        if failure is None:
            for deliver, result, error in outcomes:
                deliver(result, error)
        elif len(group) == 1:
            group[0][1](None, failure)
        else:
            for item in group:  # isolate the job that failed
                self._run_group([item])
