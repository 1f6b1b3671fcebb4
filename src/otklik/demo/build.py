"""`build_demo`: generate the bank in memory, then write it with bulk Core inserts.

Generation is pure Python on one seeded ``random.Random`` (no global state), so
the same seed and anchor give the same rows on any engine. Writing uses
executemany in chunks: a per-row ORM object would cost ~10x more.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.orm import Session

from otklik.demo import company as co
from otklik.demo.customers import acquired_index, apply_churn, generate_customers
from otklik.demo.invitations import DemoInvitations, generate_invitations
from otklik.demo.journey_map import add_journey_map
from otklik.demo.org import Org, build_org
from otklik.demo.responses import Generated, generate_responses
from otklik.errors import ValidationFailed
from otklik.listen.models import Customer, Invitation, Response
from otklik.org.models import Employee, Unit

CHUNK = 5_000
MAX_RESPONSES = 5_000_000


@dataclass
class DemoSummary:
    """What `otklik demo` created, and the planted effects as measured in the generated data."""

    created: bool
    units: int = 0
    employees: int = 0
    touchpoints: int = 0
    customers: int = 0
    churned: int = 0
    responses: int = 0
    comments: int = 0
    invitations: dict[str, int] = field(default_factory=dict)
    unsubscribed: int = 0
    seconds: float = 0.0
    effects: list[str] = field(default_factory=list)

    def __rich__(self) -> Text:  # Rich would otherwise pretty-print the dataclass fields
        return Text(str(self))

    def __str__(self) -> str:
        if not self.created:
            return (
                f"The demo company ({co.COMPANY_NAME['en']}, unit code '{co.COMPANY_CODE}') "
                "is already in this database; nothing was changed."
            )
        lines = [
            f"Demo company {co.COMPANY_NAME['en']} / {co.COMPANY_NAME['ru']} created in "
            f"{self.seconds:.1f} s:",
            f"  {self.units} units, {self.employees} employees, 1 journey, "
            f"{self.touchpoints} touchpoints with a survey each",
            f"  {self.customers} customers ({self.churned} churned), {self.responses} responses "
            f"({self.comments} with a comment)",
            f"  {sum(self.invitations.values())} email invitations ("
            + ", ".join(f"{k} {v}" for k, v in sorted(self.invitations.items()))
            + f"); {self.unsubscribed} customers unsubscribed",
            "Planted effects (measured in the generated data):",
        ]
        lines += [f"  - {e}" for e in self.effects]
        return "\n".join(lines)


def build_demo(
    *,
    session: Session,
    responses: int = 100_000,
    customers: int = 50_000,
    seed: int = 42,
    console: Console | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Load the demo bank unless it is already there. The caller commits.

    ``now`` anchors all dates (default: the current hour), so a test can pin it
    and get identical data from the same seed.
    """
    if responses < 0 or responses > MAX_RESPONSES:
        raise ValidationFailed(
            f"responses: must be between 0 and {MAX_RESPONSES}", field="responses"
        )
    if customers < 1 or customers > MAX_RESPONSES:
        raise ValidationFailed(
            f"customers: must be between 1 and {MAX_RESPONSES}", field="customers"
        )
    if session.scalar(select(Unit.id).where(Unit.code == co.COMPANY_CODE)) is not None:
        return DemoSummary(created=False)
    started = time.perf_counter()
    anchor = (now or datetime.now(UTC)).astimezone(UTC)
    if now is None:
        anchor = anchor.replace(minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    with _progress(console) as progress:
        step = progress.add_task("Company, staff, journey", total=1)
        org = build_org(session=session, rng=rng)
        add_journey_map(session=session)
        progress.advance(step)
        step = progress.add_task("Customers", total=customers)
        branch_ids = {b.key: org.unit_ids[b.key] for b in co.BRANCHES}
        cust_rows, traits = generate_customers(
            rng, count=customers, anchor=anchor, branch_ids=branch_ids
        )
        progress.advance(step, customers)
        step = progress.add_task("Responses and comments", total=responses)
        generated = generate_responses(
            rng,
            count=responses,
            anchor=anchor,
            org=org,
            traits=traits,
            acquired=acquired_index(cust_rows),
            progress=lambda n: progress.advance(step, n),
        )
        churned = apply_churn(rng, customers=cust_rows, history=generated.history, anchor=anchor)
        first_invitation = (session.scalar(select(func.max(Invitation.id))) or 0) + 1
        invites = generate_invitations(
            rng, generated=generated, customers=cust_rows, anchor=anchor,
            first_id=first_invitation,
        )  # fmt: skip
        step = progress.add_task("Writing customers", total=customers)
        for chunk in _chunks(cust_rows):
            _insert(session, Customer.__table__, chunk)
            progress.advance(step, len(chunk))
        ids = dict(
            session.execute(
                select(Customer.external_id, Customer.id).where(
                    Customer.unit_id.in_(list(branch_ids.values()))
                )
            ).all()
        )
        customer_ids = [ids[row["external_id"]] for row in cust_rows]
        _write_invitations(session, invites, customer_ids)
        step = progress.add_task("Writing responses", total=responses)
        for start, chunk in enumerate(_chunks(generated.rows)):
            offset = start * CHUNK
            for i, row in enumerate(chunk):
                idx = generated.customer_index[offset + i]
                row["customer_id"] = customer_ids[idx] if idx is not None else None
            _insert(session, Response.__table__, chunk)
            progress.advance(step, len(chunk))
        session.flush()
    return DemoSummary(
        created=True,
        units=len(org.unit_ids),
        employees=org.employees,
        touchpoints=len(org.touchpoint_ids),
        customers=customers,
        churned=churned,
        responses=responses,
        comments=sum(1 for r in generated.rows if r["comment"]),
        invitations=invites.counts(),
        unsubscribed=invites.unsubscribed,
        seconds=time.perf_counter() - started,
        effects=measure_effects(
            session=session, generated=generated, customers=cust_rows, anchor=anchor, org=org
        ),
    )


def measure_effects(
    *, session: Session, generated: Generated, customers: list[dict], anchor: datetime, org: Org
) -> list[str]:
    """One line per planted effect with the numbers as generated (NPS in points)."""
    rows = generated.rows
    worse_from = anchor - timedelta(days=co.WORSENING_DAYS_AGO)
    better_from = anchor - timedelta(days=co.IMPROVING_DAYS_AGO)
    worse_tp = org.touchpoint_ids[co.WORSENING_TOUCHPOINT]
    better_tp = org.touchpoint_ids[co.IMPROVING_TOUCHPOINT]
    ramp_end = better_from + timedelta(days=co.IMPROVING_RAMP_DAYS)

    def nps(pred) -> str:
        scores = [r["nps"] for r in rows if r["nps"] is not None and pred(r)]
        if not scores:
            return "n/a"
        value = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
        return f"{value:+.0f} (n={len(scores)})"

    def answer(r: dict, key: str):
        return r["answers"].get(key)

    effects = [
        f"'{co.WORSENING_TOUCHPOINT}' worsens from {worse_from:%Y-%m-%d}: NPS "
        f"{nps(lambda r: r['touchpoint_id'] == worse_tp and r['submitted_at'] < worse_from)} → "
        f"{nps(lambda r: r['touchpoint_id'] == worse_tp and r['submitted_at'] >= worse_from)}; "
        "complaints turn to delivery delays",
        f"'{co.IMPROVING_TOUCHPOINT}' improves with app 6.0 from {better_from:%Y-%m-%d}: NPS "
        f"{nps(lambda r: r['touchpoint_id'] == better_tp and r['submitted_at'] < better_from)} → "
        f"{nps(lambda r: r['touchpoint_id'] == better_tp and r['submitted_at'] >= ramp_end)}; "
        "crash and login complaints give way to praise",
        "support answer issue_resolved drives NPS: yes "
        f"{nps(lambda r: answer(r, 'issue_resolved') == 'yes')}, no "
        f"{nps(lambda r: answer(r, 'issue_resolved') == 'no')}",
        "branch answer wait_minutes drives NPS: ≤10 min "
        f"{nps(lambda r: (answer(r, 'wait_minutes') or 99) <= 10)}, >20 min "
        f"{nps(lambda r: (answer(r, 'wait_minutes') or 0) > 20)}",
    ]
    total = sum(generated.praise.values())
    if total:
        names = dict(
            session.execute(
                select(Employee.id, Employee.first_name + " " + Employee.last_name).where(
                    Employee.id.in_(list(generated.praise))
                )
            ).all()
        )
        top = sorted(generated.praise.items(), key=lambda kv: -kv[1])[:4]
        share = 100 * sum(n for _, n in top) / total
        effects.append(
            f"named praise ({total} comments): {share:.0f}% name "
            + ", ".join(f"{names[e]} ({n})" for e, n in top)
        )
    with_detractor = [i for i, (bad, _) in generated.history.items() if bad is not None]
    without = [i for i, (bad, _) in generated.history.items() if bad is None]
    if with_detractor and without:
        rate_bad = sum(customers[i]["churned_at"] is not None for i in with_detractor)
        rate_ok = sum(customers[i]["churned_at"] is not None for i in without)
        effects.append(
            f"churn after a detractor answer {100 * rate_bad / len(with_detractor):.0f}% vs "
            f"{100 * rate_ok / len(without):.0f}% for customers who never gave 0–6"
        )
    return effects


def _write_invitations(session: Session, invites: DemoInvitations, customer_ids: list[int]) -> None:
    """Bulk-insert the invitations (explicit ids: responses point at them) before responses."""
    for row, idx in zip(invites.rows, invites.customer_index, strict=True):
        row["customer_id"] = customer_ids[idx]
    for chunk in _chunks(invites.rows):
        _insert(session, Invitation.__table__, chunk)
    if invites.rows and session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('invitation', 'id'), "
                "(SELECT MAX(id) FROM invitation))"
            )
        )


def _insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Bulk insert: COPY on PostgreSQL (psycopg), executemany elsewhere.

    COPY is ~5x faster than executemany on PostgreSQL; the rows carry every
    column that has a Python-side default, so skipping SQLAlchemy's defaults is safe.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        session.execute(insert(table), rows)
        return
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    dbapi = conn.connection.dbapi_connection
    names = ", ".join(f'"{c}"' for c in columns)
    with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Jsonb(row[c]) if c in json_columns else row[c] for c in columns])


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


@contextmanager
def _progress(console: Console | None) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=console is None,
        transient=False,
    )
    with progress:
        yield progress
