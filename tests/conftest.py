"""Shared fixtures: every database test runs on SQLite *and* PostgreSQL.

- SQLite: a schema migrated once per session is copied to a fresh file per test.
- PostgreSQL (127.0.0.1:5432, database ``test``): one schema per xdist worker,
  migrated once, and every table truncated after each test.

``OTKLIK_TEST_DATABASES=sqlite`` (or ``postgresql``) narrows the run while developing;
CI runs both. A test about one backend's behaviour says so with
``@pytest.mark.backends("postgresql")``: the other parametrisation is deselected.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from otklik.config import Settings
from otklik.store import Base, make_engine, make_sessionmaker, migrate
from otklik.understand import churn_risk

PG_BASE_URL = os.environ.get(
    "OTKLIK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = [
    d.strip() for d in os.environ.get("OTKLIK_TEST_DATABASES", "sqlite,postgresql").split(",")
]
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnop"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backends(*names): run only on these test databases (sqlite, postgresql); the other "
        "parametrisations are deselected, not skipped, so a skip always means a problem",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the database parametrisations a ``backends`` marker excludes."""
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("backends")
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("db_url") if callspec else None
        if marker is not None:
            unknown = set(marker.args) - {"sqlite", "postgresql"}
            if unknown or not marker.args:
                raise pytest.UsageError(f"{item.nodeid}: backends() takes sqlite and/or postgresql")
            if backend is None:
                raise pytest.UsageError(f"{item.nodeid}: backends() needs a database fixture")
        (drop if marker is not None and backend not in marker.args else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _worker() -> str:
    # The pid keeps two concurrent pytest runs on one machine out of each other's schema.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    schema = f"otklik_test_{_worker()}"
    admin = make_engine(PG_BASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = f"{PG_BASE_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    admin = make_engine(PG_BASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        target = tmp_path / "otklik.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
    elif request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        yield url
        engine = make_engine(url)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        # Every PostgreSQL test reuses this URL: a report cached per database URL and data
        # version (same seed → same version) would outlive the truncation into the next test.
        churn_risk.clear_cache()
    else:  # pragma: no cover - configuration error
        raise ValueError(f"unknown test database {request.param!r}")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test", data_dir=tmp_path / "data", database_url=db_url, secret_key=TEST_SECRET
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    s = make_sessionmaker(engine)()
    yield s
    s.close()


@pytest.fixture
def app(settings: Settings):
    from otklik.web.app import create_app

    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api_key(session: Session) -> str:
    from otklik.access.apikeys import create_api_key

    _, plaintext = create_api_key(session=session, name="tests")
    session.commit()
    return plaintext


@pytest.fixture
def api_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def seed(session: Session) -> dict:
    """A tiny company: one unit, one journey with two stages, three touchpoints, one survey."""
    from otklik.listen.models import Journey, Stage, Survey, Touchpoint
    from otklik.org.models import Employee, Unit

    company = Unit(code="acme", name="Acme", kind="company", path="/")
    session.add(company)
    session.flush()
    company.path = f"/{company.id}/"
    branch = Unit(code="msk-1", name="Moscow 1", kind="branch", parent_id=company.id)
    session.add(branch)
    session.flush()
    branch.path = f"{company.path}{branch.id}/"
    journey = Journey(slug="onboarding", name="Onboarding", name_i18n={"ru": "Подключение"})
    session.add(journey)
    session.flush()
    s1 = Stage(journey_id=journey.id, position=1, name="Apply", name_i18n={"ru": "Заявка"})
    s2 = Stage(journey_id=journey.id, position=2, name="Use", name_i18n={"ru": "Использование"})
    session.add_all([s1, s2])
    session.flush()
    tps = [
        Touchpoint(code="web-apply", stage_id=s1.id, name="Apply online", channel="web"),
        Touchpoint(
            code="branch-visit",
            stage_id=s1.id,
            name="Branch visit",
            channel="branch",
            owner_unit_id=branch.id,
        ),
        Touchpoint(code="support-chat", stage_id=s2.id, name="Support chat", channel="chat"),
    ]
    session.add_all(tps)
    session.flush()
    survey = Survey(
        slug="onboarding-nps",
        title="Onboarding NPS",
        touchpoint_id=tps[0].id,
        status="published",
        definition={"questions": []},
    )
    session.add(survey)
    session.add(Employee(unit_id=branch.id, first_name="Ольга", last_name="Иванова"))
    session.commit()
    return {
        "company": company,
        "branch": branch,
        "journey": journey,
        "stages": [s1, s2],
        "touchpoints": {tp.code: tp for tp in tps},
        "survey": survey,
    }


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def days_ago(now: datetime):
    return lambda d: now - timedelta(days=d)


LOGIN_EMAIL = "lead@example.com"
LOGIN_PASSWORD = "correct horse battery staple"


@pytest.fixture
def logged_in_client(client: TestClient, session: Session) -> TestClient:
    """The test client after logging in through the real form (GET /login → POST with its CSRF
    token) as an analyst with English UI."""
    import re

    from otklik.access.users import create_user

    create_user(
        session=session, email=LOGIN_EMAIL, password=LOGIN_PASSWORD, role="analyst", language="en"
    )
    session.commit()
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "the login form carries no csrf_token"
    done = client.post(
        "/login",
        data={"email": LOGIN_EMAIL, "password": LOGIN_PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return client


@pytest.fixture
def app_server(app) -> Iterator[str]:
    """The real app under uvicorn on a loopback port, in a thread; stopped after the test."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
