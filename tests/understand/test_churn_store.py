"""Churn models saved on disk: read back exactly, shared by processes, the newest kept, a page
served at once (current, an earlier model, or "being trained") while the worker trains."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from otklik.demo import build_demo
from otklik.listen.erasure import erase_responses
from otklik.listen.models import Response
from otklik.understand import churn_risk, churn_store
from otklik.understand.churn_risk import churn_risk_report, churn_risk_view
from otklik.understand.churn_store import KEEP, ModelKey, ask_for_training, latest, load, save

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def key(hour: int, database: str = "sqlite:///a.db") -> ModelKey:
    return ModelKey(database, 90, 50, NOW + timedelta(hours=hour))


def test_saved_model_reads_back_by_exact_as_of_and_the_newest_earlier_one(tmp_path):
    version = (10, 10, 2, NOW, 30, 30)
    for hour in range(KEEP + 2):
        save(tmp_path, key(hour), data_version=version, payload={"report": {"hour": hour}})
    files = sorted(p.name for p in tmp_path.glob("churn-*.json"))
    assert len(files) == KEEP  # the oldest two were removed
    assert load(tmp_path, key(0)) is None and load(tmp_path, key(5)).payload["report"] == {
        "hour": 5
    }
    stored = latest(tmp_path, key(100))
    assert stored.as_of == key(KEEP + 1).as_of
    assert stored.matches(churn_store.version_json(version))
    assert not stored.matches(churn_store.version_json((11, *version[1:])))
    assert latest(tmp_path, key(-1)) is None  # nothing at or before that hour
    seconds_later = ModelKey(key(5).database, 90, 50, key(5).as_of + timedelta(seconds=30))
    assert load(tmp_path, seconds_later) is None  # the same file name, another as_of
    # Another database's models are never read, even in the same directory.
    assert latest(tmp_path, key(100, "postgresql://db/other")) is None
    assert not list(tmp_path.glob(".tmp-*"))


def test_models_of_many_horizons_are_capped_in_all(tmp_path):
    for horizon in range(7, 7 + churn_store.MAX_FILES + 5):
        k = ModelKey("sqlite:///a.db", horizon, 50, NOW)
        save(tmp_path, k, data_version=(1,), payload={"report": {}})
    assert len(list(tmp_path.glob("churn-*.json"))) == churn_store.MAX_FILES


def test_training_is_asked_for_once_per_grace_period_and_again_for_new_data(tmp_path):
    assert ask_for_training(tmp_path, key(0), data_version=(1,))
    assert not ask_for_training(tmp_path, key(0), data_version=(1,))
    assert ask_for_training(tmp_path, key(0), data_version=(2,))  # new data: ask again
    marker = next(tmp_path.glob(".asked-*"))
    old = time.time() - churn_store.TRAINING_GRACE_SECONDS - 1
    os.utime(marker, (old, old))
    assert ask_for_training(tmp_path, key(0), data_version=(2,))  # the request was lost


@pytest.fixture
def bank(session):
    churn_risk.clear_cache()  # PostgreSQL tests reuse one URL: no model from an earlier test
    build_demo(session=session, responses=3000, customers=1500, seed=7, now=NOW)
    session.commit()


def test_a_model_saved_by_one_process_is_read_by_another_identical(session, bank, tmp_path):
    trained = churn_risk_report(
        session=session, as_of=NOW, horizon_days=90, min_churners=20, limit=5, directory=tmp_path
    )
    assert trained.enough_data
    saved = load(tmp_path, churn_risk._model_key(session, NOW, 90, 20))
    assert saved.payload["model"]["features"][0] == "last_nps"
    assert len(saved.payload["report"]["at_risk"]) == min(
        churn_risk.MAX_LIST, trained.active_customers
    )
    churn_risk.clear_cache()  # as a fresh process would start

    read = churn_risk_report(
        session=session, as_of=NOW, horizon_days=90, min_churners=20, limit=5, directory=tmp_path
    )
    assert read == trained and len(read.at_risk) == 5


def test_page_view_asks_the_worker_and_serves_a_model_meanwhile(session, bank, tmp_path):
    asked: list[int] = []

    def view(at=NOW):
        return churn_risk_view(
            session=session, directory=tmp_path, as_of=at, horizon_days=90, min_churners=20,
            limit=10, schedule=lambda: asked.append(1), sync_rows=0,
        )  # fmt: skip

    first = view()
    assert first.report is None and first.training and asked == [1]
    assert view().report is None and asked == [1]  # asked once, not on every view

    # The worker's run: the same domain function with the directory.
    churn_risk_report(
        session=session, as_of=NOW, horizon_days=90, min_churners=20, directory=tmp_path
    )
    ready = view()
    assert ready.current and not ready.training and len(ready.report.at_risk) == 10

    top = ready.report.at_risk[0].customer_id
    session.add(Response(customer_id=top, nps=0, submitted_at=NOW - timedelta(hours=1)))
    session.commit()
    newer_data = view()  # this as_of's model, while the worker trains on the new answer
    assert newer_data.current and newer_data.training and asked == [1, 1]
    assert newer_data.report == ready.report

    erase_responses(session=session, customer_id=top)  # honoured at once, not at retraining
    erased = view()
    assert top not in [c.customer_id for c in erased.report.at_risk]
    assert erased.report.at_risk[:9] == ready.report.at_risk[1:]  # the next one moves up
    assert len(erased.report.at_risk) == 10

    next_hour = view(NOW + timedelta(hours=1))  # the hour turned: the earlier model, marked
    assert not next_hour.current and next_hour.training
    assert next_hour.report.as_of == NOW and top not in [
        c.customer_id for c in next_hour.report.at_risk
    ]
