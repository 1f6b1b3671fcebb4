"""The `otklik user` and `otklik apikey` commands against a real database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from otklik.access.apikeys import authenticate_api_key
from otklik.access.models import ApiKey, User
from otklik.access.passwords import verify_password
from otklik.cli import app

PASSWORD = "long-enough-password"


@pytest.fixture
def otklik(db_url, tmp_path):
    """Run `otklik ...` with the test database, as an admin would from a shell."""
    runner = CliRunner()
    env = {"OTKLIK_DATABASE_URL": db_url, "OTKLIK_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str):
        return runner.invoke(app, list(args), env=env)

    return run


def test_user_create_stores_a_user_who_can_log_in(otklik, session):
    result = otklik("user", "create", "--email", "Olga@Example.com", "--password", PASSWORD,
                    "--role", "admin", "--name", "Ольга Иванова")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "created user olga@example.com (admin)"
    user = session.scalar(select(User).where(User.email == "olga@example.com"))
    assert user.role == "admin" and user.full_name == "Ольга Иванова"
    assert verify_password(user.password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email", "--password", PASSWORD], "email:"),
        (["--email", "a@example.com", "--password", "short"], "at least 10 characters"),
        (["--email", "a@example.com", "--password", PASSWORD, "--role", "root"], "role:"),
    ],
)
def test_user_create_refuses_bad_input_with_one_line(otklik, session, args, message):
    result = otklik("user", "create", *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert session.scalar(select(User.id)) is None


def test_user_create_refuses_a_duplicate_email(otklik):
    first = otklik("user", "create", "--email", "a@example.com", "--password", PASSWORD)
    assert first.exit_code == 0
    result = otklik("user", "create", "--email", "A@example.com", "--password", PASSWORD)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: a user with email a@example.com already exists"


def test_apikey_create_prints_a_key_that_authenticates(otklik, session):
    result = otklik("apikey", "create", "--name", "CRM")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert re.fullmatch(r"otk_[A-Za-z0-9_-]{43}", key)
    assert "not shown again" in result.stderr
    principal = authenticate_api_key(session=session, key=key)
    assert principal is not None and principal.name == "CRM"


def test_apikey_revoke_stops_the_key(otklik, session):
    key = otklik("apikey", "create", "--name", "CRM").stdout.strip()
    key_id = authenticate_api_key(session=session, key=key).key_id
    session.rollback()  # end our read transaction before the command writes
    result = otklik("apikey", "revoke", str(key_id))
    assert result.exit_code == 0 and f"API key #{key_id} revoked" in result.stdout
    assert authenticate_api_key(session=session, key=key) is None


def test_apikey_revoke_of_an_unknown_key_fails_with_one_line(otklik):
    result = otklik("apikey", "revoke", "4242")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: no API key #4242; `otklik apikey list` shows them"
    ]


def test_apikey_list_shows_use_and_revocation(otklik, session):
    assert "no API keys yet" in otklik("apikey", "list").stdout
    used = otklik("apikey", "create", "--name", "CRM [prod]").stdout.strip()
    unused = otklik("apikey", "create", "--name", "Call centre").stdout.strip()
    authenticate_api_key(session=session, key=used)
    unused_id = session.scalar(select(ApiKey.id).where(ApiKey.prefix == unused[:12]))
    session.rollback()  # end our read transaction before the command writes
    assert otklik("apikey", "revoke", str(unused_id)).exit_code == 0
    result = otklik("apikey", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.strip().splitlines()
    assert header.split() == ["ID", "NAME", "PREFIX", "CREATED", "LAST", "USED", "REVOKED"]
    ids = [int(r.split()[0]) for r in rows]
    assert ids == sorted(ids) and len(ids) == 2
    crm, call_centre = rows
    assert "CRM [prod]" in crm and used[:12] in crm  # names print literally, no markup
    assert crm.rstrip().endswith("-")  # used but not revoked
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+-$", crm)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d$", call_centre)


def test_user_create_if_missing_succeeds_quietly_for_an_existing_email(otklik, session):
    # `make demo` runs this on every start: the second run must neither fail nor duplicate.
    for _ in range(2):
        result = otklik("user", "create", "--email", "demo@example.com", "--password", PASSWORD,
                        "--role", "admin", "--if-missing")  # fmt: skip
        assert result.exit_code == 0, result.output
    assert "already exists" in result.stdout
    session.expire_all()
    assert len(session.scalars(select(User.id)).all()) == 1
