"""`otklik text analyze` on real CSV files, through Typer's CliRunner."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from otklik.cli import app

runner = CliRunner()


def _read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path, rows, header=("id", "text")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_analyze_writes_the_contract_columns(tmp_path, analyzer):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(
        src,
        [
            ("1", "Курьер опоздал на три часа, ужасно"),
            ("2", "Great app, thanks! Call me at +1 415 555 2671"),
            ("3", ""),
            ("4", "😍"),
        ],
    )
    result = runner.invoke(app, ["text", "analyze", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert list(rows[0]) == [
        "id",
        "language",
        "sentiment",
        "sentiment_score",
        "themes",
        "redacted_text",
    ]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["language"] == "ru" and rows[0]["sentiment"] == "negative"
    assert "delivery" in rows[0]["themes"].split(";")
    assert rows[1]["redacted_text"] == "Great app, thanks! Call me at [PHONE]"
    assert rows[1]["sentiment"] == "positive"
    assert rows[3]["sentiment"] == "positive"
    assert -1 <= float(rows[0]["sentiment_score"]) <= 1


def test_custom_columns_and_employee_directory(tmp_path, analyzer):
    src, out, staff = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "staff.csv"
    _write(src, [("a", "Спасибо Ольге за помощь")], header=("response_id", "comment"))
    _write(staff, [("e1", "Ольга Петрова", "Оля")], header=("id", "name", "aliases"))
    result = runner.invoke(
        app,
        [
            "text",
            "analyze",
            str(src),
            "--text-column",
            "comment",
            "--id-column",
            "response_id",
            "--employees",
            str(staff),
            "--details",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    row = _read(out)[0]
    assert row["id"] == "a" and row["mentions"] == "e1"
    assert row["redacted_text"] == "Спасибо Ольге за помощь"


def test_missing_column_fails_with_one_readable_line(tmp_path):
    src = tmp_path / "in.csv"
    _write(src, [("1", "x")], header=("id", "comment"))
    result = runner.invoke(app, ["text", "analyze", str(src), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert "no column 'text' (--text-column)" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_invalid_utf8_file_names_the_line(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes("id,text\n1,хорошо\n".encode() + b"2,\xff\xfe\n")
    result = runner.invoke(app, ["text", "analyze", str(src), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert "line 3 is not valid UTF-8" in result.output


def test_missing_file_fails_cleanly(tmp_path):
    result = runner.invoke(
        app, ["text", "analyze", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 1 and "no such file" in result.output
