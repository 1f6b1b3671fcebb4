"""``otklik user`` and ``otklik apikey``: people who log in, machines that call the API.

The first admin is created here (``user create --if-missing`` suits provisioning
scripts); an API key's plaintext is printed once and only its hash is stored.
"""

from __future__ import annotations

from typing import Annotated

import typer

user_app = typer.Typer(help="Manage people who log in.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage API keys for machines.", no_args_is_help=True)


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
    from otklik.cli import _session, out

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
    from otklik.cli import _session, console, out

    with _session() as session:
        row, plaintext = create_api_key(session=session, name=name)
        out.print(plaintext)
        console.print(f"API key #{row.id} '{name}' created; store it now, it is not shown again.")


@apikey_app.command("list")
def apikey_list() -> None:
    """List API keys: id, name, prefix, created, last used, revoked (times in UTC)."""
    from otklik.access.apikeys import list_api_keys
    from otklik.cli import _session, out

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
    from otklik.cli import _session, out

    with _session() as session:
        revoke_api_key(session=session, key_id=key_id)
        out.print(f"API key #{key_id} revoked")
