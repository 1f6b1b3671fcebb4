"""The demo bank: structure, determinism, idempotency, planted effects, comment variety, CLI."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import mean

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased
from typer.testing import CliRunner

from otklik.demo import build_demo, text_en, text_ru
from otklik.demo import company as co
from otklik.listen.models import Customer, Journey, Response, Stage, Survey, Touchpoint
from otklik.org.models import Employee, Unit
from otklik.store import make_engine, make_sessionmaker

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _build(session: Session, *, responses: int, customers: int, seed: int = 7):
    summary = build_demo(
        session=session, responses=responses, customers=customers, seed=seed, now=NOW
    )
    session.commit()
    return summary


def _nps(scores) -> float:
    scores = list(scores)
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def _checksum(session: Session) -> str:
    """Everything a response says, with ids replaced by stable codes (engines number alike)."""
    cust, unit = aliased(Customer), aliased(Unit)
    rows = session.execute(
        select(Response, Touchpoint.code, unit.code, cust.external_id, cust.churned_at)
        .join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .join(unit, unit.id == Response.unit_id)
        .outerjoin(cust, cust.id == Response.customer_id)
        .order_by(Response.external_id)
    ).all()
    digest = hashlib.sha256()
    for r, tp, unit_code, customer, churned in rows:
        digest.update(
            json.dumps(
                [
                    r.external_id,
                    tp,
                    unit_code,
                    customer,
                    r.channel,
                    r.nps,
                    r.csat,
                    r.ces,
                    r.comment,
                    r.language,
                    r.submitted_at.isoformat(),
                    r.answers,
                    r.attributes,
                    churned.isoformat() if churned else None,
                ],
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        )
    return digest.hexdigest()


def test_demo_builds_the_bank_with_units_staff_journey_customers_and_responses(session):
    summary = _build(session, responses=3000, customers=1500)
    assert summary.created and "courier-delivery" in str(summary)

    company = session.scalar(select(Unit).where(Unit.code == co.COMPANY_CODE))
    assert company.kind == "company" and company.path == f"/{company.id}/"
    units = session.scalars(select(Unit)).all()
    by_id = {u.id: u for u in units}
    for u in units:
        if u.parent_id:
            assert u.path == f"{by_id[u.parent_id].path}{u.id}/"
    kinds = Counter(u.kind for u in units)
    assert kinds["region"] == 4 and kinds["branch"] == 12 and kinds["team"] >= 2
    assert all(by_id[u.parent_id].kind == "region" for u in units if u.kind == "branch")

    employees = session.scalars(select(Employee)).all()
    assert len(employees) >= 60
    olga = next(e for e in employees if e.first_name == "Ольга" and e.last_name == "Смирнова")
    assert {"Оля", "Olga"} <= set(olga.aliases)
    assert any(e.first_name == "Emily" for e in employees)

    journey = session.scalar(select(Journey).where(Journey.slug == co.JOURNEY_SLUG))
    stages = session.scalars(select(Stage).where(Stage.journey_id == journey.id)).all()
    assert len(stages) == 6 and all(set(s.name_i18n) == {"ru", "en"} for s in stages)
    touchpoints = session.scalars(select(Touchpoint)).all()
    assert len(touchpoints) >= 20
    assert {"web", "app", "branch", "phone", "chat", "email", "sms"} <= {
        t.channel for t in touchpoints
    }
    assert all(t.owner_unit_id and t.stage_id for t in touchpoints)
    surveys = session.scalars(select(Survey)).all()
    assert len(surveys) == len(touchpoints)
    assert all(s.status == "published" for s in surveys)
    question_ids = {q["id"] for s in surveys for q in s.definition["questions"]}
    assert {"nps", "csat", "ces", "comment", "issue_resolved", "wait_minutes"} <= question_ids

    assert session.scalar(select(func.count()).select_from(Customer)) == 1500
    langs = Counter(session.scalars(select(Customer.language)).all())
    assert 0.75 < langs["ru"] / 1500 < 0.93 and langs["en"] > 0
    responses = session.scalars(select(Response)).all()
    assert len(responses) == 3000
    assert {r.language for r in responses} == {"ru", "en"}
    assert {r.source for r in responses} == {"survey"}
    assert 0.3 < sum(1 for r in responses if r.comment) / 3000 < 0.5
    assert sum(1 for r in responses if r.nps is not None) > 0.8 * 3000
    assert all(r.submitted_at <= NOW for r in responses)
    assert min(r.submitted_at for r in responses) > NOW - timedelta(days=560)
    branch_ids = {u.id for u in units if u.kind == "branch"}
    branch_tps = {t.id for t in touchpoints if t.channel == "branch"}
    assert all(r.unit_id in branch_ids for r in responses if r.touchpoint_id in branch_tps)
    for r in responses:  # the typed columns and the answers JSON agree
        for key in ("nps", "csat", "ces"):
            assert r.answers.get(key) == getattr(r, key)


def test_same_seed_gives_identical_data_on_a_fresh_database(session, request, tmp_path):
    _build(session, responses=800, customers=400)
    first = _checksum(session)

    target = tmp_path / "second.db"  # a second, fresh database (SQLite even when the first is PG)
    shutil.copy(request.getfixturevalue("sqlite_template"), target)
    engine = make_engine(f"sqlite:///{target}")
    try:
        with make_sessionmaker(engine)() as other:
            _build(other, responses=800, customers=400)
            assert _checksum(other) == first
        target2 = tmp_path / "third.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target2)
        engine2 = make_engine(f"sqlite:///{target2}")
        with make_sessionmaker(engine2)() as third:
            _build(third, responses=800, customers=400, seed=8)
            assert _checksum(third) != first
        engine2.dispose()
    finally:
        engine.dispose()


def test_second_run_on_a_database_with_the_demo_changes_nothing(session):
    _build(session, responses=500, customers=300)
    counts = [
        session.scalar(select(func.count()).select_from(m)) for m in (Unit, Response, Customer)
    ]
    again = _build(session, responses=500, customers=300, seed=99)
    assert not again.created and "already" in str(again)
    assert [
        session.scalar(select(func.count()).select_from(m)) for m in (Unit, Response, Customer)
    ] == counts


def test_planted_effects_praise_churn_and_varied_comments_are_in_the_loaded_data(session):
    _build(session, responses=6_000, customers=3_000)
    tps = {t.code: t.id for t in session.scalars(select(Touchpoint))}
    rows = session.scalars(select(Response)).all()
    _worsening_and_improvement(rows, tps)
    _drivers(rows)
    _praise(rows)
    _churn(session, rows)
    _variety(rows)


def _worsening_and_improvement(rows: list[Response], tps: dict[str, int]) -> None:
    worse_from = NOW - timedelta(days=co.WORSENING_DAYS_AGO)
    courier = [r for r in rows if r.touchpoint_id == tps[co.WORSENING_TOUCHPOINT]]
    before = [r for r in courier if r.submitted_at < worse_from]
    after = [r for r in courier if r.submitted_at >= worse_from]
    assert _nps(r.nps for r in after) < _nps(r.nps for r in before) - 15
    delivery = re.compile(r"достав|курьер|deliver|courier|card", re.I)

    def complaint_share(items):
        bad = [r.comment for r in items if r.comment and r.nps <= 6]
        return sum(bool(delivery.search(c)) for c in bad) / len(bad)

    assert complaint_share(after) > complaint_share(before) + 0.3

    better_from = NOW - timedelta(days=co.IMPROVING_DAYS_AGO)
    login = [r for r in rows if r.touchpoint_id == tps[co.IMPROVING_TOUCHPOINT]]
    old = [r.nps for r in login if r.submitted_at < better_from]
    new = [r.nps for r in login if r.submitted_at >= better_from + timedelta(days=30)]
    assert _nps(new) > _nps(old) + 25
    # The "it's fixed now" phrasings appear only after the release.
    fixed = [_norm(p)[:24] for t in (text_ru, text_en) for p in t.PHRASES["app_fixed"]["pos"]]

    def says_fixed(r: Response) -> bool:
        return any(f in _norm(r.comment or "") for f in fixed)

    assert not any(says_fixed(r) for r in login if r.submitted_at < better_from)
    assert sum(says_fixed(r) for r in login) >= 10


def _norm(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _drivers(rows: list[Response]) -> None:
    resolved = [r.nps for r in rows if r.answers.get("issue_resolved") == "yes"]
    unresolved = [r.nps for r in rows if r.answers.get("issue_resolved") == "no"]
    assert mean(resolved) - mean(unresolved) > 2.5
    short = [r.nps for r in rows if r.answers.get("wait_minutes", 99) <= 10]
    long_ = [r.nps for r in rows if r.answers.get("wait_minutes", 0) > 25]
    assert mean(short) - mean(long_) > 1.0


def _praise(rows: list[Response]) -> None:
    comments = [r.comment for r in rows if r.comment]
    olga_forms = Counter(
        m.group(0)
        for c in comments
        for m in re.finditer(r"\b(Ольг[аиеуой]+|Ол[яеюи]й?|Olga)\b", c, re.I)
    )
    assert sum(olga_forms.values()) >= 8
    assert len(olga_forms) >= 3  # several case forms and short forms, not one string
    stars = re.compile(r"\b(Ольг|Ол[яеюи]|Olga|Дмитри|Дим[аеуы]|Dmitry|Марин|Marina|Emily)", re.I)
    named = [
        c
        for c in comments
        if re.search(r"спасибо|благодар|thank|отметить|молодец", c, re.I) and stars.search(c)
    ]
    assert len(named) >= 30


def _churn(session: Session, rows: list[Response]) -> None:
    customers = {c.id: c for c in session.scalars(select(Customer))}
    detractor, other, last = set(), set(), {}
    for r in rows:
        if r.customer_id is None:
            continue
        last[r.customer_id] = max(last.get(r.customer_id, r.submitted_at), r.submitted_at)
        (detractor if r.nps is not None and r.nps <= 6 else other).add(r.customer_id)
    other -= detractor

    def rate(ids):
        return sum(customers[i].churned_at is not None for i in ids) / len(ids)

    assert rate(detractor) > 2.5 * rate(other)
    for cid, at in last.items():
        churned = customers[cid].churned_at
        assert churned is None or churned > at


def _variety(rows: list[Response]) -> None:
    comments = [r.comment for r in rows if r.comment]
    assert len(set(comments[:1000])) >= 600
    assert {r.language for r in rows if r.comment} == {"ru", "en"}
    assert any(re.search(r"(\+7|8)[\s(-]*9\d\d", c) for c in comments)
    assert any(re.search(r"[\w.]+@[\w.]+\.\w+", c) for c in comments)


def test_cli_demo_loads_once_then_reports_it_is_there(db_url, tmp_path, monkeypatch):
    from otklik.cli import app

    monkeypatch.setenv("OTKLIK_DATABASE_URL", db_url)
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--responses", "400", "--customers", "200", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "400 responses" in result.stdout and "Planted effects" in result.stdout
    again = runner.invoke(app, ["demo", "--responses", "400", "--customers", "200"])
    assert again.exit_code == 0 and "already" in again.stdout
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Response)) == 400
    engine.dispose()


def test_cli_demo_refuses_a_negative_size_with_one_line(db_url, tmp_path, monkeypatch):
    from otklik.cli import app

    monkeypatch.setenv("OTKLIK_DATABASE_URL", db_url)
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["demo", "--responses", "-5"])
    assert result.exit_code != 0
    assert "responses" in result.output and len(result.output.strip().splitlines()) == 1
