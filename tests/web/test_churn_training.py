"""/churn-risk on an installation too large to train during a request: the page asks the
worker (a real Huey queue in the data directory) and says so; once the worker has run the
task, the page and the API show the saved model."""

from __future__ import annotations

import pytest

from otklik.demo import build_demo
from otklik.jobs import create_jobs
from otklik.understand import churn_risk


@pytest.fixture
def bank(session):
    churn_risk.clear_cache()  # PostgreSQL tests reuse one URL: no model from an earlier test
    build_demo(session=session, responses=6000, customers=3000, seed=11)
    session.commit()


def test_page_asks_the_worker_then_shows_the_model_it_saved(
    logged_in_client, bank, settings, monkeypatch
):
    monkeypatch.setattr(churn_risk, "SYNC_ROWS", 0)  # as if the bank were too big to train now

    page = logged_in_client.get("/churn-risk?lang=en")
    assert page.status_code == 200
    assert 'data-testid="churn-training"' in page.text and "refresh in a minute" in page.text
    assert '<meta http-equiv="refresh"' in page.text  # reloads itself, no JavaScript needed
    api = logged_in_client.get("/api/v1/churn-risk")
    assert api.status_code == 503 and api.headers["retry-after"] == "60"
    assert "being trained" in api.json()["detail"]

    worker = create_jobs(settings)
    queued = worker.huey.pending()
    assert [t.name for t in queued] == ["train_churn"]  # asked once, not once per view
    worker.huey.execute(worker.huey.dequeue())
    worker.close()
    churn_risk.clear_cache()  # the web process has not trained it: it reads the saved model

    page = logged_in_client.get("/churn-risk?lang=ru")
    assert 'data-testid="at-risk"' in page.text and "churn-training" not in page.text
    report = logged_in_client.get("/api/v1/churn-risk?limit=5").json()
    assert report["enough_data"] and len(report["at_risk"]) == 5
    assert f"{report['model']['auc']:.3f}" in page.text
