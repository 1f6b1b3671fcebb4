"""Invite a CSV of contacts (email, name, language, external_id[, timezone]) to a survey.

Used by the invitations page and ``otklik invite``. All or nothing: a bad row invites
nobody, and the report names each bad line and column. A dry run decides every contact
exactly as a real run would (the fatigue rules included), then rolls back.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from otklik.errors import NotFound, ValidationFailed
from otklik.listen.invitations import LANGS, Contact, find_or_create_customer, invite_customers
from otklik.listen.models import Survey
from otklik.store import write_lock

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTACT_COLUMNS = ("email", "name", "language", "external_id", "timezone")
MAX_CONTACTS = 100_000


@dataclass
class InviteReport:
    """What inviting a contact list did (or would do, in a dry run)."""

    rows: int = 0
    queued: int = 0
    suppressed: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary_line(self) -> str:
        if self.errors:
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            return f"nothing invited: {self.errors[0]}{more}"
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.suppressed.items()))
        head = "dry run: would queue" if self.dry_run else "queued"
        tail = f"; suppressed {sum(self.suppressed.values())} ({reasons})" if reasons else ""
        return f"{head} {self.queued} of {self.rows} contacts{tail}"


def read_contacts(data: bytes | str) -> tuple[list[Contact], list[str]]:
    """Parse a contacts CSV (email, name, language, external_id, timezone; `,` or `;`).

    Returns (contacts, errors); each error names the line and the column.
    """
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","
    )
    fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
    if "email" not in fields:
        return [], ["line 1: the header needs an email column (email,name,language,external_id)"]
    reader.fieldnames = fields
    contacts, errors = [], []
    for line, row in enumerate(reader, start=2):
        if len(contacts) + len(errors) >= MAX_CONTACTS:
            errors.append(f"line {line}: at most {MAX_CONTACTS} contacts per file")
            break
        values = {k: (row.get(k) or "").strip() or None for k in CONTACT_COLUMNS}
        if not any(values.values()):
            continue
        email, lang = values["email"], (values["language"] or "").lower() or None
        if email is None or not EMAIL_RE.match(email) or len(email) > 254:
            errors.append(f"line {line}: email: '{email or ''}' is not an email address")
            continue
        if lang is not None and lang not in LANGS:
            errors.append(f"line {line}: language: '{lang}' is not ru or en")
            continue
        if values["timezone"] is not None and not known_zone(values["timezone"]):
            errors.append(f"line {line}: timezone: '{values['timezone']}' is not a time zone")
            continue
        if values["name"] and len(values["name"]) > 200:
            errors.append(f"line {line}: name: longer than 200 characters")
            continue
        if values["external_id"] and len(values["external_id"]) > 128:
            errors.append(f"line {line}: external_id: longer than 128 characters")
            continue
        values.update(email=email.lower(), language=lang)
        contacts.append(Contact(**values))
    return contacts, errors


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def invite_contacts(
    *,
    session: Session,
    survey: Survey,
    data: bytes | str | Path,
    dry_run: bool = False,
    now: datetime | None = None,
) -> InviteReport:
    """Invite every contact of a CSV (all or nothing: a bad row invites nobody). Commits
    unless ``dry_run`` (which decides exactly as a real run would, then rolls back)."""
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError as exc:
            raise NotFound(f"cannot read {data}: {exc.strerror}") from None
    contacts, errors = read_contacts(data)
    report = InviteReport(rows=len(contacts) + len(errors), errors=errors, dry_run=dry_run)
    if errors:
        return report
    if not contacts:
        raise ValidationFailed("the file has no contacts", field="file")
    with write_lock(session.get_bind()):
        try:
            customers, languages = [], {}
            for contact in contacts:
                customer = find_or_create_customer(session=session, contact=contact)
                customers.append(customer)
                if contact.language:
                    languages[customer.id] = contact.language
            made = invite_customers(session=session, survey=survey, customers=customers, now=now,
                                    languages=languages)  # fmt: skip
            for invitation, _ in made:
                if invitation.status == "suppressed":
                    report.suppressed[invitation.suppression_reason] += 1
                else:
                    report.queued += 1
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return report
