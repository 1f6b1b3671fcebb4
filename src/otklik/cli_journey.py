"""``otklik journey``: export a journey map to a file and import it back (JSON or YAML).

The same functions as the editor's import/export and ``/api/v1/journeys/import``;
errors are one line naming the path in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

journey_app = typer.Typer(help="Journey maps as files (JSON or YAML).", no_args_is_help=True)


def _format(path: Path | None, given: str | None) -> str:
    if given:
        if given not in ("json", "yaml"):
            from otklik.cli import fail

            fail(f"--format: must be json or yaml, not {given!r}")
        return given
    return "json" if path is not None and path.suffix.lower() == ".json" else "yaml"


@journey_app.command("export")
def journey_export(
    slug: Annotated[str, typer.Argument(help="The journey's slug.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")] = None,
    format: Annotated[str | None, typer.Option(help="json or yaml (default: from --out).")] = None,
) -> None:
    """Write a journey (stages, touchpoints, personas, targets, opportunities) to a file."""
    from otklik.cli import _session
    from otklik.listen import journey_io
    from otklik.listen.journeys import get_journey

    fmt = _format(out, format)
    with _session() as session:
        doc = journey_io.export_document(
            session=session, journey=get_journey(session=session, slug=slug)
        )
    text = journey_io.dump(doc, fmt)  # type: ignore[arg-type]
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@journey_app.command("import")
def journey_import(
    path: Annotated[Path, typer.Argument(help="A JSON or YAML journey file.")],
    format: Annotated[
        str | None, typer.Option(help="json or yaml (default: from the name).")
    ] = None,
) -> None:
    """Create or replace the journey described by a file (upsert by slug; touchpoints by code
    keep their responses)."""
    from otklik.cli import _session, fail
    from otklik.listen import journey_io

    if not path.is_file():
        fail(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text")
    fmt = _format(path, format)
    with _session() as session:
        doc = journey_io.parse(text, fmt)  # type: ignore[arg-type]
        journey = journey_io.import_document(session=session, doc=doc)
        stages = len(journey.stages)
        slug = journey.slug
    typer.echo(f"imported journey {slug!r} ({stages} stages)")
