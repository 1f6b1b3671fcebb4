"""The journey map as files: a standalone SVG (drawn here, server-side), PNG and PDF
rendered from that SVG by cairosvg (libcairo2, no browser), and Mermaid ``journey`` text.

One drawing serves every format, so the PNG in a slide deck and the PDF in a
board pack show the same numbers as the page. Texts are XML-escaped; fonts
fall back to DejaVu Sans (Debian's default, with Cyrillic).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from otklik.understand.journey import JourneyMap, TouchpointOnMap

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
LANE_W, COL_W, PAD = 150, 230, 20
CARD_H, CARD_GAP = 50, 8
GOOD, OKAY, BAD, NONE = "#dff3e6", "#fff4d6", "#fde3e0", "#f1f3f6"
STROKE = {"good": "#2e9e5b", "okay": "#c99a06", "bad": "#d6453b", "none": "#aab3c0"}


def _t(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _tone(tp: TouchpointOnMap) -> str:
    """good / okay / bad from the touchpoint's headline metric (NPS, else CSAT, else CES)."""
    for metric, (bad, good) in (("nps", (0, 30)), ("csat", (70, 85)), ("ces", (4.5, 5.5))):
        row = tp.metrics.get(metric)
        if row and row.metric.enough_data:
            v = row.metric.value
            return "bad" if v < bad else ("good" if v >= good else "okay")
    return "none"


def headline(tp: TouchpointOnMap) -> tuple[str, str, str] | None:
    """(metric name, value text, trend arrow) of the first metric with enough data."""
    for metric in ("nps", "csat", "ces"):
        row = tp.metrics.get(metric)
        if row and row.metric.enough_data:
            fmt = "{:.2f}" if metric == "ces" else "{:+.0f}" if metric == "nps" else "{:.0f}%"
            ch = row.change
            arrow = ""
            if ch and ch.difference is not None:
                arrow = "▲" if ch.difference > 0 else "▼"
                arrow = arrow if ch.significant else ("↗" if ch.difference > 0 else "↘")
            return metric.upper(), fmt.format(row.metric.value), arrow
    return None


def render_svg(m: JourneyMap, *, t=lambda key, **kw: key) -> str:
    """A standalone SVG document of the map (``t`` translates the few labels)."""
    n = max(len(m.stages), 1)
    width = PAD * 2 + LANE_W + n * COL_W
    out: list[str] = []
    y = PAD

    def col_x(i: int) -> float:
        return PAD + LANE_W + i * COL_W

    out.append(f'<text x="{PAD}" y="{y + 22}" class="h1">{_t(m.label, 90)}</text>')
    period = f"{m.since:%Y-%m-%d} – {m.until:%Y-%m-%d}"
    out.append(
        f'<text x="{PAD}" y="{y + 42}" class="sub">{escape(period)} · '
        f"{escape(t('jm.vs'))} {m.compare_since:%Y-%m-%d} – {m.compare_until:%Y-%m-%d}"
        "</text>"
    )
    y += 60
    # Stage headers.
    for i, s in enumerate(m.stages):
        x = col_x(i)
        out.append(
            f'<rect x="{x + 4}" y="{y}" width="{COL_W - 8}" height="44" rx="8" class="stage"/>'
        )
        out.append(f'<text x="{x + 14}" y="{y + 19}" class="stage-name">{_t(s.label, 24)}</text>')
        nps = s.metrics.get("nps")
        sub = (
            f"NPS {nps.metric.value:+.0f} · n={nps.metric.n}"
            if nps and nps.metric.enough_data
            else t("home.not_enough")
        )
        out.append(f'<text x="{x + 14}" y="{y + 36}" class="small">{escape(sub)}</text>')
    y += 56
    y = _emotion(out, m, y, col_x, t)
    # Lanes: one per channel; cards stacked in each stage's cell.
    for channel in m.channels:
        cells = [[tp for tp in s.touchpoints if tp.channel == channel] for s in m.stages]
        rows = max((len(c) for c in cells), default=0) or 1
        lane_h = rows * (CARD_H + CARD_GAP) + CARD_GAP
        out.append(
            f'<rect x="{PAD}" y="{y}" width="{width - 2 * PAD}" height="{lane_h}" class="lane"/>'
        )
        label = t(f"channel.{channel}")
        label = channel if label.startswith("channel.") else label
        out.append(f'<text x="{PAD + 10}" y="{y + 22}" class="lane-name">{_t(label, 18)}</text>')
        for i, cell in enumerate(cells):
            for k, tp in enumerate(cell):
                _card(out, tp, col_x(i) + 6, y + CARD_GAP + k * (CARD_H + CARD_GAP), t)
        y += lane_h + 4
    y = _pains(out, m, y + 14, t)
    height = y + PAD
    style = (
        f"text{{font-family:{FONT};fill:#1d2330}} .h1{{font-size:20px;font-weight:700}}"
        " .sub,.small{font-size:11px;fill:#545d6e} .stage{fill:#1d5fd6}"
        " .stage-name{font-size:13px;font-weight:700;fill:#fff} .stage+text+text{fill:#fff}"
        " .lane{fill:#fafbfc;stroke:#dde1e7} .lane-name{font-size:12px;font-weight:700;"
        "fill:#545d6e} .card-name{font-size:11.5px;font-weight:600} .card-num{font-size:12px;"
        "font-weight:700} .badge{fill:#b42318} .badge-t{font-size:11px;font-weight:700;"
        "fill:#fff} .axis{stroke:#c5ccd6;stroke-dasharray:3 3} .band{fill:#1d5fd6;"
        "fill-opacity:.15} .curve{fill:none;stroke:#1d5fd6;stroke-width:2.5}"
        " .h2{font-size:15px;font-weight:700}"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(m.label)}>'
        f"<title>{escape(m.label)}</title><style>{style}</style>"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(out) + "</svg>\n"
    )


