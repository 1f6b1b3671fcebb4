"""Analyse stored comments and keep the results in the enrichment tables.

Used by the background job (new responses, in batches), by ``otklik text run``
(bulk re-analysis) and by tests. A response counts as analysed when it has a
``response_text`` row of the current model version; a new model, a retrain or
a taxonomy edit changes the version, so a plain re-run picks up the stale rows.
Analyst corrections always win over the model (re-applied after each run).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import monotonic

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from otklik.listen.models import Response
from otklik.org.models import Employee as EmployeeRow
from otklik.understand.comments.models import (
    EmployeeMention,
    ResponseText,
    ResponseTheme,
    TextCorrection,
    TextTheme,
)
from otklik.understand.text import (
    DEFAULT_TAXONOMY,
    Employee,
    EmployeeDirectory,
    Taxonomy,
    TextAnalyzer,
    Theme,
)

BATCH = 128
_lock = threading.Lock()
_analyzers: dict[tuple[str, str, str], TextAnalyzer] = {}


def ensure_taxonomy(session: Session) -> None:
    """Seed the default themes into an empty taxonomy table (the migration does it too)."""
    if session.scalar(select(func.count()).select_from(TextTheme)):
        return
    session.add_all(default_theme(t) for t in DEFAULT_TAXONOMY.themes)
    session.flush()


def default_theme(theme: Theme) -> TextTheme:
    """A shipped default theme as a stored row (origin "default")."""
    return TextTheme(
        key=theme.key,
        name_ru=theme.name_ru,
        name_en=theme.name_en,
        keywords=list(theme.keywords),
        examples=list(theme.examples),
        origin="default",
    )


def load_taxonomy(session: Session) -> tuple[Taxonomy, dict[str, int]]:
    """The active themes as a `Taxonomy`, and theme key → row id."""
    ensure_taxonomy(session)
    rows = session.scalars(select(TextTheme).where(TextTheme.active).order_by(TextTheme.id)).all()
    themes = tuple(
        Theme(r.key, r.name_ru, r.name_en, tuple(r.keywords), tuple(r.examples)) for r in rows
    )
    return Taxonomy(themes), {r.key: r.id for r in rows}


def load_directory(session: Session) -> EmployeeDirectory:
    rows = session.execute(
        select(
            EmployeeRow.id, EmployeeRow.first_name, EmployeeRow.last_name, EmployeeRow.aliases
        ).where(EmployeeRow.active)
    ).all()
    return EmployeeDirectory(
        Employee(str(i), f"{first} {last}".strip(), tuple(aliases or ()))
        for i, first, last, aliases in rows
    )


def local_model_path(data_dir: Path) -> Path:
    """Where `otklik text retrain` writes this installation's sentiment model."""
    return data_dir / "text_model" / "sentiment_local.npz"


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def model_version(taxonomy: Taxonomy, local_model: Path | None = None) -> str:
    """Changes when the shipped models, the local retrain or the taxonomy change."""
    from importlib.resources import files

    data = files("otklik.understand.text") / "data"
    models = [(data / n).read_bytes() for n in ("sentiment_e5.npz", "sentiment_ngram.npz")]
    if local_model is not None and local_model.exists():
        models.append(local_model.read_bytes())
    model_hash = hashlib.sha256(b"".join(models)).hexdigest()[:8]
    return f"m{model_hash}-t{_digest(taxonomy.to_dict())[:8]}"


def get_analyzer(
    session: Session, *, data_dir: Path | None = None
) -> tuple[TextAnalyzer, str, dict[str, int]]:
    """A loaded analyzer for the current taxonomy and employee directory (cached per process)."""
    from otklik.understand.text.sentiment import SentimentModel

    taxonomy, ids = load_taxonomy(session)
    directory = load_directory(session)
    local = local_model_path(data_dir) if data_dir else None
    version = model_version(taxonomy, local)
    key = (
        version,
        _digest(sorted((e.id, e.name, e.aliases) for e in directory.employees.values())),
        str(local),
    )
    with _lock:
        analyzer = _analyzers.get(key)
        if analyzer is None:
            model = SentimentModel(str(local)) if local and local.exists() else None
            analyzer = TextAnalyzer(taxonomy=taxonomy, directory=directory, sentiment_model=model)
            _analyzers.clear()  # one live configuration per process
            _analyzers[key] = analyzer
    return analyzer, version, ids


def pending_ids(
    session: Session, *, version: str, everything: bool = False, since: datetime | None = None
) -> list[int]:
    """Responses with a comment that have no current analysis (or all, with `everything`)."""
    stmt = select(Response.id).where(Response.comment.is_not(None), Response.comment != "")
    if since is not None:
        stmt = stmt.where(Response.submitted_at >= since)
    if not everything:
        current = exists().where(
            ResponseText.response_id == Response.id, ResponseText.model_version == version
        )
        stmt = stmt.where(~current)
    return list(session.scalars(stmt.order_by(Response.id)))


def spread(ids: list[int]) -> list[int]:
    """Ids in an order whose every prefix is an even sample of the whole period
    (1st, then every 2^k-th …): a long backfill shows trends from its first minutes."""

    def level(i: int) -> int:
        return ((i + 1) & -(i + 1)).bit_length()  # 1 + trailing zeros of i + 1

    return [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-level(i), i))]


@dataclass
class RunReport:
    analysed: int = 0
    redacted: int = 0  # comments whose stored text changed (PII removed)
    version: str = ""


