"""Password hashing with argon2id (the OWASP-recommended default)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a bad or foreign hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash uses older parameters than today's defaults."""
    return _hasher.check_needs_rehash(password_hash)


# A valid hash of a random string: verifying against it when the email is unknown
# makes a failed login take the same time whether or not the account exists.
DUMMY_HASH = _hasher.hash("otklik-timing-equaliser")
