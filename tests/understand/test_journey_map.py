"""The journey map's data: numbers equal the metrics engine's, pain points ranked as computed
by hand, emotion scale, exports (SVG well-formed, Mermaid syntax), and the demo's planted
effects (SQLite + PostgreSQL)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from otklik.listen.models import Response
from otklik.understand.journey import (
    build_journey_map,
    emotion,
    to_emotion,
    touchpoint_driver_weights,
)
from otklik.understand.journey_export import render_mermaid, render_pdf, render_png, render_svg
from otklik.understand.journey_pain import PainInput, rank_pain_points
from otklik.understand.report import breakdown
from otklik.understand.stats import NpsCounts

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def _answers(session, tp, scores, *, days_ago, comment=None, csat=None):
    for i, score in enumerate(scores):
        session.add(Response(touchpoint_id=tp.id, nps=score, csat=csat, source="api",
                             comment=comment, submitted_at=NOW - timedelta(days=days_ago,
                                                                           hours=i)))  # fmt: skip


@pytest.fixture
def filled(session, seed):
    """web-apply: NPS +30 now (n 60); branch-visit: NPS −40 now, +20 before; support-chat: 12
    answers only (below min_n 30)."""
    tps = seed["touchpoints"]
    _answers(session, tps["web-apply"], [10] * 30 + [8] * 12 + [3] * 18, days_ago=10,
             comment="Долго ждал курьера, звоните 8 916 123-45-67", csat=5)  # fmt: skip
    _answers(session, tps["branch-visit"], [10] * 6 + [7] * 6 + [2] * 18, days_ago=20)
    _answers(session, tps["branch-visit"], [10] * 15 + [7] * 9 + [4] * 6, days_ago=150)
    _answers(session, tps["support-chat"], [9] * 12, days_ago=5)
    session.commit()
    return seed


def test_map_numbers_equal_the_metrics_engine_for_the_same_filters(session, filled):
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120)
    for metric in ("nps", "csat", "ces"):
        ref = breakdown(session=session, metric=metric, since=m.since, until=m.until,
                        by=("touchpoint",), filters={"journey": ["onboarding"]},
                        compare_since=m.compare_since, compare_until=m.compare_until)  # fmt: skip
        expected = {r.keys["touchpoint"]: r for r in ref.rows}
        shown = {tp.code: tp.metrics[metric] for s in m.stages for tp in s.touchpoints
                 if metric in tp.metrics}  # fmt: skip
        assert shown == {k: v for k, v in expected.items() if v.metric.n or v.change.previous.n}
        assert m.totals[metric] == ref.total
    branch = next(tp for tp in m.stages[0].touchpoints if tp.code == "branch-visit")
    nps = branch.metrics["nps"]
    assert nps.metric.value == pytest.approx(-40.0) and nps.metric.n == 30
    assert nps.change.previous.value == pytest.approx(30.0)
    assert nps.change.significant and nps.change.direction == "down"
    chat = m.stages[1].touchpoints[0]
    assert not chat.metrics["nps"].metric.enough_data and chat.metrics["nps"].metric.value is None


def test_stage_emotion_is_nps_over_fifty_with_its_interval(session, filled):
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120)
    apply = m.stages[0]
    stage_nps = apply.metrics["nps"].metric
    # Stage Apply now: 30 + 6 promoters, 18 + 18 detractors of 90 answers → NPS 0.
    assert stage_nps.value == pytest.approx(0.0)
    assert apply.emotion.basis == "nps" and apply.emotion.value == pytest.approx(0.0)
    assert apply.emotion.low == pytest.approx(stage_nps.ci_low / 50, abs=1e-3)
    assert apply.emotion.high == pytest.approx(stage_nps.ci_high / 50, abs=1e-3)
    assert to_emotion("csat", 75.0) == 1.0 and to_emotion("ces", 7.0) == 2.0
    assert to_emotion("nps", -100.0) == -2.0
    assert m.stages[1].emotion.basis is None  # 12 answers only
    assert emotion({}).value is None


def test_pain_points_rank_by_weight_times_unhappy_share_times_volume():
    # Hand computation: impact = |weight| × detractors / answers × responses.
    inputs = [
        PainInput("a", "A", "S1", weight=-0.50, unhappy=20, answers=100, volume=120),  # 12.0
        PainInput("b", "B", "S1", weight=-0.10, unhappy=150, answers=300, volume=400),  # 20.0
        PainInput("c", "C", "S2", weight=-0.40, unhappy=10, answers=50, volume=50),  # 4.0
        PainInput("d", "D", "S2", weight=0.30, unhappy=40, answers=100, volume=100),  # lifts
        PainInput("e", "E", "S2", weight=-0.90, unhappy=5, answers=10, volume=10),  # n < 30
        PainInput("f", "F", "S3", weight=None, unhappy=9, answers=40, volume=40),
    ]
    ranked, rest = rank_pain_points(inputs, min_n=30)
    assert [(p.code, p.rank) for p in ranked] == [("b", 1), ("a", 2), ("c", 3)]
    assert [p.impact for p in ranked] == pytest.approx([20.0, 12.0, 4.0])
    b = ranked[0]
    assert (b.driver_weight, b.unhappy_share, b.volume) == (0.10, 0.5, 400)
    assert {p.code: p.reason for p in rest} == {
        "d": "lifts_nps", "e": "not_enough_data", "f": "no_driver_weight"}  # fmt: skip


def test_touchpoint_driver_weights_split_between_touchpoint_variance():
    # Two touchpoints: the whole explained variance is theirs, halves by symmetry of a
    # 2-group design; the worse one is signed down.
    counts = {"good": NpsCounts(n=100, promoters=60, detractors=10),
              "bad": NpsCounts(n=100, promoters=20, detractors=50)}  # fmt: skip
    w = touchpoint_driver_weights(counts)
    assert w["good"] == pytest.approx(0.5) and w["bad"] == pytest.approx(-0.5)
    # Three groups: weights add up to 1 in absolute value, the below-average ones are negative.
    counts["mid"] = NpsCounts(n=300, promoters=120, detractors=90)
    w = touchpoint_driver_weights(counts)
    assert sum(abs(v) for v in w.values()) == pytest.approx(1.0)
    assert w["bad"] < 0 < w["good"]
    assert touchpoint_driver_weights({"only": counts["good"]}) == {}


def test_map_ranks_the_touchpoint_that_drags_nps_down_first(session, filled):
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120)
    assert [p.code for p in m.pain_points] == ["branch-visit"]
    p = m.pain_points[0]
    # The weights come from every touchpoint with NPS answers in the period (support-chat too).
    w = touchpoint_driver_weights({
        "web-apply": NpsCounts(n=60, promoters=30, detractors=18),
        "branch-visit": NpsCounts(n=30, promoters=6, detractors=18),
        "support-chat": NpsCounts(n=12, promoters=12, detractors=0)})  # fmt: skip
    assert p.driver_weight == pytest.approx(abs(w["branch-visit"]))
    assert p.impact == pytest.approx(abs(w["branch-visit"]) * 18 / 30 * 30)
    reasons = {r.code: r.reason for r in m.not_ranked}
    assert reasons == {"web-apply": "lifts_nps", "support-chat": "not_enough_data"}


def test_voice_quotes_are_redacted_and_themed(session, filled):
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120)
    voice = m.stages[0].voice
    assert voice.comments == 60
    assert voice.quotes and all("916" not in q.text and "[PHONE]" in q.text for q in voice.quotes)
    assert voice.themes and voice.themes[0].comments == 60


def test_svg_export_is_a_well_formed_standalone_document(session, filled):
    filled["journey"].name = 'Onboarding <script>alert("x")</script> & co'
    session.commit()
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120)
    svg = render_svg(m)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
    assert (x, y) == (0, 0) and w == float(root.attrib["width"]) and h > 300
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert m.label in texts[0] and "<script>" in texts[0]  # escaped in XML, intact as text
    assert root.find(f"{SVG}script") is None
    assert any("Branch visit" in t for t in texts)
    # Every stage gets a header box, and the pain point carries its rank.
    assert sum(1 for r in root.iter(f"{SVG}rect") if r.get("class") == "stage") == 2
    assert "#1" in texts
    assert render_png(svg)[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_pdf(svg)[:5] == b"%PDF-"


def test_mermaid_export_is_journey_syntax_with_scores_one_to_five(session, filled):
    filled["touchpoints"]["web-apply"].name = "Apply: online; #1"
    session.commit()
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120)
    lines = render_mermaid(m).splitlines()
    assert lines[0] == "journey" and lines[1] == "    title Onboarding"
    assert [ln.strip() for ln in lines if ln.strip().startswith("section")] == [
        "section Apply", "section Use"]  # fmt: skip
    tasks = [ln.strip() for ln in lines[2:] if not ln.strip().startswith("section")]
    for task in tasks:
        name, score, actor = task.split(": ")
        assert 1 <= int(score) <= 5 and actor == "Customer" and ":" not in name
    scores = dict((t.split(": ")[0], int(t.split(": ")[1])) for t in tasks)
    assert scores["Apply online 1"] == 4  # NPS +20 → 3 + 20/25 = 3.8 → 4
    assert scores["Branch visit"] == 1  # NPS −40 → 1.4 → 1
    assert scores["Support chat"] == 3  # not enough data


def test_demo_map_shows_courier_as_top_pain_point_and_app_login_improving(session):
    from otklik.demo import build_demo

    build_demo(session=session, responses=8_000, customers=4_000, seed=7, now=NOW)
    session.commit()
    m = build_journey_map(session=session, slug="debit-card", now=NOW)
    assert m.pain_points[0].code == "courier-delivery"
    tps = {tp.code: tp for s in m.stages for tp in s.touchpoints}
    assert tps["courier-delivery"].pain_rank == 1
    worse = tps["courier-delivery"].metrics["nps"].change
    assert worse.significant and worse.direction == "down"
    better = tps["app-login"].metrics["nps"].change
    assert better.significant and better.direction == "up"
    assert not math.isnan(m.stages[0].emotion.value)
    onboarding = next(s for s in m.stages if any(t.code == "courier-delivery"
                                                 for t in s.touchpoints))  # fmt: skip
    assert "delivery" in [t.key for t in onboarding.voice.themes]
    # The demo's map is filled in: personas, backstage owners, targets and ideas.
    assert [p.slug for p in m.personas] == ["young-professional", "pensioner"]
    assert all(s.backstage and s.backstage_unit for s in m.stages)
    [gap] = tps["courier-delivery"].targets
    assert gap.target == 30 and gap.met is False and gap.gap < -20
    assert {o.touchpoint for o in m.opportunities} >= {"courier-delivery", "app-login"}


def test_stored_text_analysis_replaces_on_the_fly_themes_and_redaction(session, filled):
    from sqlalchemy import select

    from otklik.understand.comments.models import ResponseText, ResponseTheme, TextTheme

    theme = session.scalar(select(TextTheme).where(TextTheme.key == "delivery"))
    if theme is None:
        theme = TextTheme(key="delivery", name_ru="Доставка", name_en="Delivery")
        session.add(theme)
        session.flush()
    ids = session.scalars(select(Response.id).where(Response.comment.is_not(None))).all()
    for rid in ids:
        session.add(ResponseText(response_id=rid, language="ru", sentiment="negative",
                                 sentiment_score=-0.8, redacted_text="Курьер опоздал, [PHONE]",
                                 model_version="test"))  # fmt: skip
        session.add(ResponseTheme(response_id=rid, theme_id=theme.id, sentiment="negative",
                                  sentiment_score=-0.8, via="semantic"))  # fmt: skip
    session.commit()
    m = build_journey_map(session=session, slug="onboarding", now=NOW, days=120, lang="ru")
    voice = m.stages[0].voice
    assert voice.source == "analysis" and m.text_source == "analysis"
    assert [(t.key, t.label, t.comments) for t in voice.themes] == [("delivery", "Доставка", 60)]
    assert {q.text for q in voice.quotes} == {"Курьер опоздал, [PHONE]"}
