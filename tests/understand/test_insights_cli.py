"""`otklik churn`, `otklik drivers` and `otklik retention` against a real database: the same
numbers as the domain functions behind the pages, and one line + exit 1 when data is short."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from otklik.cli import app
from otklik.demo import build_demo
from otklik.listen.models import Customer, Response
from otklik.understand.churn_risk import churn_risk_report
from otklik.understand.retention import churn_by_nps, retention_series

NOW = datetime(2025, 6, 1, tzinfo=UTC)
AS_OF = ("--as-of", "2025-06-01")


@pytest.fixture
def otklik(db_url, tmp_path):
    runner = CliRunner()
    env = {"OTKLIK_DATABASE_URL": db_url, "OTKLIK_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str):
        return runner.invoke(app, list(args), env=env)

    return run


@pytest.fixture
def bank(session):
    summary = build_demo(session=session, responses=6000, customers=3000, seed=7, now=NOW)
    session.commit()
    return summary


def test_churn_ranks_customers_with_reasons_and_beats_the_baseline(otklik, bank, session):
    as_json = otklik("churn", "--top", "10", *AS_OF, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    expected = churn_risk_report(session=session, as_of=NOW, horizon_days=90, limit=10)
    assert doc == expected.model_dump(mode="json")  # the API's document, not a re-computation
    assert doc["model"]["auc"] > doc["baseline"]["ci_high"]

    table = otklik("churn", "--top", "10", *AS_OF)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].startswith(f"AUC {doc['model']['auc']:.3f} ")
    assert f"baseline {doc['baseline']['auc']:.3f}" in lines[0]
    held_out = f"held out: {doc['test_customers']} customers, {doc['test_churners']} churners"
    assert held_out in lines[0]
    assert lines[1].split()[:3] == ["rank", "customer_id", "external_id"]
    assert len(lines) == 2 + 10
    top = doc["at_risk"][0]
    first = lines[2]
    assert first.split()[:2] == ["1", str(top["customer_id"])]
    reason = top["reasons"][0]
    assert f"{reason['factor']}={reason['value']} ({reason['contribution']:+.2f})" in first

    as_csv = otklik("churn", "--top", "10", *AS_OF, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [int(r["customer_id"]) for r in rows] == [c["customer_id"] for c in doc["at_risk"]]
    assert [float(r["risk"]) for r in rows] == sorted((float(r["risk"]) for r in rows),
                                                       reverse=True)  # fmt: skip
    assert as_csv.stderr.startswith("AUC ")  # the model's quality, outside the data


def test_churn_without_enough_churners_says_so_in_one_line(otklik, session):
    for i in range(200):
        c = Customer(
            acquired_at=NOW - timedelta(days=500),
            churned_at=NOW - timedelta(days=100) if i < 12 else None,
        )
        session.add(c)
        session.flush()
        session.add(Response(customer_id=c.id, nps=i % 11, submitted_at=NOW - timedelta(days=200)))
    session.commit()

    for fmt in ("table", "json"):
        result = otklik("churn", *AS_OF, "--format", fmt)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert "not enough churners" in result.stderr and "12 customers left" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("churn", "--top", "0"), "--top: must be between 1 and 500"),
        (("churn", "--horizon", "3"), "--horizon: must be between 7 and 730"),
        (("churn", "--as-of", "June"), "--as-of: 'June' is not a date"),
        (("churn", "--format", "xml"), "--format: unknown 'xml'"),
        (("drivers", "--outcome", "love"), "--outcome: unknown 'love'"),
        (("drivers", "--days", "1"), "--days: must be between 7 and 3660"),
        (("retention", "--period", "week"), "--period: unknown 'week'"),
        (("retention", "--periods", "0"), "--periods: must be between 1 and 120"),
    ],
)
def test_bad_arguments_fail_with_one_line_naming_the_option(otklik, args, message):
    result = otklik(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.output.strip().splitlines()) == 1


def test_drivers_and_retention_show_the_demos_planted_effects(otklik, bank, session):
    drivers = otklik("drivers", "--top", "3", *AS_OF, "--format", "json")
    assert drivers.exit_code == 0, drivers.output
    doc = json.loads(drivers.stdout)
    assert len(doc["drivers"]) == 3
    assert doc["drivers"][0]["key"].startswith("answer:issue_resolved")  # planted: the top one
    assert doc["drivers"][0]["share"] < 0
    table = otklik("drivers", "--top", "3", *AS_OF)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["driver", "share", "n", "performance", "quadrant"]
    assert lines[1].startswith(doc["drivers"][0]["label"])
    as_csv = list(csv.DictReader(io.StringIO(otklik("drivers", *AS_OF, "--format", "csv").stdout)))
    assert as_csv[0]["key"] == doc["drivers"][0]["key"]

    retention = otklik("retention", "--periods", "6", *AS_OF, "--format", "json")
    assert retention.exit_code == 0, retention.output
    got = json.loads(retention.stdout)
    assert got["retention"] == retention_series(
        session=session, as_of=NOW, period="month", periods=6
    ).model_dump(mode="json")
    assert got["churn_by_nps"] == churn_by_nps(session=session, as_of=NOW).model_dump(mode="json")
    table = otklik("retention", "--periods", "6", *AS_OF).stdout
    assert "detractors − promoters: +" in table and "significant" in table
    rows = list(csv.DictReader(io.StringIO(otklik("retention", "--periods", "6", *AS_OF,
                                                  "--format", "csv").stdout)))  # fmt: skip
    assert [r["start"] for r in rows] == [p["start"][:10] for p in got["retention"]["periods"]]