def _emotion(out: list[str], m: JourneyMap, y: float, col_x, t) -> float:
    h = 110
    top, mid = y + 10, y + 10 + (h - 20) / 2

    def ey(v: float) -> float:
        return mid - v * (h - 20) / 4

    out.append(
        f'<text x="{PAD + 10}" y="{y + 22}" class="lane-name">{_t(t("jm.emotion"), 20)}</text>'
    )
    out.append(f'<text x="{PAD + 10}" y="{y + 38}" class="small">−2 … +2</text>')
    x0, x1 = col_x(0), col_x(len(m.stages))
    for v in (-2, 0, 2):
        out.append(f'<line x1="{x0}" x2="{x1}" y1="{ey(v)}" y2="{ey(v)}" class="axis"/>')
    pts = [
        (col_x(i) + COL_W / 2, s.emotion)
        for i, s in enumerate(m.stages)
        if s.emotion.value is not None
    ]
    if len(pts) >= 1:
        upper = [f"{x:.1f},{ey(e.high if e.high is not None else e.value):.1f}" for x, e in pts]
        lower = [f"{x:.1f},{ey(e.low if e.low is not None else e.value):.1f}" for x, e in pts]
        out.append(f'<polygon points="{" ".join(upper + lower[::-1])}" class="band"/>')
        line = " ".join(f"{x:.1f},{ey(e.value):.1f}" for x, e in pts)
        out.append(f'<polyline points="{line}" class="curve"/>')
        for x, e in pts:
            color = "#2e9e5b" if e.value >= 0.5 else ("#d6453b" if e.value < 0 else "#c99a06")
            out.append(f'<circle cx="{x:.1f}" cy="{ey(e.value):.1f}" r="5" fill="{color}"/>')
            out.append(
                f'<text x="{x + 8:.1f}" y="{ey(e.value) - 7:.1f}" class="small">'
                f"{e.value:+.2f}</text>"
            )
    _ = top
    return y + h + 8


