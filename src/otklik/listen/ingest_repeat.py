"""Does a submission say what a stored response with the same key already says?

A retry with the same ``Idempotency-Key`` or ``external_id`` is recognised by the hash of
its canonical body (`ingest.payload_hash`). A response stored by a file import has no API
body — the importer hashes its own row — so a live feed re-sending a response that was
back-filled from a CSV export would get 409 although it says the same thing. When the
hashes differ, the stored values are therefore compared with the values this body would
store: the same answers, comment (redacted alike), time, references and customer make it
a repeat. How it arrived (``source``) and the customer's profile fields (name, phone,
attributes) are not what the response says, so they do not make it a different one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from otklik.errors import OtklikError
from otklik.listen.ingest_refs import resolve_references
from otklik.listen.models import Customer, Response
from otklik.listen.schemas import ResponseIn
from otklik.understand.comments.redaction import redact_for_storage

_STORED = (
    Response.survey_id,
    Response.touchpoint_id,
    Response.unit_id,
    Response.channel,
    Response.answers,
    Response.attributes,
    Response.nps,
    Response.csat,
    Response.ces,
    Response.comment,
    Response.language,
    Response.submitted_at,
)


def says_the_same(session: Session, engine: Engine, response_id: int, data: ResponseIn) -> bool:
    """Whether storing ``data`` now would store what response ``response_id`` holds."""
    if data.submitted_at is None:  # "now" is never the stored time
        return False
    found = session.execute(
        select(*_STORED, Customer.external_id, Customer.email)
        .outerjoin(Customer, Customer.id == Response.customer_id)
        .where(Response.id == response_id)
    ).first()
    if found is None:
        return False
    *stored, customer_external_id, customer_email = found
    try:
        refs = resolve_references(session=session, engine=engine, data=data)
    except OtklikError:
        return False
    comment = redact_for_storage(data.comment, engine=engine) if data.comment else data.comment
    wanted: list[Any] = [
        refs.survey_id, refs.touchpoint_id, refs.unit_id, refs.channel, data.answers,
        data.attributes, data.nps, data.csat, data.ces, comment, data.language,
        data.submitted_at,
    ]  # fmt: skip
    if stored != wanted:
        return False
    customer = data.customer
    if customer is None:
        return customer_external_id is None and customer_email is None
    if customer.external_id is not None:
        return customer_external_id == customer.external_id
    return (customer_email or "").lower() == customer.email
