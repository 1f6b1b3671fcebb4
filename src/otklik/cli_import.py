"""``otklik import``: responses from a file (CSV, XLSX, JSONL) and external reviews.

The commands only parse options and print the report; the work is in
:mod:`otklik.listen.importer` and :mod:`otklik.listen.reviews`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from otklik.config import get_settings

import_app = typer.Typer(help="Import existing data.", no_args_is_help=True)


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
    from otklik.cli import _session, console, out
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
    from otklik.cli import _session, out
    from otklik.listen.reviews import import_reviews

    with _session() as session:
        report = import_reviews(
            session=session, path=file, touchpoint=touchpoint, scale=scale, kind=kind,
            dry_run=dry_run,
        )  # fmt: skip
    out.print(report.summary_line(), soft_wrap=True, highlight=False, markup=False)
    if report.errors:
        raise typer.Exit(1)
