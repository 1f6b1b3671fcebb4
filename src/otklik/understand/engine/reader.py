"""Reading through the mirror: segments' counts (DuckDB) + the fresh tail's counts (system of
record), added by group key. Because sufficient statistics add up, the sum is exact.

The tail is every response above the mirror's watermark plus every response
the change log names after the mirror's position; stale segment copies are
excluded with an anti-join on the change log. So a response committed a
millisecond ago, or erased, is reflected on the very next read, with no sync.

A read may ask for its segment counts to be cached (``cache=True``): segments
never change, so one segment's counts for one statement stay exact until a
change names one of its rows (the stale ids are part of the cache key). The
tail is always read live, so a cached read is as fresh as an uncached one.

A read that fits a segment's rollup (``rollup.fitting_set``: whole days, a
period and at most two dimensions) takes that segment's counts from the rollup
file the writer left beside it, minus the counts of its rows changed since
(read from the segment by id): no scan, in any process, so a new web process's
first dashboard is as quick as a cached one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from otklik.understand.engine import duck, rollup
from otklik.understand.engine.mirror import Manifest, Mirror, pending_arrays, pending_from_session
from otklik.understand.metrics import Counts, Plan, R, counts_statement, merge_rows

log = logging.getLogger(__name__)

AUTO_SYNC_TAIL = 50_000  # a read that sees more unsynced rows than this starts a sync
_IN_CHUNK = 900  # ids per IN (...) list: under SQLite's 999 bound parameters
LATE = 2**62  # a late-committed change is newer than every segment
CACHE_GROUPS = 50_000  # cached groups per process over all entries: ~1 kB each, ≤ ~50 MB


class _SegmentCache:
    """Least-recently-used ``{key: {group key: Counts}}``, bounded by the number of groups."""

    def __init__(self, max_groups: int) -> None:
        self.max_groups = max_groups
        self._items: OrderedDict[tuple, dict[tuple, Counts]] = OrderedDict()
        self._groups = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> dict[tuple, Counts] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, value: dict[tuple, Counts]) -> None:
        with self._lock:
            if key in self._items or len(value) > self.max_groups:
                return
            self._items[key] = value
            self._groups += len(value)
            while self._groups > self.max_groups:
                _, old = self._items.popitem(last=False)
                self._groups -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._groups = 0


class AnalyticsEngine:
    """The read path every metric takes (pages, API, CLI, alerts). Thread-safe; one per process.

    ``auto_sync`` starts a background sync in this process when the tail has
    grown past ``AUTO_SYNC_TAIL`` rows and no other process is syncing.
    """

    def __init__(
        self, *, directory: Path, engine: Engine, auto_sync: bool = True, auto_sync_tail: int = 0
    ) -> None:
        self.engine = engine
        self.mirror = Mirror(directory, engine.url.render_as_string(hide_password=True))
        self.auto_sync = auto_sync
        self.auto_sync_tail = auto_sync_tail or AUTO_SYNC_TAIL
        self._syncing = threading.Lock()
        self.cache = _SegmentCache(CACHE_GROUPS)
        self.use_rollups = True  # False: always scan segments (benchmarks compare the two)

    # -- the read path ----------------------------------------------------------------------
    def counts(self, *, session: Session, p: Plan, cache: bool = False) -> dict[tuple, Counts]:
        """Counts by SQL key; ``cache`` keeps each segment's counts for this statement (worth
        it for statements whose parameters repeat, e.g. day-aligned dashboard ranges)."""
        for attempt in (1, 2):
            m = self.mirror.manifest()
            try:
                return self._counts(session, p, m, cache)
            except FileNotFoundError:  # compaction removed a segment we were about to read
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _counts(self, session: Session, p: Plan, m: Manifest, cache: bool) -> dict[tuple, Counts]:
        high_id = session.execute(select(func.coalesce(func.max(R.id), 0))).scalar_one()
        pending = pending_from_session(session, m.min_seq) if m.segments else []
        if m.seq_holes:  # changes that committed after a sync had passed their seq
            late = pending_from_session(session, 0, only=[q for q, _ in m.seq_holes])
            pending += [(rid, LATE) for rid, _ in late]
        result: dict[tuple, Counts] = {}
        if m.segments:
            stale = [(rid, seq) for rid, seq in pending if rid <= m.watermark]
            g = rollup.fitting_set(p) if self.use_rollups else None
            rolled = [s for s in m.segments if s.rollup is not None] if g is not None else []
            scanned = [s for s in m.segments if s not in rolled]
            if cache:
                self._cached_segment_counts(p, m, scanned, stale, result)
            elif scanned:
                self._segment_counts(p, m, [s.file for s in scanned], stale, result)
            if rolled:
                self._rollup_counts(p, g, rolled, stale, result, cache=cache)
        # The tail: responses the mirror has not seen, and current versions of changed ones.
        if high_id > m.watermark:
            # Two-sided, so SQLite walks the rowid range rather than a time index.
            stmt = counts_statement(p, extra_where=[R.id > m.watermark, R.id <= high_id])
            merge_rows(p, session.execute(stmt), into=result)
        again = {rid for rid, seq in pending if seq > m.seq and rid <= m.watermark}
        again |= {int(i) for i, _ in m.id_holes if i <= m.watermark}
        again = sorted(again)
        for i in range(0, len(again), _IN_CHUNK):
            ids = again[i : i + _IN_CHUNK]
            merge_rows(p, session.execute(counts_statement(p, extra_where=[R.id.in_(ids)])), result)
        if self.auto_sync and high_id - m.watermark > self.auto_sync_tail:
            self._start_background_sync()
        return result

    def _rollup_counts(self, p: Plan, g: int, segments, stale, into: dict, *, cache: bool) -> None:
        """Each segment's counts from its rollup, less its rows changed after it was written
        (the rollup counted their old versions; the tail reads the current ones)."""
        sql, params = duck.compile_for_duckdb(rollup.statement(p, g))
        for seg in segments:
            mine = sorted((rid, seq) for rid, seq in stale if seq > seg.seq)
            key = (seg.rollup, sql, tuple(params), tuple(rid for rid, _ in mine))
            found = self.cache.get(key) if cache else None
            if found is None:
                found = self._read_rollup(seg, sql, params, p)
                if mine:
                    gone = self._segment_counts(p, None, [seg.file], mine, {}, only_stale=True)
                    for k, c in gone.items():
                        rest = found[k].minus(c)
                        if rest.responses:
                            found[k] = rest
                        else:
                            del found[k]
                if cache:
                    self.cache.put(key, found)
            for k, c in found.items():
                into[k] = into[k] + c if k in into else c

    def _read_rollup(self, seg, sql: str, params: list, p: Plan) -> dict[tuple, Counts]:
        con = duck.connection().cursor()
        try:
            path = self.mirror.path(seg.rollup).replace("'", "''")
            cur = con.execute(f"WITH rollup AS (SELECT * FROM '{path}') {sql}", params)
            names = [d[0] for d in cur.description]
            return merge_rows(p, (dict(zip(names, row, strict=True)) for row in cur.fetchall()))
        except Exception as exc:  # a vanished file: the caller retries with the new manifest
            if "No files found" in str(exc) or "No such file" in str(exc):
                raise FileNotFoundError(str(exc)) from exc
            raise
        finally:
            con.close()

    def _cached_segment_counts(self, p: Plan, m: Manifest, segments, stale, into: dict) -> None:
        """Segment by segment, each one's counts from the cache when its key matches: the
        statement, the customer snapshot it joins, and the ids changed after it was written."""
        sql, params = duck.compile_for_duckdb(counts_statement(p))
        customers = m.customers if p.needs_customer else None
        for seg in segments:
            mine = sorted((rid, seq) for rid, seq in stale if seq > seg.seq)
            key = (seg.file, customers, sql, tuple(params), tuple(rid for rid, _ in mine))
            found = self.cache.get(key)
            if found is None:
                found = self._segment_counts(p, m, [seg.file], mine, {})
                self.cache.put(key, found)
            for k, c in found.items():
                into[k] = into[k] + c if k in into else c

    def _segment_counts(
        self, p: Plan, m: Manifest | None, segment_files, stale, into: dict, *,
        only_stale: bool = False,
    ) -> dict:  # fmt: skip
        """The segments' counts without their stale rows (``only_stale``: of those alone)."""
        files = duck.sql_list([self.mirror.path(f) for f in segment_files])
        response = f"SELECT r.* FROM read_parquet({files}) r"
        con = duck.connection().cursor()
        try:
            if stale:
                pending = pending_arrays(stale)  # noqa: F841 - DuckDB reads it by name
                # An explicit anti join: DuckDB plans the equivalent NOT EXISTS as a
                # delim join over every (id, _seq), 3-4× slower than the scan itself.
                join = "SEMI" if only_stale else "ANTI"
                response += f" {join} JOIN pending c ON c.response_id = r.id AND c.seq > r._seq"
            elif only_stale:
                return into
            ctes = [f"response AS ({response})"]
            if p.needs_customer:
                assert m is not None
                if m.customers is None:
                    ctes.append("customer AS (SELECT NULL::BIGINT AS id, NULL AS segment, "
                                "NULL AS attributes WHERE false)")  # fmt: skip
                else:
                    ctes.append(f"customer AS (SELECT * FROM '{self.mirror.path(m.customers)}')")
            sql, params = duck.compile_for_duckdb(counts_statement(p))
            cur = con.execute(f"WITH {', '.join(ctes)} {sql}", params)
            names = [d[0] for d in cur.description]
            merge_rows(p, (dict(zip(names, row, strict=True)) for row in cur.fetchall()), into)
            return into
        except Exception as exc:  # a vanished file surfaces as an IOException from DuckDB
            if "No files found" in str(exc) or "No such file" in str(exc):
                raise FileNotFoundError(str(exc)) from exc
            raise
        finally:
            con.close()

    # -- writing ----------------------------------------------------------------------------
    def sync(self, *, wait: bool = True, rebuild: bool = False) -> dict | None:
        """Bring the mirror up to date; None when another process holds the writer lock."""
        with self.mirror.writer(wait=wait) as got:
            if not got:
                return None
            return self.mirror.sync(engine=self.engine, rebuild=rebuild)

    def status(self, *, session: Session) -> dict:
        m = self.mirror.manifest()
        high_id = session.execute(select(func.coalesce(func.max(R.id), 0))).scalar_one()
        tail = session.execute(select(func.count()).where(R.id > m.watermark)).scalar_one()
        return {
            "directory": str(self.mirror.dir),
            "segments": len(m.segments),
            "mirrored_rows": sum(s.rows for s in m.segments),
            "segments_with_rollups": sum(1 for s in m.segments if s.rollup is not None),
            "watermark": m.watermark,
            "max_response_id": int(high_id),
            "tail_rows": int(tail),
            "pending_changes": len(pending_from_session(session, m.min_seq)) if m.segments else 0,
            "synced_at": m.synced_at or None,
        }

    def _start_background_sync(self) -> None:
        if not self._syncing.acquire(blocking=False):
            return

        def run() -> None:
            try:
                self.sync(wait=False)
            except Exception:  # a failed sync leaves the tail path correct; log and go on
                log.exception("background analytics sync failed")
            finally:
                self._syncing.release()

        threading.Thread(target=run, name="otklik-analytics-sync", daemon=True).start()
