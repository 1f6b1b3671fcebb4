"""Reviews and interview notes as responses: scale mapping, raw kept, idempotent re-import, CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from otklik.errors import ValidationFailed
from otklik.listen.models import Response
from otklik.listen.reviews import import_reviews

CSV = (
    "source,id,rating,text,date,url,author\n"
    "app_store,r1,2,Приложение вылетает,2026-10-01,https://apps.example/r1,Ирина\n"
    "google_maps,,5,Great branch staff,2026-10-02T10:00:00+03:00,https://maps.example/x,Tom\n"
    "yandex_maps,,4.5,Хорошо,2026-10-03,,\n"
)


def test_reviews_on_a_five_point_scale_become_csat_with_the_raw_rating_kept(
    session, seed, tmp_path
):
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)
    report = import_reviews(session=session, path=path, touchpoint="web-apply", scale=5)
    assert (report.rows, report.created, report.errors) == (3, 3, [])
    rows = session.scalars(select(Response).order_by(Response.submitted_at)).all()
    assert [r.csat for r in rows] == [2, 5, 4]
    assert all(r.nps is None and r.source == "review" for r in rows)
    assert rows[2].answers == {"rating": 4.5, "rating_scale": 5}
    expected = {"review_source": "app_store", "review_id": "r1", "author": "Ирина"}
    assert rows[0].attributes == {**expected, "review_url": "https://apps.example/r1"}
    assert rows[0].touchpoint_id == seed["touchpoints"]["web-apply"].id
    assert rows[0].comment == "Приложение вылетает"


def test_reimporting_the_same_file_stores_nothing_twice(session, seed, tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)
    import_reviews(session=session, path=path, touchpoint="web-apply")
    again = import_reviews(session=session, path=path, touchpoint="web-apply")
    assert (again.created, again.replayed) == (0, 3)
    assert len(session.scalars(select(Response.id)).all()) == 3


def test_ten_point_scale_maps_to_nps_and_json_files_work(session, seed, tmp_path):
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([{"source": "irecommend", "id": "a", "rating": 0, "text": "Ужас"},
                                {"source": "irecommend", "id": "b", "rating": 10}]))  # fmt: skip
    report = import_reviews(session=session, path=path, touchpoint="branch-visit", scale=10)
    assert report.created == 2
    assert sorted(session.scalars(select(Response.nps)).all()) == [0, 10]


def test_interview_notes_are_stored_with_source_interview(session, seed, tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"source": "cx-team", "id": "int-7", "text": "Клиент хочет кэшбэк"}\n')
    report = import_reviews(session=session, path=path, touchpoint="support-chat", kind="interview")
    assert report.created == 1
    assert session.scalar(select(Response.source)) == "interview"


def test_a_bad_row_imports_nothing_and_names_line_and_field(session, seed, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "app_store,r9,7,Too high,2026-10-04,,\n,r10,3,No source,2026-10-04,,\n")
    report = import_reviews(session=session, path=path, touchpoint="web-apply", scale=5)
    assert report.created == 0 and session.scalars(select(Response.id)).all() == []
    assert report.errors[0].startswith("line 5: rating must be between 1 and 5")
    assert "line 6: source" in report.errors[1]


def test_bad_arguments_are_refused(session, seed, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(CSV)
    with pytest.raises(ValidationFailed, match="scale"):
        import_reviews(session=session, path=path, touchpoint="web-apply", scale=7)
    report = import_reviews(session=session, path=path, touchpoint="nowhere")
    assert report.created == 0 and "unknown touchpoint" in report.errors[0]


def test_cli_imports_reviews_and_fails_with_one_line(settings, seed, tmp_path, monkeypatch):
    from otklik.cli import app

    for key, value in (
        ("OTKLIK_DATABASE_URL", settings.database_url),
        ("OTKLIK_DATA_DIR", str(settings.data_dir)),
        ("OTKLIK_SECRET_KEY", settings.secret_key.get_secret_value()),
    ):
        monkeypatch.setenv(key, value)  # fmt: skip
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)
    runner = CliRunner()
    done = runner.invoke(app, ["import", "reviews", str(path), "--touchpoint", "web-apply"])
    assert done.exit_code == 0, done.output
    assert "imported 3 of 3 reviews (0 already present)" in done.output
    bad = runner.invoke(app, ["import", "reviews", str(path), "--touchpoint", "web-apply",
                              "--scale", "7"])  # fmt: skip
    assert bad.exit_code == 1 and "scale" in bad.output
