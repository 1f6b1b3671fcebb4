"""The demo bank's planted comment themes come out of the real pipeline and show on the
explorer: app-login complaints about signing in and crashes, which turn to praise after
the app release, and courier-delivery complaints about delivery after it worsens.

A small demo (3,000 responses); only the comments of the two planted touchpoints and one
control touchpoint are analysed, to keep the pipeline's share of the test short.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from otklik.demo import build_demo
from otklik.demo import company as co
from otklik.listen.models import Response, Touchpoint
from otklik.understand.comments.enrich import analyse_responses
from otklik.understand.comments.explorer import CommentFilter, explore, theme_trend

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
RELEASE = NOW - timedelta(days=co.IMPROVING_DAYS_AGO)  # 2025-11-02
RAMPED = RELEASE + timedelta(days=co.IMPROVING_RAMP_DAYS)
WORSE = NOW - timedelta(days=co.WORSENING_DAYS_AGO)  # 2026-01-01
CONTROL = "sms-verification"  # SMS codes: neither login nor delivery
ANALYSED = (co.IMPROVING_TOUCHPOINT, co.WORSENING_TOUCHPOINT, CONTROL)


@pytest.fixture
def demo(session):
    build_demo(session=session, responses=3000, customers=1500, seed=7, now=NOW)
    session.commit()
    others = select(Touchpoint.id).where(Touchpoint.code.not_in(ANALYSED))
    session.execute(update(Response).where(Response.touchpoint_id.in_(others)).values(comment=None))
    session.commit()
    report = analyse_responses(session=session)
    assert report.analysed > 150
    return session


def _month(d: datetime) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _window(trend: dict, key: str, first: str | None, last: str | None) -> dict[str, int]:
    """Comments, mentions, negative and positive mentions of `key` over months first…last."""
    keep = [
        i
        for i, m in enumerate(trend["months"])
        if (first is None or m >= first) and (last is None or m <= last)
    ]
    theme = trend["themes"].get(key, {"count": [0], "negative": [0], "positive": [0]})
    out = {"comments": sum(trend["totals"][i] for i in keep)}
    for name in ("count", "negative", "positive"):
        out[name] = sum(theme[name][i] for i in keep if i < len(theme[name]))
    return out


def _net(w: dict[str, int]) -> float:
    return (w["positive"] - w["negative"]) / w["count"]


def _top_theme(trend: dict, first: str | None, last: str | None) -> str:
    return max(trend["themes"], key=lambda k: _window(trend, k, first, last)["count"])


def test_app_login_complaints_are_their_own_theme_and_improve_after_the_release(demo):
    trend = theme_trend(session=demo, filters=CommentFilter(touchpoint=co.IMPROVING_TOUCHPOINT))
    before_last = _month(RELEASE - timedelta(days=31))
    after_first = _month(RAMPED + timedelta(days=31))
    before = _window(trend, "app_login", None, before_last)
    after = _window(trend, "app_login", after_first, None)
    assert _top_theme(trend, None, before_last) == "app_login"
    assert _top_theme(trend, after_first, None) == "app_login"
    assert before["count"] >= 0.7 * before["comments"], before
    assert after["count"] >= 0.6 * after["comments"], after
    assert _net(before) <= -0.3, before  # mostly complaints …
    assert _net(after) - _net(before) >= 0.2, (before, after)  # … that turn towards praise


def test_courier_delivery_complaints_show_under_delivery_after_it_worsens(demo):
    trend = theme_trend(session=demo, filters=CommentFilter(touchpoint=co.WORSENING_TOUCHPOINT))
    before = _window(trend, "delivery", None, _month(WORSE - timedelta(days=1)))
    after = _window(trend, "delivery", _month(WORSE), None)
    assert _top_theme(trend, _month(WORSE), None) == "delivery"
    assert after["count"] >= 0.5 * after["comments"], after
    assert after["count"] / after["comments"] >= before["count"] / before["comments"] + 0.2
    assert _net(after) <= -0.3 and _net(before) - _net(after) >= 0.3, (before, after)


def test_the_theme_filter_finds_login_comments_at_the_login_touchpoint_only(demo):
    login = explore(session=demo, filters=CommentFilter(theme="app_login"), per_page=1000)
    at = [c.touchpoint for c in login.items]
    assert login.total >= 40
    assert at.count("Mobile app login") >= 0.9 * len(at), at
    control = theme_trend(session=demo, filters=CommentFilter(touchpoint=CONTROL))
    for key in ("app_login", "delivery"):
        assert _window(control, key, None, None)["count"] <= 0.1 * sum(control["totals"]), key
