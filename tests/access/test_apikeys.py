"""API keys: stored as SHA-256, shown once, revocable, and their last use recorded cheaply."""

import hashlib

import pytest
from sqlalchemy import select

from otklik.access.apikeys import (
    authenticate_api_key,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from otklik.access.models import ApiKey
from otklik.errors import NotFound


def test_only_the_sha256_of_a_key_is_stored(session):
    row, plaintext = create_api_key(session=session, name="CRM")
    session.commit()
    assert plaintext.startswith("otk_") and len(plaintext) >= 40
    assert row.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert row.prefix == plaintext[:12]
    assert plaintext not in {row.key_hash, row.name}


def test_a_key_authenticates_and_a_wrong_one_does_not(session):
    row, plaintext = create_api_key(session=session, name="CRM")
    session.commit()
    principal = authenticate_api_key(session=session, key=plaintext)
    assert principal is not None and principal.key_id == row.id and principal.scopes == ("ingest",)
    assert authenticate_api_key(session=session, key=plaintext[:-1] + "x") is None
    assert authenticate_api_key(session=session, key="not-a-key") is None


def test_revoked_key_stops_working_at_once_in_this_process(session):
    row, plaintext = create_api_key(session=session, name="CRM")
    session.commit()
    assert authenticate_api_key(session=session, key=plaintext) is not None  # now cached
    revoke_api_key(session=session, key_id=row.id)
    session.commit()
    assert authenticate_api_key(session=session, key=plaintext) is None


def test_revoking_an_unknown_key_says_so(session):
    with pytest.raises(NotFound, match="no API key #999"):
        revoke_api_key(session=session, key_id=999)


def test_last_use_is_recorded_even_if_the_request_never_commits(engine, session):
    row, plaintext = create_api_key(session=session, name="CRM")
    session.commit()
    assert row.last_used_at is None
    assert authenticate_api_key(session=session, key=plaintext) is not None
    session.rollback()  # a read-only request: its own transaction writes nothing
    first = session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == row.id))
    assert first is not None


def test_last_use_is_written_at_most_once_a_minute(session):
    row, plaintext = create_api_key(session=session, name="CRM")
    session.commit()
    authenticate_api_key(session=session, key=plaintext)
    first = session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == row.id))
    for _ in range(50):
        authenticate_api_key(session=session, key=plaintext)
    session.expire_all()
    assert session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == row.id)) == first


def test_list_includes_revoked_keys_oldest_first(session):
    a, _ = create_api_key(session=session, name="CRM")
    b, _ = create_api_key(session=session, name="Call centre")
    revoke_api_key(session=session, key_id=a.id)
    session.commit()
    rows = list_api_keys(session=session)
    assert [r.name for r in rows] == ["CRM", "Call centre"]
    assert rows[0].revoked_at is not None and rows[1].revoked_at is None
    assert b.id == rows[1].id
