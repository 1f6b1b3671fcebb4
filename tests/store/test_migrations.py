import pytest
from sqlalchemy import inspect

from otklik.store import Base, migrate


def test_migrations_create_every_model_table_and_rerun_is_a_no_op(engine):
    migrate(engine)  # already migrated by the fixture: must be idempotent
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # FULL (2): an acknowledged commit survives a power cut, not only a process crash.
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
