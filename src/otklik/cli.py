"""The `otklik` command line: serve, migrate, demo data, invitations, the worker.

The other commands live next door and are registered here, in the order ``--help``
lists them: ``cli_analytics`` (report, analytics), ``cli_insights`` (churn, drivers,
retention), ``cli_users`` (user, apikey), ``cli_import``, ``cli_text``, ``cli_journey``.
Their commands import ``_session``, ``fail`` and the consoles from here when they run.
Every command fails with one readable line and a non-zero exit code on bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from otklik.cli_analytics import analytics_app, report
from otklik.cli_import import import_app
from otklik.cli_insights import churn, drivers, retention
from otklik.cli_journey import journey_app
from otklik.cli_text import text_app
from otklik.cli_users import apikey_app, user_app
from otklik.config import Settings, get_settings
from otklik.errors import OtklikError

app = typer.Typer(
    help="Otklik — self-hosted customer experience management.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(import_app, name="import")
app.add_typer(text_app, name="text")
app.add_typer(analytics_app, name="analytics")
app.add_typer(journey_app, name="journey")

console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> None:
    """Print one readable error line and exit non-zero."""
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _session(settings: Settings | None = None) -> Iterator:
    """A migrated database session that commits on success, for one command."""
    from otklik.store import make_engine, make_sessionmaker, migrate
    from otklik.understand.comments.redaction import set_redaction

    settings = settings or get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    set_redaction(engine, settings.redact_pii_on_ingest)
    try:
        migrate(engine)
        session = make_sessionmaker(engine)()
        try:
            yield session
            session.commit()
        except OtklikError as exc:
            session.rollback()
            fail(str(exc))
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
    finally:
        engine.dispose()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (safe to run any time)."""
    from otklik.store import make_engine
    from otklik.store import migrate as run_migrations

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    run_migrations(engine)
    out.print(f"database is up to date: {engine.url.render_as_string(hide_password=True)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    with_worker: Annotated[
        bool,
        typer.Option(
            "--with-worker",
            help="Also run `otklik worker` (background jobs) as a child process, stopped with "
            "the server: one command for a single-machine installation.",
        ),
    ] = False,
) -> None:
    """Migrate the database, then serve the web app and API."""
    import signal
    import subprocess
    import sys

    import uvicorn

    from otklik.store import make_engine
    from otklik.store import migrate as run_migrations

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    run_migrations(engine)
    engine.dispose()
    settings.resolved_secret_key()  # create it once, before several workers race for it
    out.print(f"Otklik is serving at http://{host}:{port}  (API docs: /api/docs)")
    # Without a worker nothing queued runs (comment analysis, mail, churn model, mirror sync).
    child = subprocess.Popen([sys.executable, "-m", "otklik", "worker"]) if with_worker else None
    if child is not None:
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it under the handler that
        # was there before: make that an exit, so the `finally` below stops the worker.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(
            "otklik.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=False,
        )
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


@app.command()
def demo(
    responses: Annotated[
        int, typer.Option(help="How many survey responses to generate.")
    ] = 100_000,
    customers: Annotated[int, typer.Option(help="How many customers.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 42,
) -> None:
    """Load the demo company (a retail bank): journey, branches, staff, customers, responses.

    Idempotent: running it again on a database that has the demo does nothing.
    """
    from otklik.demo import build_demo

    settings = get_settings()
    with _session(settings) as session:
        summary = build_demo(
            session=session, responses=responses, customers=customers, seed=seed, console=console
        )
    out.print(summary)


@app.command()
def invite(
    survey: Annotated[str, typer.Argument(help="Survey slug.", show_default=False)],
    contacts: Annotated[
        Path, typer.Argument(help="CSV: email, name, language, external_id[, timezone].")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Apply the rules, invite nobody.")
    ] = False,
) -> None:
    """Invite a CSV of contacts to a survey by email (fatigue rules apply; the worker sends).

    All or nothing: a bad row invites nobody."""
    from otklik.listen.contacts import invite_contacts
    from otklik.listen.surveys import get_survey

    with _session() as session:
        report = invite_contacts(
            session=session, survey=get_survey(session=session, slug=survey), data=contacts,
            dry_run=dry_run,
        )  # fmt: skip
    if report.errors:
        fail(report.summary_line())
    out.print(report.summary_line(), soft_wrap=True, highlight=False, markup=False)


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run background jobs: analyse new comments, send invitations and reminders, keep the
    analytics mirror in sync (every 5 s), train the churn model, purge old drafts."""
    from otklik.jobs import run_worker
    from otklik.store import make_engine
    from otklik.store import migrate as run_migrations

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    run_migrations(engine)
    engine.dispose()
    where = settings.redis_url or settings.data_dir / "jobs.db"
    console.print(f"Otklik worker: {workers} threads, queue {where}")
    run_worker(settings, workers=workers)


app.command("report")(report)
app.command("churn")(churn)
app.command("drivers")(drivers)
app.command("retention")(retention)


def main() -> None:
    """Entry point: run the app, turning Otklik errors into one line and exit code 1."""
    try:
        app()
    except OtklikError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
