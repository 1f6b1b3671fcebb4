"""`otklik report` (table, JSON, CSV) and `otklik analytics` against a real database."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from otklik.cli import app
from otklik.listen.models import Response
from otklik.understand.stats import NpsCounts, nps

DAY = datetime(2024, 3, 10, 12, tzinfo=UTC)


@pytest.fixture
def otklik(db_url, tmp_path):
    runner = CliRunner()
    env = {"OTKLIK_DATABASE_URL": db_url, "OTKLIK_DATA_DIR": str(tmp_path / "data"),
           "OTKLIK_MIN_N": "5"}  # fmt: skip

    def run(*args: str):
        return runner.invoke(app, list(args), env=env)

    return run


@pytest.fixture
def answers(session, seed):
    tps = seed["touchpoints"]
    plan = {  # touchpoint → (March scores, April scores)
        "web-apply": ([10, 10, 9, 8, 3, 0], [10, 9, 9, 9, 7, 6]),
        "branch-visit": ([6, 6, 5, 9, 10, 7], [1]),
    }
    for code, (march, april) in plan.items():
        for score in march:
            session.add(Response(touchpoint_id=tps[code].id, nps=score, csat=4, ces=6,
                                 submitted_at=DAY, source="api"))  # fmt: skip
        for score in april:
            session.add(Response(touchpoint_id=tps[code].id, nps=score, csat=2, ces=3,
                                 submitted_at=DAY + timedelta(days=31), source="api"))  # fmt: skip
    session.commit()


ARGS = ("--by", "touchpoint,month", "--from", "2024-03-01", "--to", "2024-04-30")


def test_json_has_group_keys_counts_value_and_interval(otklik, answers):
    result = otklik("report", "nps", *ARGS, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {(r["touchpoint"], r["month"]): r for r in json.loads(result.stdout)}
    assert set(rows) == {("branch-visit", "2024-03"), ("branch-visit", "2024-04"),
                         ("web-apply", "2024-03"), ("web-apply", "2024-04")}  # fmt: skip
    web = rows[("web-apply", "2024-03")]
    # 10,10,9 promote; 8 passive; 3,0 detract → NPS = 100·(3 − 2)/6 = 16.7
    assert (web["n"], web["promoters"], web["passives"], web["detractors"]) == (6, 3, 1, 2)
    est = nps(NpsCounts(n=6, promoters=3, detractors=2), method="adjusted-wald")
    assert web["value"] == 16.7
    assert (web["ci_low"], web["ci_high"]) == (round(est.ci_low, 1), round(est.ci_high, 1))
    lonely = rows[("branch-visit", "2024-04")]
    assert lonely["n"] == 1 and lonely["value"] is None  # below OTKLIK_MIN_N=5: withheld
    assert set(web) >= {"touchpoint", "month", "n", "value", "ci_low", "ci_high"}


def test_csv_and_table_carry_the_same_rows(otklik, answers):
    as_csv = otklik("report", "nps", *ARGS, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["touchpoint"] for r in rows] == ["branch-visit"] * 2 + ["web-apply"] * 2
    assert rows[2]["value"] == "16.7" and rows[1]["value"] == ""
    table = otklik("report", "nps", *ARGS)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split()[:6] == ["touchpoint", "month", "n", "value", "ci_low", "ci_high"]
    assert lines[3].split()[:4] == ["web-apply", "2024-03", "6", "16.7"]


def test_csat_and_ces_report_their_own_scales(otklik, answers):
    csat = json.loads(otklik("report", "csat", "--from", "2024-03-01", "--to", "2024-04-30",
                             "--format", "json").stdout)  # fmt: skip
    assert csat == [{"n": 19, "value": 63.2, "ci_low": csat[0]["ci_low"],
                     "ci_high": csat[0]["ci_high"]}]  # 12 of 19 answers are 4–5  # fmt: skip
    ces = json.loads(otklik("report", "ces", "--by", "month", "--from", "2024-03-01",
                            "--to", "2024-04-30", "--format", "json").stdout)  # fmt: skip
    assert [(r["month"], r["value"]) for r in ces] == [("2024-03", 6.0), ("2024-04", 3.0)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "nps", "--by", "planet"), "unknown dimension 'planet'"),
        (("report", "nps", "--by", "month,week"), "at most one period"),
        (("report", "happiness"), "unknown 'happiness'"),
        (("report", "nps", "--from", "yesterday"), "not a date"),
        (("report", "nps", "--format", "xml"), "--format"),
        (("report", "nps", "--from", "2024-05-01", "--to", "2024-04-01"), "--from"),
    ],
)
def test_bad_arguments_fail_with_one_line(otklik, args, message):
    result = otklik(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_analytics_sync_status_and_rebuild(otklik, answers):
    status = otklik("analytics", "status")
    assert status.exit_code == 0, status.output
    assert "tail_rows: 19" in status.stdout and "segments: 0" in status.stdout
    synced = otklik("analytics", "sync")
    assert synced.exit_code == 0 and "rows: 19" in synced.stdout
    assert "tail_rows: 0" in otklik("analytics", "status").stdout
    rebuilt = otklik("analytics", "rebuild")
    assert rebuilt.exit_code == 0 and "rows: 19" in rebuilt.stdout
    # The report reads through the mirror and still gives the same numbers.
    result = json.loads(otklik("report", "nps", *ARGS, "--format", "json").stdout)
    assert {(r["touchpoint"], r["month"]): r["n"] for r in result}[("web-apply", "2024-04")] == 6
