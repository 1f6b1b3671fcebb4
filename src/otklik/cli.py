"""The `otklik` command line: serve, migrate, demo data, imports, users and API keys.

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

from otklik.config import Settings, get_settings
from otklik.errors import OtklikError

app = typer.Typer(
    help="Otklik — self-hosted customer experience management.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Manage people who log in.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage API keys for machines.", no_args_is_help=True)
import_app = typer.Typer(help="Import existing data.", no_args_is_help=True)
text_app = typer.Typer(
    help="Comment text analytics (analyze works without a database).", no_args_is_help=True
)
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(import_app, name="import")
app.add_typer(text_app, name="text")
analytics_app = typer.Typer(help="The columnar analytics mirror.", no_args_is_help=True)
app.add_typer(analytics_app, name="analytics")
from otklik.cli_journey import journey_app  # noqa: E402  (its commands import cli lazily)

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


@import_app.command("responses")
def import_responses_cmd(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSONL file.", show_default=False)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; write nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import the valid rows even if some rows are invalid."),
    ] = False,
    source: Annotated[str, typer.Option(help="Source recorded on each response.")] = "import",
) -> None:
    """Import responses from a file (columns: submitted_at, external_id, customer_id,
    customer_email, touchpoint, channel, unit, nps, csat, ces, comment, language; any other
    column is kept as an attribute).

    All-or-nothing unless --skip-invalid. Row errors go to FILE.errors.csv. Exit code 1 on errors.
    """
    from otklik.listen.importer import import_responses

    settings = get_settings()
    with _session(settings) as session:
        report = import_responses(
            session=session,
            path=file,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            source=source,
            console=console,
        )
    out.print(report.summary_line(), soft_wrap=True, highlight=False)
    if report.errors:
        raise typer.Exit(1)


@import_app.command("reviews")
def import_reviews_cmd(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX, JSONL or JSON.", show_default=False)],
    touchpoint: Annotated[str, typer.Option(help="Touchpoint code the reviews are about.")],
    scale: Annotated[int, typer.Option(help="Rating scale: 5 (→ csat) or 10 (→ nps).")] = 5,
    kind: Annotated[str, typer.Option(help="review or interview.")] = "review",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only.")] = False,
) -> None:
    """Import external reviews or interview notes (columns: source, id, rating, text, date,
    url, author, language) as responses; a review already imported is not duplicated."""
    from otklik.listen.reviews import import_reviews

    with _session() as session:
        report = import_reviews(
            session=session, path=file, touchpoint=touchpoint, scale=scale, kind=kind,
            dry_run=dry_run,
        )  # fmt: skip
    out.print(report.summary_line(), soft_wrap=True, highlight=False, markup=False)
    if report.errors:
        raise typer.Exit(1)


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


@text_app.command("analyze")
def text_analyze(
    file: Annotated[Path, typer.Argument(help="CSV file of comments (UTF-8).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Result CSV to write.", show_default=False)],
    text_column: Annotated[str, typer.Option(help="Column with the comment.")] = "text",
    id_column: Annotated[str, typer.Option(help="Column with the row's id.")] = "id",
    employees: Annotated[
        Path | None, typer.Option(help="CSV of employees (id, name, aliases) for mentions.")
    ] = None,
    taxonomy: Annotated[Path | None, typer.Option(help="Theme taxonomy JSON.")] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also write truncated, pii and mentions.")
    ] = False,
) -> None:
    """Language, sentiment, themes and PII-redacted text for every comment of a CSV.

    Writes id, language, sentiment, sentiment_score, themes (';'-separated), redacted_text.
    """
    from rich.progress import Progress

    from otklik.understand.text import TextAnalyzer
    from otklik.understand.text.csvio import (
        analyze_csv,
        load_directory,
        load_taxonomy,
        read_csv_rows,
    )

    try:
        total = len(read_csv_rows(file))
        kwargs = {}
        if employees:
            kwargs["directory"] = load_directory(employees)
        if taxonomy:
            kwargs["taxonomy"] = load_taxonomy(taxonomy)
        analyzer = TextAnalyzer(**kwargs)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("analysing", total=total)
            n = analyze_csv(
                source=file,
                out=out,
                analyzer=analyzer,
                text_column=text_column,
                id_column=id_column,
                details=details,
                progress=lambda k: bar.advance(task, k),
            )
    except OtklikError as exc:
        fail(str(exc))
    console.print(f"analysed {n} comments → {out}")


@text_app.command("run")
def text_run(
    everything: Annotated[
        bool, typer.Option("--all", help="Re-analyse every comment, not only new or stale ones.")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Only responses submitted on/after this date (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many comments.")] = None,
) -> None:
    """Analyse stored comments (new ones, or ones analysed by an older model or taxonomy)."""
    from datetime import UTC, datetime

    from rich.progress import Progress

    from otklik.understand.comments.enrich import analyse_responses

    start = None
    if since:
        try:
            start = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            fail(f"--since must be a date like 2026-01-31, not {since!r}")
    settings = get_settings()
    with _session(settings) as session, Progress(console=console, transient=True) as bar:
        task = bar.add_task("analysing comments", total=None)
        report = analyse_responses(
            session=session,
            redact_stored=settings.redact_pii_on_ingest,
            everything=everything,
            since=start,
            limit=limit,
            data_dir=settings.data_dir,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(f"analysed {report.analysed} comments (model {report.version})")


@text_app.command("retrain")
def text_retrain() -> None:
    """Fold analysts' corrections into this installation's sentiment and theme models."""
    from otklik.understand.comments.retrain import retrain

    settings = get_settings()
    with _session(settings) as session:
        report = retrain(session=session, data_dir=settings.data_dir)
    console.print(
        f"{report.sentiment_examples} sentiment and {report.theme_examples} theme examples "
        f"→ {report.path}; run `otklik text run` to re-analyse"
    )


@text_app.command("discover")
def text_discover(
    limit: Annotated[int, typer.Option(help="Latest unmatched comments to cluster.")] = 2000,
) -> None:
    """Cluster comments that match no theme: candidate new themes for the taxonomy."""
    from otklik.understand.comments.discovery import discover_themes

    with _session() as session:
        clusters = discover_themes(session=session, limit=limit)
        for c in clusters:
            console.print(f"#{c.id} {c.size:>5}  {c.label}", markup=False)
    console.print(f"{len(clusters)} clusters")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    password: Annotated[str, typer.Option(help="At least 10 characters.")],
    role: Annotated[str, typer.Option(help="admin, analyst or viewer.")] = "viewer",
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    language: Annotated[str, typer.Option(help="UI language: ru or en.")] = "ru",
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Succeed quietly when the email already exists.")
    ] = False,
) -> None:
    """Create a user who can log in to the web UI."""
    from otklik.access.models import User
    from otklik.access.users import create_user, normalise_email

    with _session() as session:
        if if_missing and session.query(User.id).filter_by(email=normalise_email(email)).first():
            out.print(f"user {normalise_email(email)} already exists")
            return
        user = create_user(
            session=session,
            email=email,
            password=password,
            role=role,
            full_name=name,
            language=language,
        )
        out.print(f"created user {user.email} ({user.role})")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'CRM'.")],
) -> None:
    """Create an API key for ingestion; the key is printed once and not stored."""
    from otklik.access.apikeys import create_api_key

    with _session() as session:
        row, plaintext = create_api_key(session=session, name=name)
        out.print(plaintext)
        console.print(f"API key #{row.id} '{name}' created; store it now, it is not shown again.")


@apikey_app.command("list")
def apikey_list() -> None:
    """List API keys: id, name, prefix, created, last used, revoked (times in UTC)."""
    from otklik.access.apikeys import list_api_keys

    def when(value) -> str:
        return f"{value:%Y-%m-%d %H:%M}" if value else "-"

    with _session() as session:
        rows = [
            (str(k.id), k.name, k.prefix, when(k.created_at), when(k.last_used_at),
             when(k.revoked_at))
            for k in list_api_keys(session=session)
        ]  # fmt: skip
    if not rows:
        out.print("no API keys yet; create one with `otklik apikey create --name NAME`")
        return
    header = ("ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@apikey_app.command("revoke")
def apikey_revoke(key_id: Annotated[int, typer.Argument(help="The key's number.")]) -> None:
    """Revoke an API key (takes effect within 30 seconds in running servers)."""
    from otklik.access.apikeys import revoke_api_key

    with _session() as session:
        revoke_api_key(session=session, key_id=key_id)
        out.print(f"API key #{key_id} revoked")


@app.command()
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


from otklik.cli_insights import churn, drivers, retention  # noqa: E402  (import cli lazily)

app.command("churn")(churn)
app.command("drivers")(drivers)
app.command("retention")(retention)


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
    from otklik.understand.engine import analytics_engine

    settings = get_settings()
    with _session(settings) as session:
        engine = analytics_engine(data_dir=settings.data_dir, engine=session.get_bind())
        engine.auto_sync = False
        result = action(engine, session)
    for key, value in (result or {}).items():
        out.print(f"{key}: {value}", markup=False, highlight=False)


def main() -> None:
    """Entry point: run the app, turning Otklik errors into one line and exit code 1."""
    try:
        app()
    except OtklikError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
