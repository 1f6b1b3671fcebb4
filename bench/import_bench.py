"""How fast is `otklik import responses` next to raw ``sqlite3.executemany``?

Generates N synthetic responses as a CSV in ``bench/.data/`` and measures, in the
same run and on the same machine:

(a) THE BASELINE (the issue's "raw executemany of the same rows") — raw ``sqlite3``
    ``executemany`` of the rows' final values, prepared outside the timer, into a
    bare table with the same columns and no secondary index, SQLite defaults, WAL;
(a') for reference: the same into the migrated ``response`` table (same constraints
    and all its indexes, default 2 MiB cache) — what a naive loader pays;
(b) `import_responses` on a fresh, migrated SQLite database with the touchpoints
    and units seeded: read the CSV, validate, find/create customers, insert, commit
    — end to end.

The baseline runs before and after the import and the two are averaged, because the
machine may be shared. The target is the issue's: (b)'s throughput (rows per second of
wall time) ≥ 25% of (a)'s. A large import checks the file in a second process while it
inserts (`otklik.listen.import_stream`), so CPU time — ``getrusage`` of this process and
its children, all threads — is shown as what each row costs, not as the verdict; on a
machine whose other core is busy the overlap shrinks and the wall ratio with it (the load
average is printed). Run ``python bench/import_bench.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from otklik.listen.importer import import_responses
from otklik.listen.models import Touchpoint
from otklik.org.models import Unit
from otklik.store import make_engine, make_sessionmaker, migrate

DATA = Path(__file__).parent / ".data"
TARGET = 0.25
TOUCHPOINTS = [
    ("web-apply", "web"),
    ("branch-visit", "branch"),
    ("support-chat", "chat"),
    ("call-centre", "phone"),
    ("mobile-app", "app"),
]
UNITS = [f"branch-{i:02d}" for i in range(1, 21)]
COMMENTS = [
    "Всё быстро и понятно, спасибо",
    "Долго ждал ответа в чате",
    "Great service, the staff were very helpful",
    "The app keeps logging me out",
    "Ольга помогла открыть счёт за десять минут",
    "Too many forms to fill in",
]
HEADER = [
    "submitted_at", "external_id", "customer_id", "customer_email", "touchpoint", "unit",
    "nps", "csat", "ces", "comment", "language", "region", "plan",
]  # fmt: skip
COLUMNS = (
    "customer_id", "touchpoint_id", "unit_id", "channel", "source", "answers", "attributes",
    "nps", "csat", "ces", "comment", "language", "submitted_at", "received_at",
    "idempotency_key", "external_id", "payload_hash",
)  # fmt: skip


def generate(rows: int, seed: int = 7) -> Iterator[tuple[list[str], tuple]]:
    """Yield (CSV cells, the response row's final values) for ``rows`` synthetic responses."""
    rnd = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    customers: dict[int, int] = {}
    received = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    for i in range(rows):
        when = start + timedelta(seconds=rnd.randrange(0, 365 * 86400))
        tp = rnd.randrange(len(TOUCHPOINTS))
        unit = rnd.randrange(len(UNITS))
        cust = rnd.randrange(50_000)
        customer_db_id = customers.setdefault(cust, len(customers) + 1)
        nps = rnd.randrange(11)
        csat = rnd.randrange(1, 6) if rnd.random() < 0.5 else None
        ces = rnd.randrange(1, 8) if rnd.random() < 0.3 else None
        comment = rnd.choice(COMMENTS) if rnd.random() < 0.3 else None
        language = ("ru" if "а" in comment or "о" in comment else "en") if comment else None
        region, plan = rnd.choice(["north", "south", "east"]), rnd.choice(["gold", "basic"])
        external_id = f"R{i:08d}" if rnd.random() < 0.8 else None
        key = None if external_id else f"import:{i:064x}"
        cells = [
            when.isoformat(), external_id or "", f"C{cust:06d}",
            f"c{cust}@example.com" if cust % 3 == 0 else "", TOUCHPOINTS[tp][0], UNITS[unit],
            str(nps), "" if csat is None else str(csat), "" if ces is None else str(ces),
            comment or "", language or "", region, plan,
        ]  # fmt: skip
        values = (
            customer_db_id, tp + 1, unit + 1, TOUCHPOINTS[tp][1], "import", "{}",
            orjson.dumps({"plan": plan, "region": region}).decode(), nps, csat, ces, comment,
            language, when.strftime("%Y-%m-%d %H:%M:%S.%f"), received, key, external_id,
            f"{i:064x}",
        )  # fmt: skip
        yield cells, values


def fresh_database(path: Path, *, seed: bool) -> str:
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    if seed:
        with make_sessionmaker(engine)() as session:
            session.add_all(Unit(code=code, name=code, kind="branch") for code in UNITS)
            session.add_all(
                Touchpoint(code=code, name=code, channel=channel) for code, channel in TOUCHPOINTS
            )
            session.commit()
    engine.dispose()
    return url


def cpu_seconds() -> float:
    """CPU time of this process and its finished children, all threads: user + system."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


class Timer:
    """Accumulates wall and CPU seconds over the timed sections only."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += cpu_seconds() - self._cpu


def baseline(rows: int, db: Path, *, bare: bool = False) -> Timer:
    """Raw ``executemany`` (+ commit) of the final values; only the inserts are timed."""
    if bare:
        for old in db.parent.glob(db.name + "*"):
            old.unlink()
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"CREATE TABLE response (id INTEGER PRIMARY KEY, {', '.join(COLUMNS)})")
    else:
        fresh_database(db, seed=False)
        conn = sqlite3.connect(db)
    sql = f"INSERT INTO response ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    timer, chunk = Timer(), []
    for _, values in generate(rows):
        chunk.append(values)
        if len(chunk) == 100_000:
            with timer:
                conn.executemany(sql, chunk)
            chunk = []
    with timer:
        conn.executemany(sql, chunk)
        conn.commit()
    conn.close()
    return timer


