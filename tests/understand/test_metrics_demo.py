"""On the demo bank, the planted effects come out as significant changes on the dashboard's
data (the same function renders /dashboard): a touchpoint worsening ~4 months ago and one
improving ~6 months ago."""

from __future__ import annotations

from datetime import UTC, datetime

from otklik.demo import build_demo
from otklik.demo import company as co
from otklik.understand.dashboard import build_dashboard

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_planted_worsening_and_improvement_are_significant(session, engine, tmp_path):
    build_demo(session=session, responses=8_000, customers=4_000, seed=7, now=NOW)
    session.commit()
    # 150 days against the 150 before them: the worsening (120 days ago) and the improvement
    # (180 days ago) fall between the two windows.
    d = build_dashboard(session=session, now=NOW, days=150, by="touchpoint")
    rows = {r.keys["touchpoint"]: r for r in d.breakdown.rows}
    worse = rows[co.WORSENING_TOUCHPOINT].change
    assert worse.significant and worse.direction == "down" and worse.q_value < 0.05
    assert worse.difference < -20
    better = rows[co.IMPROVING_TOUCHPOINT].change
    assert better.significant and better.direction == "up" and better.difference > 20
    # The monthly trend of the worsening touchpoint drops after the change.
    trend = build_dashboard(session=session, now=NOW, days=150, by="touchpoint",
                            filters={"touchpoint": [co.WORSENING_TOUCHPOINT]}).trend  # fmt: skip
    before = [p.metric for p in trend if p.start < datetime(2026, 1, 1, tzinfo=UTC)]
    after = [p.metric for p in trend if p.start >= datetime(2026, 2, 1, tzinfo=UTC)]

    def mean(ms):
        """Pooled NPS share (promoters − detractors) / n over the months given."""
        scored = [m for m in ms if m.n]
        return sum(m.promoters - m.detractors for m in scored) / sum(m.n for m in scored)

    assert mean(after) < mean(before) - 0.15
