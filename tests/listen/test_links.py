"""Personal links: signed, single-use tokens naming one invitation; every misuse is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.listen.links import (
    TokenExpired,
    TokenInvalid,
    TokenRevoked,
    TokenUsed,
    decode_token,
    ensure_nonce,
    link_response,
    make_personal_token,
    personal_url,
    public_url,
    read_token,
    revoke_links,
)
from otklik.listen.models import Customer, Invitation, Response, Survey

SECRET = "links-test-secret-0123456789-abcdefghijkl"


@pytest.fixture
def invitation(session, seed):
    customer = Customer(external_id="crm-7", email="anna@example.com", language="ru")
    session.add(customer)
    session.flush()
    inv = Invitation(
        survey_id=seed["survey"].id, customer_id=customer.id, channel="email", status="sent"
    )
    session.add(inv)
    session.flush()
    ensure_nonce(session=session, invitation=inv)
    session.commit()
    return inv


def test_public_url_carries_language_and_token_only_when_given():
    assert public_url(base_url="https://cx.example/", slug="nps") == "https://cx.example/s/nps"
    assert (
        public_url(base_url="https://cx.example", slug="nps", lang="en", token="a.b")
        == "https://cx.example/s/nps?lang=en&t=a.b"
    )


def test_token_round_trip_names_the_invitation(session, invitation, seed):
    token = make_personal_token(secret=SECRET, invitation=invitation)
    found = read_token(session=session, secret=SECRET, token=token, survey_id=seed["survey"].id)
    assert found.id == invitation.id
    assert decode_token(secret=SECRET, token=token).nonce == invitation.token_nonce
    url = personal_url(
        session=session, invitation=invitation, secret=SECRET, base_url="https://cx.example"
    )
    assert url.startswith("https://cx.example/s/onboarding-nps?t=")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: t.split(".")[0],  # signature cut off
        lambda t: "",
        lambda t: "a" * 600,
    ],
)
def test_tampered_tokens_are_invalid(session, invitation, mangle):
    token = make_personal_token(secret=SECRET, invitation=invitation)
    with pytest.raises(TokenInvalid):
        read_token(session=session, secret=SECRET, token=mangle(token))


def test_token_signed_with_another_secret_is_invalid(session, invitation):
    token = make_personal_token(secret="another-secret-" + "x" * 30, invitation=invitation)
    with pytest.raises(TokenInvalid):
        read_token(session=session, secret=SECRET, token=token)


def test_token_for_another_survey_is_invalid(session, invitation):
    other = Survey(slug="other", title="Other", status="published", definition={})
    session.add(other)
    session.commit()
    token = make_personal_token(secret=SECRET, invitation=invitation)
    with pytest.raises(TokenInvalid, match="another survey"):
        read_token(session=session, secret=SECRET, token=token, survey_id=other.id)


def test_token_expires_at_its_deadline(session, invitation):
    issued = datetime(2026, 1, 1, tzinfo=UTC)
    token = make_personal_token(
        secret=SECRET, invitation=invitation, valid_for=timedelta(days=7), now=issued
    )
    assert read_token(session=session, secret=SECRET, token=token, now=issued + timedelta(days=6))
    with pytest.raises(TokenExpired) as info:
        read_token(session=session, secret=SECRET, token=token, now=issued + timedelta(days=7))
    assert info.value.status == 410


def test_revoking_changes_the_nonce_so_old_links_stop_working(session, invitation):
    token = make_personal_token(secret=SECRET, invitation=invitation)
    revoke_links(session=session, invitation=invitation)
    session.commit()
    with pytest.raises(TokenRevoked):
        read_token(session=session, secret=SECRET, token=token)
    fresh = make_personal_token(secret=SECRET, invitation=invitation)
    assert read_token(session=session, secret=SECRET, token=fresh).id == invitation.id


def test_linking_a_response_marks_the_invitation_responded_and_the_token_used(
    session, invitation, seed
):
    response = Response(
        survey_id=seed["survey"].id, nps=9, source="survey", submitted_at=datetime.now(UTC)
    )
    session.add(response)
    session.commit()
    token = make_personal_token(secret=SECRET, invitation=invitation)
    link_response(session=session, invitation=invitation, response_id=response.id)
    link_response(session=session, invitation=invitation, response_id=response.id)  # idempotent
    session.refresh(response)
    assert invitation.status == "responded" and invitation.responded_at is not None
    assert (response.invitation_id, response.customer_id) == (
        invitation.id,
        invitation.customer_id,
    )
    with pytest.raises(TokenUsed) as info:
        read_token(session=session, secret=SECRET, token=token)
    assert info.value.status == 410 and info.value.invitation.id == invitation.id
    assert read_token(session=session, secret=SECRET, token=token, allow_used=True)


def test_a_token_needs_an_invitation_with_a_nonce(session, seed):
    bare = Invitation(survey_id=seed["survey"].id, channel="email")
    session.add(bare)
    session.flush()
    with pytest.raises(ValueError, match="token_nonce"):
        make_personal_token(secret=SECRET, invitation=bare)
