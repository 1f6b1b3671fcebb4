"""DuckDB plumbing: an offline in-memory connection, and compiling the metric SQL for it.

The metric statement is SQLAlchemy Core; DuckDB speaks PostgreSQL's SQL closely
enough that PostgreSQL's compiler serves, under the dialect name ``duckdb`` so
that the few per-engine spellings (``periods.period_start``,
``sqlfuncs.json_text``) pick DuckDB's. No DuckDB SQLAlchemy driver is needed.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
from datetime import UTC, datetime

import duckdb
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.sql import Select

# Nothing may be fetched at run time (the machine may be offline): the parquet and json
# extensions are compiled into the wheel; refuse to install or auto-load anything else.
CONFIG = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "threads": "2",
    "memory_limit": "256MB",
    "preserve_insertion_order": "false",
    "enable_object_cache": "true",  # keep Parquet footers between queries
}


class DuckDBDialect(PGDialect):
    name = "duckdb"
    supports_statement_cache = False


DIALECT = DuckDBDialect(paramstyle="qmark")
_DIALECT = DIALECT
_lock = threading.Lock()
_con: duckdb.DuckDBPyConnection | None = None


def connection() -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB database; callers take a ``.cursor()`` per use.

    One database per process (opening one costs ~30 ms, a cursor ~0.01 ms). Cursors
    are closed by their users, so no DuckDB object outlives the thread that used it —
    per-thread connections left in pool threads abort the interpreter at exit.
    """
    global _con
    if _con is None:
        with _lock:
            if _con is None:
                # Sorting a large compaction spills to disk: a directory of this process's
                # own (DuckDB's default is ./.tmp in whatever the working directory is).
                spill = os.path.join(tempfile.gettempdir(), f"otklik-duckdb-{os.getpid()}")
                con = duckdb.connect(":memory:", config={**CONFIG, "temp_directory": spill})
                con.execute("SET TimeZone = 'UTC'")
                atexit.register(con.close)
                _con = con
    return _con


def compile_for_duckdb(stmt: Select) -> tuple[str, list]:
    """SQL text with ``?`` placeholders and the parameter list, in order."""
    compiled = stmt.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    params = [_param(compiled.params[name]) for name in compiled.positiontup or ()]
    return compiled.string, params


def _param(value):
    # Mirror timestamps are naive UTC (TIMESTAMP), like the system of record stores them.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def sql_list(items: list[str]) -> str:
    """A DuckDB list literal of file paths (quotes doubled)."""
    return "[" + ", ".join("'" + str(i).replace("'", "''") + "'" for i in items) + "]"
