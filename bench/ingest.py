"""Ingestion throughput: Otklik's POST /api/v1/responses against a bare FastAPI ceiling.

Both servers run as real uvicorn processes on loopback with the same settings
(uvloop + httptools, one worker, no access log); the load generator is a third
process (raw asyncio HTTP/1.1 keep-alive, so the client is never the bottleneck and
shares no GIL with the server). Each target gets CONCURRENCY clients for DURATION
seconds after a warm-up, in short alternating rounds. Targets: Otklik ≥ 60% of the
ceiling's req/s, p99 ≤ 50 ms, every answer 201, and every 201 a row in the database
(counted after the server stops). Also printed: each server's CPU time per request, which
a busy machine disturbs much less than req/s, and the load average.

    .venv/bin/python bench/ingest.py            # prints figures and PASS/FAIL
    OTKLIK_BENCH_SECONDS=3 .venv/bin/python bench/ingest.py   # a quick look

Other benchmarks (e.g. the CSV import one) can call :func:`run_http_bench` and add their
section to the same report.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
CONCURRENCY = 8
WARMUP = float(os.environ.get("OTKLIK_BENCH_WARMUP", "2"))
DURATION = float(os.environ.get("OTKLIK_BENCH_SECONDS", "10"))
# Short alternating rounds: on shared cores a neighbour's load changes within seconds.
ROUNDS = int(os.environ.get("OTKLIK_BENCH_ROUNDS", "10"))
TARGET_RATIO = 0.60
TARGET_P99_MS = 50.0
PATH = "/api/v1/responses"
BODY = json.dumps(
    {
        "touchpoint": "branch-visit",
        "nps": 9,
        "comment": "Ольга быстро открыла счёт, спасибо!",
        "language": "ru",
        "submitted_at": "2025-03-01T10:15:00+03:00",
    },
    ensure_ascii=False,
).encode()
UVICORN_SETTINGS: dict[str, Any] = {
    "host": HOST,
    "log_level": "warning",
    "access_log": False,
    "loop": "uvloop",
    "http": "httptools",
}


# --- servers (run in child processes) -----------------------------------------------------


def ceiling_app():
    """The fastest the framework and server can answer the same request: no work at all."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post(PATH, status_code=201)
    async def ingest(payload: dict[str, Any]) -> dict[str, int]:
        return {"id": 1}

    return app


def _serve(kind: str, port: int) -> None:
    import uvicorn

    if kind == "ceiling":
        uvicorn.run(ceiling_app(), port=port, **UVICORN_SETTINGS)
    else:
        uvicorn.run("otklik.web.app:create_app", factory=True, port=port, **UVICORN_SETTINGS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _start(kind: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "serve", kind, str(port)], env={**os.environ, **env}
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} server exited with code {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.1)
    _stop(proc)
    raise RuntimeError(f"{kind} server did not start within 90 s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def seed_otklik(data_dir: Path) -> str:
    """A fresh SQLite data dir with one branch, one touchpoint and an API key; returns the key."""
    from otklik.access.apikeys import create_api_key
    from otklik.config import Settings
    from otklik.listen.models import Touchpoint
    from otklik.org.models import Unit
    from otklik.store import make_engine, make_sessionmaker, migrate

    settings = Settings(data_dir=data_dir, database_url=None)
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        unit = Unit(code="msk-1", name="Moscow 1", kind="branch", path="/")
        session.add(unit)
        session.flush()
        session.add(
            Touchpoint(
                code="branch-visit", name="Branch visit", channel="branch", owner_unit_id=unit.id
            )
        )
        _, key = create_api_key(session=session, name="bench")
        session.commit()
    engine.dispose()
    settings.resolved_secret_key()
    return key


# --- load generator (runs in its own process) ---------------------------------------------


async def _client(
    port: int,
    headers: dict[str, str],
    tag: int,
    stop_at: float,
    record_from: float,
    latencies: list[int],
    statuses: dict[int, int],
    created: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    path = os.environ.get("OTKLIK_BENCH_PATH", PATH)
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(BODY)}\r\n"
    n = 0
    perf = time.perf_counter_ns
    while True:
        now = time.monotonic()
        if now >= stop_at:
            break
        n += 1
        # A unique key per request, as a careful integration sends: exercises the unique index.
        request = f"{head}Idempotency-Key: bench-{tag}-{n}\r\n\r\n".encode() + BODY
        t0 = perf()
        writer.write(request)
        status_line_and_headers = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in status_line_and_headers.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        t1 = perf()
        status = int(status_line_and_headers[9:12])
        created[0] += status == 201  # warm-up included: every 201 must be a stored row
        created[1] += 1
        if now >= record_from:
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(t1 - t0)
    writer.close()


async def _load(
    port: int, headers: dict[str, str], tag: str, warmup: float, duration: float
) -> dict:
    start = time.monotonic()
    record_from, stop_at = start + warmup, start + warmup + duration
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    created = [0, 0]  # 201s and all answers, warm-up included
    await asyncio.gather(
        *(
            _client(port, headers, f"{tag}-{i}", stop_at, record_from, latencies, statuses, created)
            for i in range(CONCURRENCY)
        )
    )
    return {
        "latencies": latencies,
        "statuses": statuses,
        "seconds": duration,
        "created": created[0],
        "answered": created[1],
    }


def _run_load(
    port: int,
    headers: dict[str, str],
    tag: str,
    warmup: float,
    duration: float,
    server_pid: int | None = None,
) -> dict:
    """Drive a server from a separate process (its own GIL) and return the raw figures,
    with the server's CPU seconds over the run when its pid is given."""
    with tempfile.NamedTemporaryFile(prefix="otklik-load-", suffix=".json") as figures:
        # A file, not stdout: the figures outgrow a pipe's buffer.
        args = ["load", str(port), json.dumps(headers), tag, str(warmup), str(duration)]
        before = _cpu_seconds(server_pid)
        out = subprocess.run(
            [sys.executable, __file__, *args, figures.name], capture_output=True, text=True
        )
        if out.returncode:
            raise RuntimeError(f"load generator failed:\n{out.stderr[-2000:]}")
        result = json.loads(Path(figures.name).read_bytes())
    result["server_cpu"] = _cpu_seconds(server_pid) - before
    return result


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere or without a pid)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the report ---------------------------------------------------------------------------


