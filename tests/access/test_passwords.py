"""argon2id password hashing: what is stored, what verifies, and when to upgrade."""

import pytest
from argon2 import PasswordHasher

from otklik.access.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per module


def test_hash_is_argon2id_and_never_contains_the_password(stored):
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_same_password_hashes_differently_each_time(stored):
    assert hash_password(PASSWORD) != stored


def test_verify_accepts_the_right_password(stored):
    assert verify_password(stored, PASSWORD)


def test_verify_refuses_a_wrong_password(stored):
    assert not verify_password(stored, "correct horse batterY")
    assert not verify_password(stored, "")


def test_verify_returns_false_for_a_garbage_or_foreign_hash():
    assert not verify_password("not-a-hash", "whatever")
    assert not verify_password("$2b$12$abcdefghijklmnopqrstuu", "whatever")  # bcrypt-looking


def test_dummy_hash_matches_no_ordinary_password():
    assert not verify_password(DUMMY_HASH, PASSWORD)


def test_needs_rehash_only_for_weaker_parameters(stored):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    assert verify_password(weak, PASSWORD)  # still verifies, so login can upgrade it
    assert not needs_rehash(stored)
