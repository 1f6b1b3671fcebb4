"""The worker keeps the analytics mirror fresh on its own: responses reach the Parquet
segments within seconds, with no read to trigger a sync. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from otklik.jobs import Every, create_jobs
from otklik.listen.models import Response
from otklik.store import utcnow


def _answer(session, nps: int) -> int:
    response = Response(submitted_at=utcnow() - timedelta(hours=1), nps=nps, source="api")
    session.add(response)
    session.commit()
    return response.id


def _watermark(settings) -> int:
    try:
        return json.loads((settings.data_dir / "analytics" / "manifest.json").read_text())[
            "watermark"
        ]
    except FileNotFoundError:
        return 0


def _wait_for(settings, response_id: int, deadline_s: float, proc=None) -> float:
    started = time.monotonic()
    while _watermark(settings) < response_id:
        assert time.monotonic() - started < deadline_s, "not mirrored in time"
        assert proc is None or proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    return time.monotonic() - started


def test_the_sync_loop_mirrors_new_responses_within_seconds(settings, session):
    jobs = create_jobs(settings)
    loop = Every(0.2, jobs.sync_analytics, name="test-sync")
    loop.start()
    try:
        _wait_for(settings, _answer(session, 10), 30)  # the first round creates the mirror
        assert _wait_for(settings, _answer(session, 3), 10) < 5
    finally:
        loop.stop()
        jobs.close()


def test_the_worker_process_syncs_the_mirror_without_a_read(settings, session):
    env = {**os.environ, "OTKLIK_DATABASE_URL": settings.database_url,
           "OTKLIK_DATA_DIR": str(settings.data_dir),
           "OTKLIK_SECRET_KEY": settings.secret_key.get_secret_value()}  # fmt: skip
    first = _answer(session, 9)
    worker = subprocess.Popen(
        [sys.executable, "-m", "otklik", "worker", "--workers", "1"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for(settings, first, 90, worker)  # a loaded CI box starts Python slowly
        _wait_for(settings, _answer(session, 2), 30, worker)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
