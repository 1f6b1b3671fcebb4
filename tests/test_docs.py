"""Docs cannot drift: every setting and CLI command is documented in the README."""

from pathlib import Path

import pytest

from otklik.cli import app
from otklik.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme_configuration_table(field):
    assert f"`OTKLIK_{field.upper()}`" in README


def _commands(typer_app, prefix=""):
    for cmd in typer_app.registered_commands:
        name = cmd.name or cmd.callback.__name__.replace("_", "-")
        yield f"{prefix}{name}"
    for group in typer_app.registered_groups:
        yield from _commands(group.typer_instance, f"{prefix}{group.name} ")


@pytest.mark.parametrize("command", sorted(_commands(app)))
def test_every_cli_command_is_in_the_readme(command):
    assert f"otklik {command}" in README