def _line(name: str, r: dict) -> str:
    return (
        f"  {name:<9} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.2f} ms   "
        f"p95 {r['p95_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms   "
        f"server CPU {r['cpu_us']:4.0f} µs/request   statuses {r['statuses']}"
    )


def _merge(parts: list[dict]) -> dict:
    """Pool the rounds: total requests over total time; percentiles over every latency."""
    latencies = sorted(x for p in parts for x in p["latencies"])
    statuses: dict[str, int] = {}
    for p in parts:
        for k, v in p["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1e6 if latencies else 0

    answered = sum(p["answered"] for p in parts)
    return {
        "cpu_us": sum(p["server_cpu"] for p in parts) / answered * 1e6 if answered else 0.0,
        "created": sum(p["created"] for p in parts),
        "requests": len(latencies),
        "rps": len(latencies) / sum(p["seconds"] for p in parts),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "statuses": statuses,
    }


def run_http_bench(rounds: int = ROUNDS) -> bool:
    """Ceiling vs Otklik over HTTP; prints the figures and returns True when targets are met.

    Both servers run at once and are loaded in alternating rounds, so a neighbour's load
    on a shared machine hits both sides alike instead of skewing the ratio.
    """
    print(
        f"HTTP ingestion: {CONCURRENCY} clients, {rounds} alternating rounds of "
        f"{DURATION / rounds:.1f} s per server (after {WARMUP:.0f} s warm-up each); "
        f"load average {_load_average()}"
    )
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        key = seed_otklik(data_dir)
        # An empty URL means the default: SQLite in the data dir.
        env = {"OTKLIK_DATA_DIR": str(data_dir), "OTKLIK_ENV": "dev", "OTKLIK_DATABASE_URL": ""}
        targets = {"ceiling": ({}, {}), "otklik": (env, {"Authorization": f"Bearer {key}"})}
        procs: list[subprocess.Popen] = []
        parts: dict[str, list[dict]] = {name: [] for name in targets}
        try:
            ports, pids = {}, {}
            for name, (server_env, _) in targets.items():
                proc, ports[name] = _start(name, server_env)
                procs.append(proc)
                pids[name] = proc.pid
            for r in range(rounds):
                for name, (_, headers) in targets.items():
                    warmup = WARMUP if r == 0 else 0.3
                    parts[name].append(
                        _run_load(
                            ports[name], headers, f"r{r}", warmup, DURATION / rounds, pids[name]
                        )
                    )
        finally:
            for proc in procs:
                _stop(proc)
        stored = _stored_rows(data_dir)
    ceiling, otklik = _merge(parts["ceiling"]), _merge(parts["otklik"])
    print(_line("ceiling", ceiling))
    print(_line("otklik", otklik))
    ratio = otklik["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
    if otklik["cpu_us"]:
        # Less sensitive to a busy machine than req/s: what each request cost the server.
        print(
            f"  server CPU per request, ceiling/otklik: {ceiling['cpu_us'] / otklik['cpu_us']:.2f}"
        )
    ok_status = set(otklik["statuses"]) == {"201"}
    ok_ratio = ratio >= TARGET_RATIO
    ok_p99 = otklik["p99_ms"] <= TARGET_P99_MS
    print(
        f"  ratio otklik/ceiling {ratio:.2f} (target ≥ {TARGET_RATIO:.2f}): "
        f"{'PASS' if ok_ratio else 'FAIL'}"
    )
    print(
        f"  otklik p99 {otklik['p99_ms']:.2f} ms (target ≤ {TARGET_P99_MS:.0f} ms): "
        f"{'PASS' if ok_p99 else 'FAIL'}"
    )
    print(f"  every answer 201: {'PASS' if ok_status else 'FAIL'}")
    ok_stored = stored == otklik["created"]
    print(
        f"  every 201 is a stored row ({otklik['created']} answered 201, {stored} rows): "
        f"{'PASS' if ok_stored else 'FAIL'}"
    )
    print(f"  load average at the end: {_load_average()}")
    return ok_ratio and ok_p99 and ok_status and ok_stored


def _stored_rows(data_dir: Path) -> int:
    """Rows in the server's database after it stopped (a fresh connection reads the WAL)."""
    import sqlite3

    with sqlite3.connect(data_dir / "otklik.db") as conn:
        return conn.execute("SELECT count(*) FROM response").fetchone()[0]


def _load_average() -> str:
    """The machine's 1/5/15-minute load: on shared cores the figures above depend on it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        _serve(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "load":
        import uvloop

        port, headers, tag = int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
        warmup, duration = float(sys.argv[5]), float(sys.argv[6])
        figures = uvloop.run(_load(port, headers, tag, warmup, duration))
        Path(sys.argv[7]).write_text(json.dumps(figures))
        return
    ok = run_http_bench()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
