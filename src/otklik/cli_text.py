"""``otklik text``: comment text analytics, on a CSV file or on the stored comments.

``analyze`` needs no database (a file in, a file out); ``run``, ``retrain`` and
``discover`` work on the comments stored in the installation's database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from otklik.config import get_settings
from otklik.errors import OtklikError

text_app = typer.Typer(
    help="Comment text analytics (analyze works without a database).", no_args_is_help=True
)


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

    from otklik.cli import console, fail
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

    from otklik.cli import _session, console, fail
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
    from otklik.cli import _session, console
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
    from otklik.cli import _session, console
    from otklik.understand.comments.discovery import discover_themes

    with _session() as session:
        clusters = discover_themes(session=session, limit=limit)
        for c in clusters:
            console.print(f"#{c.id} {c.size:>5}  {c.label}", markup=False)
    console.print(f"{len(clusters)} clusters")