def _card(out: list[str], tp: TouchpointOnMap, x: float, y: float, t) -> None:
    tone = _tone(tp)
    fill = {"good": GOOD, "okay": OKAY, "bad": BAD, "none": NONE}[tone]
    w = COL_W - 12
    out.append(
        f'<rect x="{x}" y="{y}" width="{w}" height="{CARD_H}" rx="6" fill="{fill}" '
        f'stroke="{STROKE[tone]}"/>'
    )
    out.append(f'<text x="{x + 8}" y="{y + 18}" class="card-name">{_t(tp.label, 28)}</text>')
    head = headline(tp)
    n = max((r.metric.n for r in tp.metrics.values()), default=0)
    text = f"{head[0]} {head[1]} {head[2]}" if head else t("home.not_enough")
    out.append(f'<text x="{x + 8}" y="{y + 38}" class="card-num">{escape(text)}</text>')
    out.append(f'<text x="{x + w - 8}" y="{y + 38}" class="small" text-anchor="end">n={n}</text>')
    if tp.pain_rank is not None and tp.pain_rank <= 3:
        out.append(f'<circle cx="{x + w - 4}" cy="{y + 4}" r="11" class="badge"/>')
        out.append(
            f'<text x="{x + w - 4}" y="{y + 8}" class="badge-t" text-anchor="middle">'
            f"#{tp.pain_rank}</text>"
        )


def _pains(out: list[str], m: JourneyMap, y: float, t) -> float:
    out.append(f'<text x="{PAD}" y="{y + 4}" class="h2">{_t(t("jm.pain_points"), 60)}</text>')
    y += 16
    if not m.pain_points:
        out.append(f'<text x="{PAD}" y="{y + 14}" class="small">{_t(t("jm.no_pain"), 120)}</text>')
        return y + 24
    top = m.pain_points[0].impact or 1.0
    for p in m.pain_points[:5]:
        y += 22
        bar = 220 * (p.impact or 0) / top
        out.append(f'<text x="{PAD}" y="{y}" class="card-num">#{p.rank}</text>')
        out.append(f'<text x="{PAD + 30}" y="{y}" class="card-name">{_t(p.label, 40)}</text>')
        out.append(
            f'<rect x="{PAD + 330}" y="{y - 11}" width="{bar:.1f}" height="12" rx="3" '
            'fill="#d6453b"/>'
        )
        why = f"{p.impact:.1f} = {p.driver_weight:.3f} × {100 * p.unhappy_share:.0f}% × {p.volume}"
        out.append(f'<text x="{PAD + 560}" y="{y}" class="small">{escape(why)}</text>')
    return y + 8


# --- Mermaid -----------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[:;#\n\r]+")


def mermaid_score(tp: TouchpointOnMap) -> int:
    """1–5 for Mermaid: NPS ÷ 25 around 3 (−50 → 1, +50 → 5: real NPS rarely leaves ±60),
    else CSAT % ÷ 25 + 1, else CES 1…7 spread onto 1…5; 3 = no data."""
    for metric in ("nps", "csat", "ces"):
        row = tp.metrics.get(metric)
        if row and row.metric.enough_data:
            v = row.metric.value
            score = {"nps": 3 + v / 25, "csat": 1 + v / 25, "ces": 1 + (v - 1) * 4 / 6}[metric]
            return max(1, min(5, round(score)))
    return 3


def render_mermaid(m: JourneyMap) -> str:
    """Mermaid ``journey`` text: one section per stage, one task per touchpoint."""

    def clean(text: str) -> str:
        return " ".join(_UNSAFE.sub(" ", text).split()) or "-"

    actors = ", ".join(clean(p.name) for p in m.personas) or "Customer"
    lines = ["journey", f"    title {clean(m.label)}"]
    for s in m.stages:
        if not s.touchpoints:
            continue
        lines.append(f"    section {clean(s.label)}")
        for tp in s.touchpoints:
            lines.append(f"      {clean(tp.label)}: {mermaid_score(tp)}: {actors}")
    return "\n".join(lines) + "\n"


def render_png(svg: str, *, scale: float = 1.5) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)


def render_pdf(svg: str) -> bytes:
    import cairosvg

    return cairosvg.svg2pdf(bytestring=svg.encode("utf-8"))
