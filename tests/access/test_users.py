"""Creating users refuses bad input with a message that names the problem; login checks."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from otklik.access.models import User
from otklik.access.passwords import hash_password, needs_rehash
from otklik.access.users import authenticate, create_user, session_user
from otklik.errors import Conflict, ValidationFailed

PASSWORD = "long-enough-password"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per module


@pytest.fixture
def olga(session, password_hash) -> User:
    user = User(email="olga@example.com", password_hash=password_hash, role="analyst")
    session.add(user)
    session.commit()
    return user


def _user(session, email="Olga@Example.COM", **kw):
    user = create_user(session=session, email=email, password=PASSWORD, **kw)
    session.commit()
    return user


def test_create_user_normalises_email_and_hashes_password(session):
    user = _user(session, role="analyst", full_name="Ольга")
    stored = session.scalar(select(User).where(User.id == user.id))
    assert stored.email == "olga@example.com"
    assert stored.role == "analyst"
    assert stored.password_hash.startswith("$argon2id$")
    assert stored.session_version == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@example.com", "a b@example.com"])
def test_create_user_refuses_bad_email(session, email):
    with pytest.raises(ValidationFailed, match="email") as info:
        create_user(session=session, email=email, password=PASSWORD)
    assert info.value.field == "email"


def test_create_user_refuses_weak_password(session):
    with pytest.raises(ValidationFailed, match="at least 10 characters") as info:
        create_user(session=session, email="a@example.com", password="short")
    assert info.value.field == "password"


def test_create_user_refuses_unknown_role(session):
    with pytest.raises(ValidationFailed, match="admin, analyst, viewer") as info:
        create_user(session=session, email="a@example.com", password=PASSWORD, role="root")
    assert info.value.field == "role"


def test_create_user_refuses_duplicate_email_whatever_the_case(session, olga):
    with pytest.raises(Conflict, match=r"olga@example\.com already exists"):
        create_user(session=session, email=" OLGA@example.com ", password=PASSWORD)


def test_authenticate_with_right_password_returns_user_and_stamps_login(session, olga):
    assert olga.last_login_at is None
    found = authenticate(session=session, email="  OLGA@example.com", password=PASSWORD)
    assert found is not None and found.id == olga.id
    assert found.last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("olga@example.com", "wrong-password!"), ("nobody@example.com", PASSWORD)],
)
def test_authenticate_refuses_wrong_password_and_unknown_email(session, olga, email, password):
    assert authenticate(session=session, email=email, password=password) is None


def test_authenticate_refuses_inactive_user(session, olga):
    olga.active = False
    session.commit()
    assert authenticate(session=session, email="olga@example.com", password=PASSWORD) is None


def test_authenticate_upgrades_an_old_hash(session, olga):
    olga.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    session.commit()
    assert authenticate(session=session, email="olga@example.com", password=PASSWORD)
    session.commit()
    session.expire_all()
    assert not needs_rehash(session.get(User, olga.id).password_hash)


def test_session_user_is_void_after_session_version_bump(session, olga):
    assert session_user(session=session, user_id=olga.id, version=1) is not None
    olga.session_version += 1
    session.commit()
    assert session_user(session=session, user_id=olga.id, version=1) is None
    assert session_user(session=session, user_id=olga.id, version=2) is not None


def test_intranet_email_domains_are_accepted_for_logins(session):
    # Self-hosting companies often use reserved domains (corp.local); `make demo` logs in
    # as demo@otklik.local.
    user = create_user(session=session, email="Ivan@Corp.Local", password="long-enough-pw")
    assert user.email == "ivan@corp.local"
    with pytest.raises(ValidationFailed):
        create_user(session=session, email="bad@@corp.local", password="long-enough-pw")
