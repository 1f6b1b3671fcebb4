"""``otklik report`` (a metric by any dimensions) and ``otklik analytics`` (its mirror).

Both read the columnar analytics mirror. It also syncs on read and in the worker; the
``analytics`` commands are for operators (after a restore, to reclaim space, or to see
how far behind it is). ``report`` is registered on the main app by :mod:`otklik.cli`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from otklik.config import get_settings
from otklik.errors import OtklikError

analytics_app = typer.Typer(help="The columnar analytics mirror.", no_args_is_help=True)


def report(
    metric: Annotated[str, typer.Argument(help="nps, csat or ces.", show_default=False)],
    by: Annotated[
        str, typer.Option(help="Comma-separated dimensions, e.g. touchpoint,month.")
    ] = "",
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: --to − 364.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, inclusive.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """A metric with n and 95% CI per group (dimensions: survey, journey, stage, touchpoint,
    channel, unit, segment, language, source, day, week, month, quarter, attribute:NAME)."""
    from datetime import UTC, datetime

    from otklik.cli import _session, fail, out
    from otklik.understand.engine import analytics_engine
    from otklik.understand.report import breakdown
    from otklik.understand.report_format import parse_report_args, render

    settings = get_settings()
    try:
        dims, since, until = parse_report_args(
            metric=metric, by=by, date_from=date_from, date_to=date_to, fmt=fmt,
            today=datetime.now(UTC).date(),
        )  # fmt: skip
    except OtklikError as exc:
        fail(str(exc))
    with _session(settings) as session:
        engine = analytics_engine(data_dir=settings.data_dir, engine=session.get_bind())
        engine.auto_sync = False
        result = breakdown(
            session=session, metric=metric, since=since, until=until, by=dims, engine=engine,
            min_n=settings.min_n,
        )  # fmt: skip
    out.print(render(result, fmt), markup=False, highlight=False, soft_wrap=True)


@analytics_app.command("sync")
def analytics_sync(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rewrite the mirror.")] = False,
) -> None:
    """Copy new and changed responses into the mirror (runs also on read and in the worker)."""
    _analytics(lambda e, s: e.sync(wait=True, rebuild=rebuild))


@analytics_app.command("rebuild")
def analytics_rebuild() -> None:
    """Rewrite the mirror from the database (after a restore, or to reclaim space)."""
    _analytics(lambda e, s: e.sync(wait=True, rebuild=True))


@analytics_app.command("status")
def analytics_status() -> None:
    """Mirrored rows, unsynced tail, pending erasures/edits."""
    _analytics(lambda e, s: e.status(session=s))


def _analytics(action) -> None:
    from otklik.cli import _session, out
    from otklik.understand.engine import analytics_engine

    settings = get_settings()
    with _session(settings) as session:
        engine = analytics_engine(data_dir=settings.data_dir, engine=session.get_bind())
        engine.auto_sync = False
        result = action(engine, session)
    for key, value in (result or {}).items():
        out.print(f"{key}: {value}", markup=False, highlight=False)
