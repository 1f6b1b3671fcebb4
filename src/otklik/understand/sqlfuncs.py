"""SQL functions spelled differently per engine, as SQLAlchemy expressions compiled per dialect.

Keeping these few spellings here is what lets one metric statement run on
SQLite, PostgreSQL and DuckDB (and ClickHouse later, with one more branch each).
"""

from __future__ import annotations

import re
from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

_KEY = re.compile(r"^[A-Za-z0-9_]{1,64}$")


class json_text(FunctionElement):
    """``json_text(column, key)``: the value at top-level ``key`` of a JSON object, as text."""

    type = String()
    inherit_cache = True
    name = "json_text"
    # The key is rendered into the SQL: part of the compiled-SQL cache key (see period_start).
    _traverse_internals: ClassVar[list] = [
        *FunctionElement._traverse_internals,
        ("key", InternalTraversal.dp_string),
    ]

    def __init__(self, column, key: str) -> None:
        if not _KEY.match(key):  # rendered literally below, so only safe names
            raise ValueError(f"bad JSON key {key!r}")
        self.key = key
        super().__init__(column)


@compiles(json_text)
def _json_text_duckdb(element, compiler, **kw):
    (column,) = element.clauses
    return f"json_extract_string({compiler.process(column, **kw)}, '$.{element.key}')"


@compiles(json_text, "postgresql")
def _json_text_pg(element, compiler, **kw):
    (column,) = element.clauses
    return f"({compiler.process(column, **kw)} ->> '{element.key}')"


@compiles(json_text, "sqlite")
def _json_text_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return f"CAST(json_extract({compiler.process(column, **kw)}, '$.{element.key}') AS TEXT)"
