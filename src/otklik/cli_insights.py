"""``otklik churn``, ``drivers``, ``retention``: the insight pages on the command line.

Each command calls the same domain function as its page and API endpoint
(``/api/v1/churn-risk``, ``/drivers``, ``/retention``); JSON output is that
endpoint's document, CSV the report's list, the table a readable summary. When
there is too little data to learn from, the command says so in one line and
exits 1, rather than printing numbers it does not trust.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from pydantic import BaseModel

FORMATS = ("table", "json", "csv")

Format = Annotated[str, typer.Option("--format", help="table, json or csv.")]


def _check(name: str, value: int, low: int, high: int) -> None:
    from otklik.cli import fail

    if not low <= value <= high:
        fail(f"{name}: must be between {low} and {high}, not {value}")


def _check_format(fmt: str) -> None:
    from otklik.cli import fail

    if fmt not in FORMATS:
        fail(f"--format: unknown {fmt!r} (one of {', '.join(FORMATS)})")


def _as_of(text: str | None) -> datetime:
    """``--as-of`` as midnight UTC of that day; by default now to the hour (as the API does,
    so that repeated runs within the hour reuse the cached model)."""
    from otklik.cli import fail

    if text is None:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        fail(f"--as-of: {text!r} is not a date like 2024-03-31")
    return day.replace(tzinfo=UTC)


def table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns, two spaces apart; ``None`` as "-"."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(x) for x in [c, *(r[i] for r in cells)]) for i, c in enumerate(columns)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [list(columns), *cells]
    )


def _cell(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d}"
    return str(v)


def as_csv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue().rstrip("\n")


def _print(text: str) -> None:
    from otklik.cli import out

    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _json(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2)


# ------------------------------------------------------------------ churn

CHURN_COLUMNS = ("rank", "customer_id", "external_id", "name", "segment", "risk", "last_nps",
                 "last_response_at", "reasons")  # fmt: skip


def churn(
    top: Annotated[int, typer.Option(help="At-risk customers listed (1–500).")] = 20,
    horizon: Annotated[int, typer.Option(help="Predict leaving within this many days.")] = 90,
    min_churners: Annotated[
        int, typer.Option(help="Fewer leavers in the training window: no model.")
    ] = 50,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Score as of this day (YYYY-MM-DD); default now.")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Churn risk: held-out AUC vs a feedback-free baseline, and who is likely to leave, why.

    Reads the model the worker saved in the data directory when it is current; otherwise
    trains (seconds) and saves it. Exits 1 with one line when there are too few churners."""
    from otklik.cli import _session, fail
    from otklik.config import get_settings
    from otklik.understand.churn_risk import churn_risk_report
    from otklik.understand.churn_store import models_dir

    _check("--top", top, 1, 500)
    _check("--horizon", horizon, 7, 730)
    _check("--min-churners", min_churners, 1, 100_000)
    _check_format(fmt)
    when = _as_of(as_of)
    settings = get_settings()
    with _session(settings) as session:
        # The model the worker saved for this hour and these data is read, not retrained;
        # one trained here is saved for the pages.
        report = churn_risk_report(
            session=session, as_of=when, horizon_days=horizon, min_churners=min_churners,
            limit=top, directory=models_dir(settings.data_dir),
        )  # fmt: skip
    if not report.enough_data:
        fail(
            f"not enough churners to train a churn-risk model: {report.train_churners} "
            f"customers left in the training window ({horizon} days from "
            f"{report.as_of - 2 * timedelta(days=horizon):%Y-%m-%d}; at least {min_churners} "
            f"needed), {report.test_churners} of {report.test_customers} in the test window"
        )
    if fmt == "json":
        _print(_json(report))
        return
    rows = [
        (i, c.customer_id, c.external_id, c.name, c.segment, c.risk, c.last_nps,
         c.last_response_at, "; ".join(_reason(r) for r in c.reasons))
        for i, c in enumerate(report.at_risk, 1)
    ]  # fmt: skip
    summary = churn_summary(report)
    if fmt == "csv":
        from otklik.cli import console

        _print(as_csv(CHURN_COLUMNS, rows))
        console.print(summary, markup=False, highlight=False, soft_wrap=True)
        return
    _print(f"{summary}\n{table((*CHURN_COLUMNS[:-1], 'reasons (log-odds)'), rows)}")


def churn_summary(report) -> str:
    m, b = report.model, report.baseline
    return (
        f"AUC {m.auc:.3f} (95% CI {m.ci_low:.3f}–{m.ci_high:.3f}) vs feedback-free baseline "
        f"{b.auc:.3f} ({b.ci_low:.3f}–{b.ci_high:.3f}); held out: {report.test_customers} "
        f"customers, {report.test_churners} churners; trained on {report.train_customers} "
        f"({report.train_churners} churners); leaving within {report.horizon_days} days of "
        f"{report.as_of:%Y-%m-%d}; risk in %; {report.active_customers} active customers scored"
    )


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def _reason(r) -> str:
    value = "-" if r.value is None else r.value
    return f"{r.factor}={value} ({r.contribution:+.2f})"


# ------------------------------------------------------------------ drivers