def analyse_responses(
    *,
    session: Session,
    redact_stored: bool = True,
    everything: bool = False,
    since: datetime | None = None,
    limit: int | None = None,
    seconds: float | None = None,
    data_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Analyse pending comments in batches, committing after each batch.

    ``seconds`` bounds a run: no batch starts after it (the first always does), so a
    periodic job ends before its next turn and the rest waits for that turn.
    """
    analyzer, version, theme_ids = get_analyzer(session, data_dir=data_dir)
    ids = spread(pending_ids(session, version=version, everything=everything, since=since))
    if limit is not None:
        ids = ids[:limit]
    report = RunReport(version=version)
    fetched: deque[list] = deque()  # rows read, waiting for their results

    deadline = None if seconds is None else monotonic() + seconds

    def comments() -> Iterator[list[str | None]]:
        for start in range(0, len(ids), BATCH):
            if start and deadline is not None and monotonic() >= deadline:
                return
            chunk = ids[start : start + BATCH]
            rows = session.execute(
                select(Response.id, Response.comment).where(Response.id.in_(chunk))
            ).all()
            fetched.append(rows)
            yield [c for _, c in rows]

    # Storing one batch overlaps the embedding of the next (`analyze_batches`).
    for results in analyzer.analyze_batches(comments()):
        rows = fetched.popleft()
        _store(session, rows, results, version=version, theme_ids=theme_ids)
        if redact_stored:
            for (rid, comment), res in zip(rows, results, strict=True):
                if res.redacted_text != comment and not res.truncated:
                    session.execute(
                        update(Response).where(Response.id == rid).values(comment=res.redacted_text)
                    )
                    report.redacted += 1
                elif res.truncated and res.pii_counts:
                    # Keep the part past the analysis window, redacted as well.
                    from otklik.understand.text import redact

                    session.execute(
                        update(Response)
                        .where(Response.id == rid)
                        .values(comment=redact(comment).text)
                    )
                    report.redacted += 1
        apply_corrections(session, [rid for rid, _ in rows], theme_ids=theme_ids)
        session.commit()
        report.analysed += len(rows)
        if progress:
            progress(report.analysed, len(ids))
    return report


def _store(session: Session, rows, results, *, version: str, theme_ids: dict[str, int]) -> None:
    chunk = [rid for rid, _ in rows]
    for table in (ResponseTheme, EmployeeMention, ResponseText):
        session.execute(delete(table).where(table.response_id.in_(chunk)))
    employees = {str(i) for i in session.scalars(select(EmployeeRow.id))}
    for (rid, _), res in zip(rows, results, strict=True):
        session.add(
            ResponseText(
                response_id=rid,
                language=res.language,
                mixed_language=res.mixed_language,
                sentiment=res.sentiment.label,
                sentiment_score=res.sentiment.score,
                redacted_text=res.redacted_text,
                pii_counts=dict(res.pii_counts),
                truncated=res.truncated,
                model_version=version,
            )
        )
        for t in res.themes:
            if t.key in theme_ids:
                session.add(
                    ResponseTheme(
                        response_id=rid,
                        theme_id=theme_ids[t.key],
                        sentiment=t.sentiment.label,
                        sentiment_score=t.sentiment.score,
                        via=t.via,
                        terms=list(t.terms),
                    )
                )
        for m in res.mentions:
            if m.employee_id and m.employee_id in employees:
                session.add(
                    EmployeeMention(
                        response_id=rid,
                        employee_id=int(m.employee_id),
                        start=m.start,
                        end=m.end,
                        span=m.text[:200],
                        matched_by=m.matched_by,
                    )
                )
    session.flush()


SCORES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


def apply_corrections(
    session: Session, response_ids: Iterable[int], *, theme_ids: dict[str, int]
) -> None:
    """Make the latest analyst labels of these responses win over the model's."""
    ids = list(response_ids)
    latest: dict[int, dict[str, object]] = {}
    for c in session.scalars(
        select(TextCorrection)
        .where(TextCorrection.response_id.in_(ids))
        .order_by(TextCorrection.id)
    ):
        entry = latest.setdefault(c.response_id, {})
        if c.sentiment:
            entry["sentiment"] = c.sentiment
        if c.themes is not None:
            entry["themes"] = list(c.themes)
    for rid, entry in latest.items():
        values: dict[str, object] = {"corrected": True}
        if "sentiment" in entry:
            values |= {
                "sentiment": entry["sentiment"],
                "sentiment_score": SCORES[str(entry["sentiment"])],
            }
        session.execute(
            update(ResponseText).where(ResponseText.response_id == rid).values(**values)
        )
        if "themes" in entry:
            keep = {theme_ids[k] for k in entry["themes"] if k in theme_ids}  # type: ignore[union-attr]
            current = {
                r.theme_id: r
                for r in session.scalars(
                    select(ResponseTheme).where(ResponseTheme.response_id == rid)
                )
            }
            for tid, row in current.items():
                if tid not in keep:
                    session.delete(row)
            label = str(
                entry.get("sentiment")
                or session.scalar(
                    select(ResponseText.sentiment).where(ResponseText.response_id == rid)
                )
                or "neutral"
            )
            for tid in keep - set(current):
                session.add(
                    ResponseTheme(
                        response_id=rid,
                        theme_id=tid,
                        sentiment=label,
                        sentiment_score=SCORES.get(label, 0.0),
                        via="analyst",
                        terms=[],
                    )
                )
    session.flush()
