"""``otklik journey export|import``: a file round trip, and one-line errors naming the path."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from otklik.cli import app


@pytest.fixture
def otklik(db_url, tmp_path):
    runner = CliRunner()
    env = {"OTKLIK_DATABASE_URL": db_url, "OTKLIK_DATA_DIR": str(tmp_path / "data"),
           "OTKLIK_ENV": "test", "OTKLIK_SECRET_KEY": "x" * 40}  # fmt: skip

    def run(*args: str):
        return runner.invoke(app, list(args), env=env)

    return run


def test_export_and_import_a_journey_file_from_the_command_line(otklik, seed, tmp_path):
    path = tmp_path / "onboarding.yaml"
    done = otklik("journey", "export", "onboarding", "--out", str(path))
    assert done.exit_code == 0, done.output
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [s["name"] for s in doc["stages"]] == ["Apply", "Use"]
    doc["slug"], doc["name"] = "onboarding-copy", "Onboarding (copy)"
    doc["stages"][0]["touchpoints"] = []  # codes are unique across journeys
    doc["stages"][1]["touchpoints"] = []
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    done = otklik("journey", "import", str(path))
    assert done.exit_code == 0, done.output
    assert "imported journey 'onboarding-copy' (2 stages)" in done.output
    printed = otklik("journey", "export", "onboarding-copy", "--format", "json")
    assert '"slug": "onboarding-copy"' in printed.output


def test_bad_journey_file_fails_with_one_line_naming_the_path(otklik, seed, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"slug": "x", "name": "X", "stages": [{"name": "A", "touchpoints": '
                    '[{"code": "a", "name": "A", "channel": "pigeon"}]}]}')  # fmt: skip
    done = otklik("journey", "import", str(path))
    assert done.exit_code == 1
    lines = [ln for ln in done.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "stages[0].touchpoints[0].channel" in lines[0]
    missing = otklik("journey", "export", "nope")
    assert missing.exit_code == 1 and "journey 'nope' does not exist" in missing.output
