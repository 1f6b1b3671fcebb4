"""`otklik serve --with-worker`: one command runs the web app and the background worker,
and stopping the server stops the worker (a demo or single-machine installation needs
both: comment analysis, mail, the churn model and the mirror sync run in the worker)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the direct children of ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_serve_with_worker_runs_the_worker_and_stops_it_with_the_server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "OTKLIK_ENV": "test",
        "OTKLIK_DATA_DIR": str(tmp_path),
        "OTKLIK_DATABASE_URL": f"sqlite:///{tmp_path / 'otklik.db'}",
        "OTKLIK_SECRET_KEY": "serve-with-worker-test-secret-0123456789",
    }
    env.pop("OTKLIK_REDIS_URL", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "otklik", "serve", "--port", str(port), "--with-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(lambda: _healthy(f"http://127.0.0.1:{port}"), 120, "no /healthz", log)
        workers = [pid for pid, cmd in _children(proc.pid) if "otklik worker" in cmd]
        assert len(workers) == 1, _children(proc.pid)
        _wait(lambda: "Otklik worker" in log.read_text(), 60, "the worker did not start", log)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        _wait(lambda: not _alive(workers[0]), 30, "the worker outlived the server", log)
    finally:
        if proc.poll() is None:
            proc.kill()