DRIVER_COLUMNS = ("driver", "share", "n", "performance", "quadrant")


def drivers(
    outcome: Annotated[str, typer.Option(help="nps, promoter or csat.")] = "nps",
    days: Annotated[int, typer.Option(help="Responses of the last N days.")] = 365,
    touchpoint: Annotated[str | None, typer.Option(help="Only this touchpoint (code).")] = None,
    lang: Annotated[str, typer.Option(help="Label language: en or ru.")] = "en",
    top: Annotated[int | None, typer.Option(help="Only the N most important drivers.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The N days end on this day; default now.")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Key drivers of NPS or CSAT: signed shares, performance and quadrant per driver.

    Johnson's relative weights; exits 1 with one line when there is too little data."""
    from otklik.cli import _session, fail
    from otklik.config import get_settings
    from otklik.understand.drivers import driver_report

    if outcome not in ("nps", "promoter", "csat"):
        fail(f"--outcome: unknown {outcome!r} (one of nps, promoter, csat)")
    if lang not in ("en", "ru"):
        fail(f"--lang: unknown {lang!r} (en or ru)")
    _check("--days", days, 7, 3660)
    if top is not None:
        _check("--top", top, 1, 10_000)
    _check_format(fmt)
    now = _as_of(as_of)
    settings = get_settings()
    with _session(settings) as session:
        report = driver_report(
            session=session, since=now - timedelta(days=days), until=now, outcome=outcome,
            touchpoint=touchpoint or None, min_n=settings.min_n, lang=lang,
        )  # fmt: skip
    if not report.enough_data:
        fail(
            f"no key drivers: {report.reason.replace('_', ' ')} ({report.responses} responses "
            f"with {outcome} in the last {days} days; minimum n {report.min_n})"
        )
    shown = report.drivers[:top] if top else report.drivers
    if fmt == "json":
        _print(_json(report.model_copy(update={"drivers": shown})))
        return
    rows = [(d.label, d.share, d.n, d.performance, d.quadrant) for d in shown]
    if fmt == "csv":
        keyed = [(d.key, *r) for d, r in zip(shown, rows, strict=True)]
        _print(as_csv(("key", *DRIVER_COLUMNS), keyed))
        return
    perf = "NPS" if report.performance_metric == "nps" else "CSAT top-2 %"
    _print(
        f"{table(DRIVER_COLUMNS, rows)}\n"
        f"shares of R² {report.r2:g} in % (sign: direction of the effect); performance: {perf} "
        f"(overall {_cell(report.overall_performance)}); {report.responses} responses, "
        f"{report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}"
    )


# ------------------------------------------------------------------ retention

RETENTION_COLUMNS = ("start", "customers_start", "customers_end", "new", "lost",
                     "retention_rate", "churn_rate", "churn_ci_low", "churn_ci_high")  # fmt: skip


def retention(
    period: Annotated[str, typer.Option(help="month or quarter.")] = "month",
    periods: Annotated[int, typer.Option(help="Complete periods to show.")] = 12,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Periods complete by this day; default now.")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Retention and churn per period, and churn rate by NPS category.

    Retention = (E − N) / S × 100 per complete period; detractors vs promoters tested."""
    from otklik.cli import _session, fail
    from otklik.config import get_settings
    from otklik.understand.retention import churn_by_nps, retention_series

    if period not in ("month", "quarter"):
        fail(f"--period: unknown {period!r} (month or quarter)")
    _check("--periods", periods, 1, 120)
    _check_format(fmt)
    when = _as_of(as_of)
    settings = get_settings()
    with _session(settings) as session:
        series = retention_series(session=session, as_of=when, period=period, periods=periods)
        by_nps = churn_by_nps(session=session, as_of=when, min_n=settings.min_n)
    if fmt == "json":
        _print(
            json.dumps(
                {
                    "retention": series.model_dump(mode="json"),
                    "churn_by_nps": by_nps.model_dump(mode="json"),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [tuple(getattr(p, c) for c in RETENTION_COLUMNS) for p in series.periods]
    if fmt == "csv":
        _print(as_csv(RETENTION_COLUMNS, [(f"{r[0]:%Y-%m-%d}", *r[1:]) for r in rows]))
        return
    lines = [table(RETENTION_COLUMNS, rows), "churn by latest NPS answer:"]
    categories = [
        (c.category, c.customers, c.churned, c.churn_rate, c.ci_low, c.ci_high)
        for c in by_nps.categories
    ]
    header = ("category", "customers", "churned", "churn_rate", "ci_low", "ci_high")
    lines.append(table(header, categories))
    test = by_nps.detractor_vs_promoter
    if test is not None:
        ratio = f", {test.ratio:g}× as often" if test.ratio is not None else ""
        verdict = "significant" if test.significant else "not significant"
        lines.append(
            f"detractors − promoters: {test.difference:+g} points "
            f"(95% CI {test.ci_low:g} – {test.ci_high:g}){ratio}; {_p(test.p_value)}, "
            f"{verdict}"
        )
    else:
        lines.append(f"detractors vs promoters: not enough data (each needs n ≥ {by_nps.min_n})")
    _print("\n".join(lines))
