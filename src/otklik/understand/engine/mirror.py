"""The columnar mirror: immutable Parquet segments of ``response`` in the data directory.

One process at a time writes (an advisory ``flock`` on ``.lock``): it copies
responses above the watermark — and the current version of every response the
change log names — into a new segment, then atomically replaces
``manifest.json``. Readers in any process only read the manifest and the
segments it lists, so no reader ever blocks a writer or another reader.
Compaction merges the small segments that syncs leave behind into one, and
only rewrites everything (dropping stale copies from the big segment too) when
the small ones add up to a quarter of it or the big one holds many stale rows:
so cached counts of the big segment (``reader``) survive syncs. Files no
manifest lists are deleted once older than ``GC_SECONDS`` (a reader still
holding the old manifest retries with the new one).

Segments are sorted by ``submitted_at`` (row groups prune by date), store ids
and scores in the narrowest types, and use Parquet v2 encodings (delta-encoded
timestamps): that is what brings a scan close to DuckDB's own file format.

Each segment gets a rollup file beside it (its counts by day and dimension pairs,
see ``rollup``), written by the writer when the segment is written — so readers
in any process answer the dashboard without scanning the segment.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path

import numpy as np
import orjson
from sqlalchemy import Engine, String, func, insert, select, text, type_coerce
from sqlalchemy.orm import Session

from otklik.listen.models import Customer, Response
from otklik.understand.engine import duck, rollup
from otklik.understand.engine.models import AnalyticsChange

CHUNK_ROWS = 250_000  # rows per segment written by a sync: bounds the writer's memory
COMPACT_SEGMENTS = 8
FULL_COMPACT_SHARE = 4  # rewrite the big segment too once the others reach 1/4 of it …
FULL_COMPACT_STALE = 10_000  # … or once this many (and 1 % of its) rows went stale
PARQUET = "FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2"
GC_SECONDS = 300
CUSTOMER_REFRESH_SECONDS = 600
HOLE_TTL = 600  # an insert still uncommitted after 10 minutes is treated as rolled back
HOLE_WINDOW = 100_000  # ids this far below the top are not in flight
INT_NULL = -1  # numpy has no NULL integers; the sentinel becomes NULL again in DuckDB
TEXT_NULL = "\x01"  # the same for text (PostgreSQL text cannot hold \x00)

R = Response.__table__.c
INT_COLUMNS = ("survey_id", "customer_id", "touchpoint_id", "unit_id", "nps", "csat", "ces")
TEXT_COLUMNS = ("channel", "source", "language")
# Segment column types: ids as the system of record's INTEGER, 0–10 scores as SMALLINT.
TYPES = {"id": "BIGINT", "survey_id": "INTEGER", "customer_id": "INTEGER",
         "touchpoint_id": "INTEGER", "unit_id": "INTEGER", "nps": "SMALLINT",
         "csat": "SMALLINT", "ces": "SMALLINT"}  # fmt: skip
# Every segment's columns, in order, cast to the current types (older segments may differ).
COLUMNS = ", ".join(
    [f"CAST(id AS {TYPES['id']}) AS id", "submitted_at"]
    + [f"CAST({c} AS {TYPES[c]}) AS {c}" for c in INT_COLUMNS]
    + list(TEXT_COLUMNS)
)


@dataclass
class Segment:
    file: str
    rows: int
    seq: int  # change-log position this segment is current to
    rollup: str | None = None  # its counts by day × dimension pairs (``rollup``), once written


@dataclass
class Manifest:
    database: str = ""
    watermark: int = 0  # every response id <= watermark is in a segment (or in the change log)
    seq: int = 0  # every change <= seq is reflected in the segments
    segments: list[Segment] = field(default_factory=list)
    customers: str | None = None
    customers_at: float = 0.0
    compacted_seq: int = 0
    synced_at: float = 0.0
    id_holes: list[list] = field(default_factory=list)  # [[response id, first seen], …]
    seq_holes: list[list] = field(default_factory=list)  # [[change seq, first seen], …]

    @property
    def min_seq(self) -> int:
        return min((s.seq for s in self.segments), default=self.seq)


class Mirror:
    """The mirror directory of one system-of-record database."""

    def __init__(self, directory: Path, database: str) -> None:
        self.dir = Path(directory)
        self.database = database

    # -- reading ----------------------------------------------------------------------------
    def manifest(self) -> Manifest:
        """The current manifest; an empty one when absent or made for another database."""
        try:
            raw = json.loads((self.dir / "manifest.json").read_text())
        except (FileNotFoundError, ValueError):
            return Manifest(database=self.database)
        if raw.get("database") != self.database:
            return Manifest(database=self.database)
        # Fields a newer writer added are ignored, so processes of two versions can share it.
        seg_fields = {f.name for f in fields(Segment)}
        raw["segments"] = [
            Segment(**{k: v for k, v in s.items() if k in seg_fields})
            for s in raw.get("segments", [])
        ]
        return Manifest(**{k: v for k, v in raw.items() if k in {f.name for f in fields(Manifest)}})

    def path(self, name: str) -> str:
        return str(self.dir / name)

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writer(self, *, wait: bool) -> Iterator[bool]:
        """Hold the writer lock; yields False (without waiting) when another process has it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _save(self, m: Manifest) -> None:
        tmp = self.dir / f".manifest-{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(asdict(m)))
        os.replace(tmp, self.dir / "manifest.json")

    def sync(self, *, engine: Engine, rebuild: bool = False) -> dict:
        """Copy new and changed responses into segments (caller holds the writer lock).

        Everything is read in one snapshot (REPEATABLE READ on PostgreSQL; SQLite
        read transactions are snapshots), so the marks and the rows agree.
        """
        started = time.monotonic()
        m = Manifest(database=self.database) if rebuild else self.manifest()
        now = time.time()
        written, fetched = 0, []
        with engine.connect() as conn:
            pg = conn.dialect.name == "postgresql"
            if pg:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            high_id = conn.execute(select(func.coalesce(func.max(R.id), 0))).scalar_one()
            high_seq = conn.execute(
                select(func.coalesce(func.max(AnalyticsChange.seq), 0))
            ).scalar_one()
            id_holes = {i: t for i, t in m.id_holes if now - t < HOLE_TTL}
            seq_holes = {q: t for q, t in m.seq_holes if now - t < HOLE_TTL}
            late = conn.execute(
                select(AnalyticsChange.seq, AnalyticsChange.response_id).where(
                    AnalyticsChange.seq.in_(list(seq_holes))
                )
            ).all() if seq_holes else []  # fmt: skip
            changed = select(AnalyticsChange.response_id).where(
                AnalyticsChange.seq > m.seq, AnalyticsChange.seq <= high_seq
            )
            wanted = ((R.id > m.watermark) & (R.id <= high_id)) | R.id.in_(changed)
            extra = sorted(set(id_holes) | {rid for _, rid in late})
            if extra:
                wanted = wanted | R.id.in_(extra)
            # NULLs become sentinels in SQL, so whole chunks convert to numpy in C loops.
            stmt = select(
                R.id,
                type_coerce(_timestamp_text(conn.dialect.name), String).label("submitted_at"),
                *[func.coalesce(R[c], INT_NULL) for c in INT_COLUMNS],
                *[func.coalesce(R[c], TEXT_NULL) for c in TEXT_COLUMNS],
            ).where(wanted)
            for rows in _stream(conn, stmt):
                segment, ids = self._write_segment(rows, seq=high_seq)
                m.segments.append(segment)
                written += len(rows)
                if pg:
                    fetched.append(ids[ids > high_id - HOLE_WINDOW])
            if pg:
                m.id_holes, m.seq_holes = _holes(
                    conn, m, high_id, high_seq, fetched, id_holes, seq_holes, late, now
                )
            if written or rebuild or now - m.customers_at > CUSTOMER_REFRESH_SECONDS:
                m.customers = self._write_customers(conn)
                m.customers_at = now
        if late:  # changes that committed late: log them anew so older segments exclude them
            with engine.begin() as conn:
                conn.execute(insert(AnalyticsChange), [{"response_id": r} for _, r in late])
        m.watermark, m.seq, m.synced_at = max(m.watermark, high_id), high_seq, now
        self._save(m)
        if rebuild or len(m.segments) > COMPACT_SEGMENTS:
            self.compact(engine=engine, full=rebuild or self._needs_full_compaction(engine, m))
        self.add_rollups()
        self._collect_garbage()
        return {"rows": written, "seconds": round(time.monotonic() - started, 3)}

    def compact(self, *, engine: Engine, full: bool = True) -> None:
        """Merge segments into one without stale copies, then trim the change log.

        ``full``: all of them; else all but the largest, which keeps its file (and the
        counts readers cached for it) and its stale rows (excluded on read, as before).
        """
        m = self.manifest()
        if full:
            if len(m.segments) <= 1 and m.seq == m.min_seq and m.compacted_seq == m.seq:
                return
            merge, keep = list(m.segments), []
        else:
            base = max(m.segments, key=lambda s: s.rows, default=None)
            keep = [base] if base is not None else []
            merge = [s for s in m.segments if s is not base]
            if len(merge) <= 1:
                return
        con = duck.connection().cursor()
        try:
            pending = _pending(engine, m.min_seq)  # noqa: F841 - read by DuckDB by name
            name = f"seg-{uuid.uuid4().hex}.parquet"
            files = duck.sql_list([self.path(s.file) for s in merge])
            if merge:
                con.execute(
                    f"COPY (SELECT {COLUMNS}, CAST({m.seq} AS BIGINT) AS _seq "
                    f"FROM read_parquet({files}) r ANTI JOIN pending p "
                    f"ON p.response_id = r.id AND p.seq > r._seq ORDER BY submitted_at) "
                    f"TO '{self.path(name)}' ({PARQUET})"
                )
                rows = con.execute(f"SELECT count(*) FROM '{self.path(name)}'").fetchone()[0]
                merged = Segment(file=name, rows=int(rows), seq=m.seq, rollup=None)
                merged.rollup = self._write_rollup(name)
                m.segments = [*keep, merged]
        finally:
            con.close()
        # The change log is needed above the oldest segment's position (min_seq never falls).
        previous, m.compacted_seq = m.compacted_seq, m.min_seq
        self._save(m)
        # Readers holding the manifest before the previous compaction are long gone.
        with engine.begin() as conn:
            conn.execute(AnalyticsChange.__table__.delete().where(AnalyticsChange.seq <= previous))

    def _needs_full_compaction(self, engine: Engine, m: Manifest) -> bool:
        """Rewrite the big segment too when the small ones have grown to a good share of it,
        or when too many of its rows are stale (each read excludes them)."""
        base = max(m.segments, key=lambda s: s.rows)
        if (sum(s.rows for s in m.segments) - base.rows) * FULL_COMPACT_SHARE >= base.rows:
            return True
        with engine.connect() as conn:
            stale = conn.execute(
                select(func.count()).where(AnalyticsChange.seq > base.seq)
            ).scalar_one()
        return stale > max(FULL_COMPACT_STALE, base.rows // 100)

    def _write_segment(self, rows: list[tuple], *, seq: int) -> tuple[Segment, np.ndarray]:
        """Rows → one Parquet file, through numpy arrays (no per-value Python objects reach
        DuckDB: object arrays cost it an import attempt per value)."""
        table = np.array(rows, dtype=object)
        n = len(rows)
        ints_block = table[:, 2 : 2 + len(INT_COLUMNS)].astype(np.int64)
        data = {"id": table[:, 0].astype(np.int64), "ts": table[:, 1].astype("datetime64[us]")}
        for i, name in enumerate(INT_COLUMNS):
            data[name] = ints_block[:, i]
        texts = []
        for i, name in enumerate(TEXT_COLUMNS, start=2 + len(INT_COLUMNS)):
            values, codes = np.unique(table[:, i].astype(str), return_inverse=True)
            data[name] = codes.astype(np.int32) + 1  # DuckDB lists are 1-based
            listed = "[" + ", ".join(_quote(v) for v in values.tolist()) + "]"
            texts.append(f"NULLIF(CAST({listed}[{name}] AS VARCHAR), chr(1)) AS {name}")
        name = f"seg-{uuid.uuid4().hex}.parquet"
        ints = ", ".join(f"CAST(NULLIF({c}, {INT_NULL}) AS {TYPES[c]}) AS {c}" for c in INT_COLUMNS)
        con = duck.connection().cursor()
        try:
            batch = data  # noqa: F841 - DuckDB finds numpy dicts by local name
            con.execute(
                f"COPY (SELECT id, ts AS submitted_at, {ints}, {', '.join(texts)}, "
                f"CAST({seq} AS BIGINT) AS _seq FROM batch ORDER BY submitted_at) "
                f"TO '{self.path(name)}' ({PARQUET})"
            )
        finally:
            con.close()
        return Segment(file=name, rows=n, seq=seq, rollup=self._write_rollup(name)), data["id"]

    def _write_rollup(self, segment_file: str) -> str:
        """The segment's counts by day × dimension pairs, in a file of their own: built in
        batches of days (bounded memory) that are then merged in order."""
        name = f"agg-{uuid.uuid4().hex}.parquet"
        segment = self.path(segment_file)
        con = duck.connection().cursor()
        parts: list[str] = []
        try:
            days = con.execute(
                "SELECT CAST(submitted_at AS DATE) AS d, count(*) FROM read_parquet(?) "
                "WHERE submitted_at IS NOT NULL GROUP BY d ORDER BY d",
                [segment],
            ).fetchall()
            ranges = rollup.batches(days) or [(date(1970, 1, 1), date(1970, 1, 2))]
            if len(ranges) == 1:
                sql = rollup.build_sql(segment, *ranges[0])
                con.execute(f"COPY ({sql}) TO '{self.path(name)}' ({PARQUET})")
                return name
            for first, after in ranges:
                parts.append(self.path(f".agg-part-{uuid.uuid4().hex}.parquet"))
                sql = rollup.build_sql(segment, first, after)
                con.execute(f"COPY ({sql}) TO '{parts[-1]}' (FORMAT parquet)")
            con.execute(
                f"COPY (SELECT * FROM read_parquet({duck.sql_list(parts)}) ORDER BY g, day) "
                f"TO '{self.path(name)}' ({PARQUET})"
            )
            return name
        finally:
            con.close()
            for part in parts:
                Path(part).unlink(missing_ok=True)

    def add_rollups(self) -> int:
        """Write the rollups that segments from before rollups existed lack (writer lock
        held); how many were written."""
        m = self.manifest()
        missing = [s for s in m.segments if s.rollup is None]
        for s in missing:
            s.rollup = self._write_rollup(s.file)
        if missing:
            self._save(m)
        return len(missing)

    def _write_customers(self, conn) -> str:
        """Snapshot of the customer dimension (segment, attributes) for segment breakdowns,
        via newline-delimited JSON (attributes are free-form)."""
        stmt = select(
            Customer.id,
            Customer.segment,
            type_coerce(Customer.__table__.c.attributes, String).label("attributes"),
        )
        source = self.dir / f".customers-{uuid.uuid4().hex}.jsonl"
        with open(source, "wb") as fh:
            fh.write(orjson.dumps({"id": 0, "segment": None, "attributes": None}) + b"\n")
            for row in conn.execute(stmt):
                fh.write(orjson.dumps({"id": row[0], "segment": row[1], "attributes": row[2]}))
                fh.write(b"\n")
        name = f"customers-{uuid.uuid4().hex}.parquet"
        con = duck.connection().cursor()
        try:
            con.execute(
                f"COPY (SELECT CAST(id AS BIGINT) AS id, CAST(segment AS VARCHAR) AS segment, "
                f"CAST(attributes AS VARCHAR) AS attributes FROM read_json('{source}', "
                "format='newline_delimited', columns={id: 'BIGINT', segment: 'VARCHAR', "
                f"attributes: 'VARCHAR'}}) WHERE id > 0) TO '{self.path(name)}' (FORMAT parquet)"
            )
        finally:
            con.close()
            source.unlink(missing_ok=True)
        return name

    def _collect_garbage(self) -> None:
        m = self.manifest()
        keep = {s.file for s in m.segments} | {s.rollup for s in m.segments} | {m.customers}
        cutoff = time.time() - GC_SECONDS
        for f in self.dir.glob("*.parquet"):
            if f.name not in keep and f.stat().st_mtime < cutoff:
                f.unlink(missing_ok=True)


def _stream(conn, stmt, size: int = CHUNK_ROWS):
    """Chunks of plain tuples straight from the driver (server-side cursor on PostgreSQL):
    SQLAlchemy's row objects would cost more than the whole conversion."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cur = raw.cursor(name=f"otklik_sync_{uuid.uuid4().hex[:8]}")
        cur.execute(compiled.string, compiled.params)
    else:
        cur = raw.cursor()
        cur.execute(compiled.string, [compiled.params[k] for k in compiled.positiontup or ()])
    try:
        while rows := cur.fetchmany(size):
            yield rows
    finally:
        cur.close()


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _holes(conn, m, high_id, high_seq, fetched, id_holes, seq_holes, late, now):
    """PostgreSQL hands out ids and change seqs inside open transactions: id 100 may commit
    after id 101 was mirrored. Ids and seqs below the new marks that are not visible yet are
    remembered as holes; readers read hole ids from the tail and treat hole changes as
    pending, and the next sync picks them up. (Most holes are rolled-back inserts; they
    expire after ``HOLE_TTL``.) SQLite has one writer and no such holes."""
    seen = np.concatenate(fetched) if fetched else np.empty(0, np.int64)
    low = max(m.watermark, high_id - HOLE_WINDOW)
    candidates = np.union1d(
        np.arange(low + 1, high_id + 1, dtype=np.int64),
        np.fromiter(id_holes, dtype=np.int64, count=len(id_holes)),
    )
    missing = np.setdiff1d(candidates, seen)
    if missing.size:  # deleted ones are gone for good, not in flight
        erased = {r for (r,) in conn.execute(
            select(AnalyticsChange.response_id).where(
                AnalyticsChange.response_id.in_(missing.tolist()))
        )}  # fmt: skip
        missing = [int(i) for i in missing if int(i) not in erased]
    ids = [[i, id_holes.get(i, now)] for i in missing]
    resolved = {q for q, _ in late}
    low_seq = max(m.seq, high_seq - HOLE_WINDOW)
    present = {q for (q,) in conn.execute(
        select(AnalyticsChange.seq).where(
            AnalyticsChange.seq > low_seq, AnalyticsChange.seq <= high_seq)
    )}  # fmt: skip
    seqs = [[q, now] for q in range(low_seq + 1, high_seq + 1) if q not in present]
    seqs += [[q, t] for q, t in seq_holes.items() if q not in resolved]
    return ids, seqs


def _timestamp_text(dialect: str):
    if dialect == "postgresql":
        return func.to_char(
            text("response.submitted_at AT TIME ZONE 'UTC'"), "YYYY-MM-DD HH24:MI:SS.US"
        )
    return R.submitted_at  # SQLite keeps UTC text already


def _pending(engine: Engine, above_seq: int) -> dict:
    """Changes after ``above_seq`` as arrays for DuckDB: (response_id, seq)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(AnalyticsChange.response_id, AnalyticsChange.seq).where(
                AnalyticsChange.seq > above_seq
            )
        ).all()
    return pending_arrays(rows)


def pending_arrays(rows) -> dict:
    return {
        "response_id": np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
        "seq": np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)),
    }


def pending_from_session(
    session: Session, above_seq: int, *, only: list[int] | None = None
) -> list[tuple[int, int]]:
    """(response id, seq) of changes after ``above_seq`` (or with the seqs ``only``)."""
    cond = AnalyticsChange.seq.in_(only) if only is not None else AnalyticsChange.seq > above_seq
    return [
        (int(r[0]), int(r[1]))
        for r in session.execute(
            select(AnalyticsChange.response_id, AnalyticsChange.seq).where(cond)
        )
    ]
