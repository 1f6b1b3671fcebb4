"""Alembic environment: uses the connection handed in by `otklik.store.migrate`."""

from alembic import context
from sqlalchemy import create_engine

import otklik.models  # noqa: F401  (registers every table on Base.metadata)
from otklik.store.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run_with(conn)
    else:
        _run_with(conn)


def _run_with(conn) -> None:
    context.configure(
        connection=conn,
        target_metadata=target_metadata,
        render_as_batch=conn.dialect.name == "sqlite",  # ALTER TABLE support on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
