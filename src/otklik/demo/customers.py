"""Demo customers: who they are, when they joined, and when (and why) some of them left.

Rows are plain dicts for bulk inserts; the traits the response generator needs
(gender, disposition, home branch) travel beside them in ``CustomerTraits``.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from otklik.demo.company import BRANCHES, REGIONS, SEGMENTS
from otklik.demo.names import (
    EN_FIRST_NAMES,
    EN_LAST_NAMES,
    RU_FIRST_NAMES,
    RU_LAST_NAMES,
    female_last_name,
    translit,
)

ACQUISITION_DAYS = 3 * 365
EN_SHARE = 0.15
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_CUM = list(accumulate((0.05, 0.3, 0.27, 0.18, 0.12, 0.08)))
_MAIL_DOMAINS_RU = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru")
_MAIL_DOMAINS_EN = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me")


@dataclass(slots=True)
class CustomerTraits:
    """What shapes a customer's answers but is not a column."""

    gender: str
    disposition: float  # personal leniency on the 0–10 scale
    branch: str  # home branch key
    segment: str
    language: str
    email: str
    phone: str


def generate_customers(
    rng: random.Random, *, count: int, anchor: datetime, branch_ids: dict[str, int]
) -> tuple[list[dict], list[CustomerTraits]]:
    """``count`` customers sorted by ``acquired_at`` (so "who existed at t" is a bisect)."""
    tz_by_region = {r.key: r.timezone for r in REGIONS}
    branch_keys = [b.key for b in BRANCHES]
    branch_weights = list(accumulate(b.weight for b in BRANCHES))
    branch_by_key = {b.key: b for b in BRANCHES}
    seg_names = list(SEGMENTS)
    seg_weights = list(accumulate(SEGMENTS[s][0] for s in seg_names))
    # Growth: more customers joined recently (density rising ~2x over three years).
    offsets = sorted(ACQUISITION_DAYS * (math.sqrt(1 + 3 * rng.random()) - 1) for _ in range(count))
    start = anchor - timedelta(days=ACQUISITION_DAYS)
    rows: list[dict] = []
    traits: list[CustomerTraits] = []
    for i, offset in enumerate(offsets, start=1):
        acquired = start + timedelta(days=offset, seconds=rng.randrange(86_400))
        acquired = min(acquired, anchor - timedelta(hours=1))
        lang = "en" if rng.random() < EN_SHARE else "ru"
        segment = rng.choices(seg_names, cum_weights=seg_weights)[0]
        if segment == "youth":
            age = _AGE_BANDS[0] if rng.random() < 0.7 else _AGE_BANDS[1]
        else:
            age = rng.choices(_AGE_BANDS, cum_weights=_AGE_CUM)[0]
        branch = rng.choices(branch_keys, cum_weights=branch_weights)[0]
        if lang == "en":  # expats live in the capitals
            branch = rng.choice(("tverskaya", "arbat", "kievskaya", "nevsky", "tverskaya"))
        b = branch_by_key[branch]
        name, gender, email = _person(rng, lang, i)
        phone = _mobile(rng)
        tenure = (anchor - acquired).days / 365.25
        rows.append(
            {
                "external_id": f"C{i:06d}",
                "email": email,
                "phone": phone,
                "name": name,
                "language": lang,
                "timezone": tz_by_region[b.region],
                "segment": segment,
                "attributes": {
                    "product": SEGMENTS[segment][2],
                    "tenure_years": round(tenure, 1),
                    "age_band": age,
                    "city": b.city_en if lang == "en" else b.city_ru,
                    "has_credit_card": rng.random() < (0.45 if segment == "premium" else 0.2),
                },
                "unit_id": branch_ids[branch],
                "contact_consent": rng.random() < 0.82,
                "acquired_at": acquired,
                "churned_at": None,
                "created_at": acquired,
            }
        )
        traits.append(
            CustomerTraits(
                gender=gender,
                disposition=rng.gauss(0.0, 0.7),
                branch=branch,
                segment=segment,
                language=lang,
                email=email,
                phone=phone,
            )
        )
    return rows, traits


def _person(rng: random.Random, lang: str, i: int) -> tuple[str, str, str]:
    if lang == "en":
        first, gender = rng.choice(EN_FIRST_NAMES)
        last = rng.choice(EN_LAST_NAMES)
        handle = f"{first}.{last}".lower()
        domain = rng.choice(_MAIL_DOMAINS_EN)
    else:
        first, _, _, gender = rng.choice(RU_FIRST_NAMES)
        last = rng.choice(RU_LAST_NAMES)
        if gender == "f":
            last = female_last_name(last)
        t_first, t_last = translit(first), translit(last)
        handle = rng.choice(
            (f"{t_first}.{t_last}", f"{t_first[0]}.{t_last}", f"{t_last}.{t_first}")
        )
        domain = rng.choice(_MAIL_DOMAINS_RU)
    # The running number keeps addresses unique, as a mail provider would.
    return f"{first} {last}", gender, f"{handle}{i}@{domain}"


def _mobile(rng: random.Random) -> str:
    code = rng.choice((903, 905, 909, 912, 913, 915, 916, 921, 925, 926, 977, 985, 999))
    return f"+7{code}{rng.randrange(10_000_000):07d}"


def acquired_index(customers: list[dict]) -> list[datetime]:
    """Acquisition times in order, for ``bisect``: customers[:k] had joined before time t."""
    return [c["acquired_at"] for c in customers]


def pick_customer(
    rng: random.Random, acquired: list[datetime], at: datetime, *, joined_since: datetime | None
) -> int | None:
    """Index of a customer who had joined by ``at`` (and since ``joined_since`` if given)."""
    hi = bisect.bisect_right(acquired, at)
    lo = bisect.bisect_left(acquired, joined_since) if joined_since else 0
    if hi - lo < 1:
        lo = 0
    if hi < 1:
        return None
    return rng.randrange(lo, hi)


def apply_churn(
    rng: random.Random,
    *,
    customers: list[dict],
    history: dict[int, tuple[datetime | None, datetime]],
    anchor: datetime,
) -> int:
    """Set ``churned_at``: a detractor answer makes leaving about six times as likely.

    ``history`` maps a customer index to (first detractor answer time, last answer time).
    A churn date always follows the customer's last answer, so nobody answers after leaving.
    """
    churned = 0
    for idx, customer in enumerate(customers):
        first_detractor, last = history.get(idx, (None, None))
        acquired = customer["acquired_at"]
        if first_detractor is not None:
            if rng.random() >= 0.42:
                continue
            when = first_detractor + timedelta(days=rng.expovariate(1 / 45))
        elif last is not None:
            if rng.random() >= 0.10:
                continue
            when = last + timedelta(days=rng.expovariate(1 / 120))
        else:
            if rng.random() >= 0.10:
                continue
            when = acquired + timedelta(days=rng.uniform(30, ACQUISITION_DAYS))
        if last is not None:
            when = max(when, last + timedelta(days=rng.uniform(1, 20)))
        if when < anchor:
            customer["churned_at"] = when
            churned += 1
    return churned
