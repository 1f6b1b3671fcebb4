"""A respondent sees and erases their own answers, from a signed link in every invitation.

``/my-data/{token}``: the token is the customer id signed with the app secret (salt
``otklik.my-data``), valid for :data:`MY_DATA_VALIDITY`; nothing else about the person is
in the URL. Erasing deletes the customer's responses and the drafts of their personal
links, and writes one :class:`Erasure` row (ids only, no content) as the record that the
request was honoured. The analytics mirror learns about the deleted rows from the
``analytics_change`` triggers (migration 0003), so erased answers drop out of every
metric on the next read; ``Erasure.response_ids`` lets any other copy do the same.

The customer row itself stays: it carries the unsubscribe flag and the fatigue
history, which must outlive the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from otklik.errors import OtklikError
from otklik.listen.answers import display_answer
from otklik.listen.definition import parse_definition
from otklik.listen.drafts import SurveyDraft
from otklik.listen.models import Invitation, Response, Survey, SurveyVersion
from otklik.store import Base, JSONType, UTCDateTime, utcnow, write_lock

MY_DATA_SALT = "otklik.my-data"
ERASE_SALT = "otklik.my-data-erase"
MY_DATA_VALIDITY = timedelta(days=365)
ERASE_FORM_VALIDITY = timedelta(hours=2)


class Erasure(Base):
    """One honoured erasure request: whose, which response ids, when, through what."""

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: the record must survive even if the customer is deleted later.
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    response_ids: Mapped[list] = mapped_column(JSONType, default=list)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    requested_via: Mapped[str] = mapped_column(String(20), default="my-data")
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class MyDataLinkInvalid(OtklikError):
    """The my-data link was altered or has expired."""


def my_data_token(*, secret: str, customer_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=MY_DATA_SALT).dumps(customer_id)


def my_data_url(*, base_url: str, secret: str, customer_id: int, lang: str | None = None) -> str:
    url = f"{base_url.rstrip('/')}/my-data/{my_data_token(secret=secret, customer_id=customer_id)}"
    return url + (f"?lang={lang}" if lang else "")


def read_my_data_token(*, secret: str, token: str) -> int:
    """The customer id a my-data token names; MyDataLinkInvalid when forged or expired."""
    try:
        value = URLSafeTimedSerializer(secret, salt=MY_DATA_SALT).loads(
            token[:400], max_age=int(MY_DATA_VALIDITY.total_seconds())
        )
    except SignatureExpired:
        raise MyDataLinkInvalid("this link has expired") from None
    except BadSignature:
        raise MyDataLinkInvalid("this link is not valid") from None
    if not isinstance(value, int):
        raise MyDataLinkInvalid("this link is not valid")
    return value


def erase_form_token(*, secret: str, customer_id: int) -> str:
    """Signed, short-lived proof that the erase button was pressed on our own page."""
    return URLSafeTimedSerializer(secret, salt=ERASE_SALT).dumps(customer_id)


def check_erase_form(*, secret: str, token: str, customer_id: int) -> bool:
    try:
        value = URLSafeTimedSerializer(secret, salt=ERASE_SALT).loads(
            token[:400], max_age=int(ERASE_FORM_VALIDITY.total_seconds())
        )
    except BadSignature:
        return False
    return value == customer_id


@dataclass(frozen=True)
class StoredAnswer:
    question: str
    answer: str


@dataclass(frozen=True)
class MyResponse:
    id: int
    survey: str
    submitted_at: datetime
    answers: list[StoredAnswer]


def my_responses(*, session: Session, customer_id: int, lang: str) -> list[MyResponse]:
    """The customer's responses as question → answer text, newest first."""
    rows = session.execute(
        select(
            Response.id, Response.survey_id, Response.survey_version, Response.submitted_at,
            Response.answers, Response.nps, Response.csat, Response.ces, Response.comment,
        )
        .where(Response.customer_id == customer_id)
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    ).all()  # fmt: skip
    titles: dict[int, str] = {}
    definitions: dict[tuple[int, int], Any] = {}
    out = []
    for rid, sid, version, at, answers, nps, csat, ces, comment in rows:
        title = ""
        definition = None
        if sid is not None:
            if sid not in titles:
                survey = session.get(Survey, sid)
                titles[sid] = (survey.definition.get("title") or {}).get(lang) or survey.title
            title = titles[sid]
            definition = _definition(session, definitions, sid, version)
        items = []
        for key, value in (answers or {}).items():
            q = definition.question(key) if definition is not None else None
            text = q.text.get(lang) if q is not None else key
            shown = display_answer(q, value, lang) if q is not None else str(value)
            items.append(StoredAnswer(text, shown))
        if not answers:
            for name, value in (("NPS", nps), ("CSAT", csat), ("CES", ces), ("", comment)):
                if value is not None:
                    items.append(StoredAnswer(name, str(value)))
        out.append(MyResponse(rid, title, at, items))
    return out


def _definition(session: Session, cache: dict, survey_id: int, version: int | None) -> Any:
    key = (survey_id, version or 0)
    if key not in cache:
        data = session.scalar(
            select(SurveyVersion.definition).where(
                SurveyVersion.survey_id == survey_id, SurveyVersion.version == version
            )
        )
        try:
            cache[key] = parse_definition(data) if data else None
        except OtklikError:
            cache[key] = None
    return cache[key]


def erase_responses(
    *, session: Session, customer_id: int, via: str = "my-data", now: datetime | None = None
) -> Erasure:
    """Delete every response of the customer and the drafts of their links; log it; commit."""
    with write_lock(session.get_bind()):
        ids = list(session.scalars(select(Response.id).where(Response.customer_id == customer_id)))
        if ids:
            session.execute(delete(Response).where(Response.id.in_(ids)))
        keys = [
            f"inv:{i}"
            for i in session.scalars(
                select(Invitation.id).where(Invitation.customer_id == customer_id)
            )
        ]
        for i in range(0, len(keys), 500):
            session.execute(
                delete(SurveyDraft).where(SurveyDraft.respondent_key.in_(keys[i : i + 500]))
            )
        record = Erasure(
            customer_id=customer_id, response_ids=ids, responses=len(ids), requested_via=via,
            erased_at=now or utcnow(),
        )  # fmt: skip
        session.add(record)
        session.commit()
    return record
