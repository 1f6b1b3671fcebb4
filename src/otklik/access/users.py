"""Creating users, checking passwords, and finding the user behind a session."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.access.models import ROLES, User
from otklik.access.passwords import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from otklik.errors import Conflict, ValidationFailed
from otklik.store.base import utcnow


def normalise_email(email: str) -> str:
    """Lower-cased, normalised login email.

    Intranet domains (``ivan@corp.local``) are accepted: they are common in the companies
    that self-host Otklik, and a login needs a well-formed address, not a deliverable one.
    """
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        if "special-use" in str(exc):
            domain = email.strip().rsplit("@", 1)[-1]
            try:  # check the syntax with a public stand-in for the reserved domain
                local = validate_email(
                    email.strip()[: -len(domain)] + "example.org", check_deliverability=False
                ).normalized.rsplit("@", 1)[0]
            except EmailNotValidError:
                pass
            else:
                return f"{local}@{domain.lower()}".lower()
        raise ValidationFailed(f"email: {exc}", field="email") from exc


def create_user(
    *,
    session: Session,
    email: str,
    password: str,
    role: str = "viewer",
    full_name: str = "",
    language: str = "ru",
) -> User:
    """Create a user with an argon2id password hash; refuses weak input with a clear message."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationFailed(f"role: must be one of {', '.join(ROLES)}", field="role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password: at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Conflict(f"a user with email {email} already exists")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        full_name=full_name,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Constant work for unknown emails."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def session_user(*, session: Session, user_id: int | None, version: int | None) -> User | None:
    """The user a signed session cookie names, if still active and not logged out everywhere."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user
