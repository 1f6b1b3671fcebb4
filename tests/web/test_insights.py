"""/retention, /drivers, /churn-risk and their JSON twins, on a small demo bank."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from otklik.demo import build_demo
from otklik.listen.models import Customer, Response, Touchpoint

XSS = "<script>alert(1)</script>"


@pytest.fixture
def bank(session):
    """The demo bank, small: 3,000 customers and 6,000 responses over 18 months up to now;
    every customer's name is hostile markup, and so is one touchpoint's."""
    build_demo(session=session, responses=6000, customers=3000, seed=11)
    session.execute(update(Customer).values(name=XSS))
    tp = session.query(Touchpoint).filter_by(code="courier-delivery").one()
    tp.name_i18n = {"en": XSS, "ru": XSS}
    session.commit()
    return session


def test_insight_endpoints_need_a_login(client):
    for path in ("/api/v1/retention", "/api/v1/cohorts", "/api/v1/drivers", "/api/v1/churn-risk"):
        assert client.get(path).status_code == 401, path
    page = client.get("/drivers", follow_redirects=False, headers={"accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_insight_endpoints_are_documented_in_openapi(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/v1/retention", "/api/v1/cohorts", "/api/v1/drivers", "/api/v1/churn-risk"):
        op = paths[path]["get"]
        assert op["summary"] and op["description"], path
        assert "200" in op["responses"] and "401" in op["responses"], path


def test_bad_parameters_get_422_naming_the_field(logged_in_client):
    for path, field in (
        ("/api/v1/retention?periods=0", "periods"),
        ("/api/v1/retention?period=week", "period"),
        ("/api/v1/cohorts?months=999", "months"),
        ("/api/v1/drivers?outcome=ces", "outcome"),
        ("/api/v1/churn-risk?horizon_days=1", "horizon_days"),
    ):
        answer = logged_in_client.get(path)
        assert answer.status_code == 422, path
        assert answer.json()["detail"][0]["loc"][-1] == field


def test_empty_installation_renders_every_page_with_honest_messages(logged_in_client):
    assert "not enough" in logged_in_client.get("/churn-risk?lang=en").text.lower()
    drivers = logged_in_client.get("/drivers?lang=en")
    assert 'data-testid="drivers-empty"' in drivers.text
    assert "Not enough responses" in drivers.text
    retention = logged_in_client.get("/retention?lang=en")
    assert retention.status_code == 200
    assert "Too few detractors or promoters" in retention.text


def test_demo_bank_pages_and_json_agree_and_escape(logged_in_client, bank):
    api = logged_in_client.get("/api/v1/drivers?days=730").json()
    assert api["enough_data"]
    top = api["drivers"][0]
    assert (top["name"], top["level"], top["share"] < 0) == ("issue_resolved", "no", True)
    assert sum(abs(d["share"]) for d in api["drivers"]) == pytest.approx(100, abs=0.5)

    page = logged_in_client.get("/drivers?days=730&lang=en")
    assert page.status_code == 200
    assert f'<tr data-driver="{top["key"]}">' in page.text
    assert 'data-testid="quadrant"' in page.text and "<svg" in page.text
    assert XSS not in page.text and "&lt;script&gt;" in page.text
    assert "Fix first" in page.text

    ru = logged_in_client.get("/drivers?days=730&lang=ru")
    assert "Ключевые драйверы" in ru.text and XSS not in ru.text

    retention = logged_in_client.get("/api/v1/retention").json()
    assert len(retention["retention"]["periods"]) == 12
    verdict = retention["churn_by_nps"]["detractor_vs_promoter"]
    assert verdict["significant"] and verdict["difference"] > 10  # planted: detractors leave
    cohorts = logged_in_client.get("/api/v1/cohorts?months=6").json()
    assert cohorts["cohorts"][-1]["retention"] == [None] * 6  # the current month: all immature
    html = logged_in_client.get("/retention?lang=en").text
    assert 'data-testid="cohorts"' in html and "Detractors leave more often" in html
    assert 'class="num cell immature" style=""></td>' in html
    assert "background:hsl(" in html

    churn = logged_in_client.get("/api/v1/churn-risk?limit=10").json()
    assert churn["enough_data"], churn
    assert churn["model"]["auc"] > churn["baseline"]["auc"]
    assert len(churn["at_risk"]) == 10 and churn["at_risk"][0]["reasons"]
    risks = [c["risk"] for c in churn["at_risk"]]
    assert risks == sorted(risks, reverse=True)
    page = logged_in_client.get("/churn-risk?lang=en").text
    assert 'data-testid="at-risk"' in page and XSS not in page and "&lt;script&gt;" in page
    assert f"{churn['model']['auc']:.3f}" in page


def test_churn_page_says_so_when_churners_are_too_few(logged_in_client, session):
    from datetime import timedelta

    from otklik.store.base import utcnow

    now = utcnow()
    for i in range(200):
        c = Customer(acquired_at=now - timedelta(days=400), churned_at=None)
        session.add(c)
        session.flush()
        session.add(Response(customer_id=c.id, nps=i % 11, submitted_at=now - timedelta(days=9)))
    session.commit()
    data = logged_in_client.get("/api/v1/churn-risk").json()
    assert not data["enough_data"] and data["reason"] == "not_enough_churners"
    assert data["at_risk"] == [] and data["model"] is None
    page = logged_in_client.get("/churn-risk?lang=ru").text
    assert "Слишком мало ушедших клиентов" in page
