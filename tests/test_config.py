"""Settings: the generated secret key, refusal of unsafe keys outside dev, database URLs."""

from __future__ import annotations

import stat

import pytest

from otklik.config import Settings
from otklik.errors import ConfigError

SAFE_KEY = "x7Qm2VbN9pLk4RtY8wZc1HdF6jGs3AeU0oIu5yTr"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Only what a test sets counts, whatever the developer's shell exports."""
    for name in ("OTKLIK_SECRET_KEY", "OTKLIK_ENV", "OTKLIK_DATABASE_URL", "OTKLIK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path):
    data = tmp_path / "data"
    key = Settings(data_dir=data).resolved_secret_key()
    path = data / "secret_key"
    assert len(key) >= 32
    assert path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_key_is_reused_on_the_next_start(tmp_path):
    first = Settings(data_dir=tmp_path, env="prod").resolved_secret_key()
    second = Settings(data_dir=tmp_path, env="prod").resolved_secret_key()
    assert first == second


def test_different_data_dirs_get_different_keys(tmp_path):
    a = Settings(data_dir=tmp_path / "a").resolved_secret_key()
    b = Settings(data_dir=tmp_path / "b").resolved_secret_key()
    assert a != b


@pytest.mark.parametrize("unsafe", ["changeme", "ChangeMe ", "secret", "short-key-123"])
@pytest.mark.parametrize("env", ["prod", "test"])
def test_unsafe_secret_key_from_the_environment_is_refused_outside_dev(
    monkeypatch, tmp_path, unsafe, env
):
    monkeypatch.setenv("OTKLIK_SECRET_KEY", unsafe)
    monkeypatch.setenv("OTKLIK_ENV", env)
    with pytest.raises(ConfigError, match="OTKLIK_SECRET_KEY is unsafe"):
        Settings(data_dir=tmp_path).resolved_secret_key()


def test_unsafe_secret_key_is_accepted_in_dev(monkeypatch, tmp_path):
    monkeypatch.setenv("OTKLIK_SECRET_KEY", "changeme")
    assert Settings(data_dir=tmp_path).resolved_secret_key() == "changeme"
    assert not (tmp_path / "secret_key").exists()


def test_long_random_secret_key_is_accepted_in_prod(monkeypatch, tmp_path):
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SAFE_KEY)
    monkeypatch.setenv("OTKLIK_ENV", "prod")
    assert Settings(data_dir=tmp_path).resolved_secret_key() == SAFE_KEY


def test_the_app_refuses_to_start_in_prod_with_an_unsafe_key(tmp_path):
    from otklik.web.app import create_app

    settings = Settings(
        env="prod",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'o.db'}",
        secret_key="changeme",
    )
    with pytest.raises(ConfigError, match="unsafe"):
        create_app(settings)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/cx", "postgresql+psycopg://u:p@db.example:5432/cx"),
        ("postgresql://u@db/cx?sslmode=require", "postgresql+psycopg://u@db/cx?sslmode=require"),
        ("postgresql+psycopg://u@db/cx", "postgresql+psycopg://u@db/cx"),
        ("sqlite:////var/lib/otklik/o.db", "sqlite:////var/lib/otklik/o.db"),
    ],
)
def test_database_urls_are_normalised_to_the_psycopg_driver(tmp_path, given, expected):
    assert Settings(data_dir=tmp_path, database_url=given).sqlalchemy_url == expected


def test_default_database_is_sqlite_in_the_data_dir(tmp_path):
    url = Settings(data_dir=tmp_path / "d").sqlalchemy_url
    assert url == f"sqlite:///{(tmp_path / 'd' / 'otklik.db').resolve()}"