def otklik_import(rows: int, csv_path: Path, db: Path) -> tuple[Timer, str]:
    url = fresh_database(db, seed=True)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, Timer() as timer:
        report = import_responses(session=session, path=csv_path)
    engine.dispose()
    if report.imported != rows:
        raise SystemExit(f"import went wrong: {report.summary_line()}")
    return timer, report.summary_line()


def main(rows: int = 1_000_000) -> bool:
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / f"responses-{rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        tmp = csv_path.with_suffix(".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(HEADER)
            out.writerows(cells for cells, _ in generate(rows))
        shutil.move(tmp, csv_path)
        print(f"generated {rows:,} rows in {time.perf_counter() - t:.1f} s: {csv_path}")
    load_before = os.getloadavg()[0]
    bare_runs = [baseline(rows, DATA / "baseline-bare.db", bare=True)]
    indexed = baseline(rows, DATA / "baseline.db")
    ours, summary = otklik_import(rows, csv_path, DATA / "otklik.db")
    bare_runs.append(baseline(rows, DATA / "baseline-bare.db", bare=True))
    bare = Timer()
    bare.wall = sum(t.wall for t in bare_runs) / len(bare_runs)
    bare.cpu = sum(t.cpu for t in bare_runs) / len(bare_runs)

    def line(label: str, t: Timer) -> str:
        return (
            f"{label:<46}{rows / t.wall:>9,.0f} rows/s  wall {t.wall:6.1f} s  "
            f"CPU {t.cpu:6.1f} s ({rows / t.cpu:,.0f} rows per CPU s)"
        )

    cores = os.cpu_count() or 1
    print(f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {cores} cores")
    runs = ", ".join(f"{rows / t.wall:,.0f}" for t in bare_runs)
    print(line("(a)  BASELINE raw executemany, bare table:", bare) + f"  [runs: {runs}]")
    print(line("(a') raw executemany, indexed response table:", indexed))
    print(line("(b)  otklik import responses:", ours))
    print(f"     {summary}")
    wall_ratio, cpu_ratio = bare.wall / ours.wall, bare.cpu / ours.cpu
    verdict = "PASS" if wall_ratio >= TARGET else "FAIL"
    print(f"(b)/(a) = {wall_ratio:.0%} of the throughput (target ≥ {TARGET:.0%}): {verdict}")
    print(f"          CPU per row: raw's is {cpu_ratio:.0%} of ours (both processes)")
    print(f"(b)/(a') = {indexed.wall / ours.wall:.0%} wall, {indexed.cpu / ours.cpu:.0%} CPU")
    return verdict == "PASS"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate")
    main(parser.parse_args().rows)
