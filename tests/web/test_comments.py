"""Comment analytics pages and API: explorer filters and escaping, pagination, taxonomy
editor with CSRF, label correction, trend and heat-map, OpenAPI (SQLite + PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from otklik.listen.models import Response
from otklik.understand.comments.enrich import analyse_responses
from otklik.understand.comments.models import ResponseText, TextCorrection, TextTheme

COMMENTS = [
    ("web-apply", 10, "Курьер опоздал на три часа, доставка ужасная"),
    ("web-apply", 40, "Приложение вылетает при входе, не могу войти"),
    ("branch-visit", 5, "Спасибо Ольге Ивановой, всё объяснила!"),
    ("support-chat", 3, "<script>alert('x')</script> The delivery was late"),
]


@pytest.fixture
def analysed(session, seed):
    now = datetime.now(UTC)
    for code, days, text in COMMENTS:
        session.add(
            Response(
                touchpoint_id=seed["touchpoints"][code].id,
                comment=text,
                submitted_at=now - timedelta(days=days),
            )
        )
    session.commit()
    analyse_responses(session=session)
    return {t: rid for rid, t in session.execute(select(Response.id, Response.comment))}


def token(client, page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)


def test_explorer_lists_comments_escaped_and_filters(logged_in_client, analysed):
    c = logged_in_client
    page = c.get("/comments")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "4 comments" in page.text
    neg = c.get("/comments", params={"sentiment": "negative", "theme": "delivery"}).text
    assert "Курьер опоздал" in neg and "Приложение вылетает" not in neg
    by_tp = c.get("/comments", params={"touchpoint": "branch-visit"}).text
    assert "Ольге" in by_tp and "Курьер" not in by_tp
    found = c.get("/comments", params={"q": "курьер"}).text  # lower case finds "Курьер"
    assert "Курьер опоздал" in found and "1 comments" in found
    en = c.get("/comments", params={"language": "en"}).text
    assert "delivery was late" in en and "Курьер" not in en
    recent = c.get("/comments", params={"since": (datetime.now(UTC) - timedelta(days=7)).date()})
    assert "delivery was late" in recent.text and "Курьер" not in recent.text


def test_explorer_language_filter_does_not_leak_into_the_ui_language_switch(
    logged_in_client, analysed
):
    page = logged_in_client.get("/comments").text
    assert '<option value="other"' in page  # comments in neither language can be filtered
    assert 'href="?lang=ru"' in page and 'href="?lang=other"' not in page  # the UI is RU/EN


def test_explorer_rejects_bad_filters_with_422(logged_in_client, analysed):
    r = logged_in_client.get("/api/v1/text/comments", params={"since": "yesterday"})
    assert r.status_code == 422 and "since" in r.text
    assert logged_in_client.get("/comments", params={"sentiment": "angry"}).status_code == 422


def test_pagination_links(logged_in_client, analysed):
    r = logged_in_client.get("/api/v1/text/comments", params={"per_page": 3, "page": 2})
    assert r.json()["total"] == 4 and len(r.json()["items"]) == 1


def test_explorer_needs_login(client, analysed):
    assert client.get("/comments", follow_redirects=False).status_code in (302, 303, 401)


def test_taxonomy_editor_adds_and_edits_with_csrf(logged_in_client, session, analysed):
    c = logged_in_client
    no_csrf = c.post(
        "/comments/taxonomy",
        data={"key": "queue", "name_ru": "Очередь", "name_en": "Queue", "keywords": "очередь"},
    )
    assert no_csrf.status_code in (400, 403)
    ok = c.post(
        "/comments/taxonomy",
        data={
            "key": "queue",
            "name_ru": "Очередь",
            "name_en": "Queue <b>",
            "keywords": "очередь, queue",
            "csrf_token": token(c, "/comments/taxonomy"),
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    theme = session.scalars(select(TextTheme).where(TextTheme.key == "queue")).one()
    assert theme.keywords == ["очередь", "queue"]
    page = c.get("/comments/taxonomy").text
    assert "Queue &lt;b&gt;" in page
    bad = c.post(
        f"/comments/taxonomy/{theme.id}",
        data={
            "name_ru": "",
            "name_en": "Queue",
            "keywords": "x",
            "csrf_token": token(c, "/comments/taxonomy"),
        },
    )
    assert bad.status_code == 422 and "Russian name" in bad.text
    c.post(
        f"/comments/taxonomy/{theme.id}",
        data={"name_ru": "Очереди", "name_en": "Queues", "keywords": "очередь",
              "csrf_token": token(c, "/comments/taxonomy")},
    )  # fmt: skip
    session.refresh(theme)
    assert (theme.name_ru, theme.active) == ("Очереди", False)  # unchecked box = inactive


def test_label_correction_from_the_explorer(logged_in_client, session, analysed):
    c = logged_in_client
    rid = analysed["Курьер опоздал на три часа, доставка ужасная"]
    r = c.post(
        f"/comments/{rid}/labels",
        data={"sentiment": "neutral", "themes_sent": "1", "themes": ["price"],
              "csrf_token": token(c, "/comments")},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    corr = session.scalars(select(TextCorrection)).one()
    assert (corr.sentiment, corr.themes) == ("neutral", ["price"])
    row = session.get(ResponseText, rid)
    session.refresh(row)
    assert row.sentiment == "neutral" and row.corrected
    api = c.post(f"/api/v1/text/comments/{rid}/labels", json={"sentiment": "awful"})
    assert api.status_code == 422


def test_themes_page_trend_and_heatmap(logged_in_client, analysed):
    page = logged_in_client.get("/comments/themes")
    assert page.status_code == 200
    assert "/vendor/plotly.min.js" in page.text and 'id="theme-trend"' in page.text
    trend = logged_in_client.get("/api/v1/text/trend").json()
    assert sum(trend["totals"]) == 4 and sum(trend["themes"]["delivery"]["count"]) == 2
    heat = logged_in_client.get("/api/v1/text/heatmap").json()
    cell = next(x for x in heat["cells"] if x["theme"] == "app_website")
    assert (cell["touchpoint"], cell["n"], cell["negative"]) == ("web-apply", 1, 1)


def test_api_themes_and_openapi(logged_in_client, api_headers, analysed):
    c = logged_in_client
    created = c.post(
        "/api/v1/text/themes",
        json={
            "key": "parking",
            "name_ru": "Парковка",
            "name_en": "Parking",
            "keywords": ["парковка"],
        },
    )
    assert created.status_code == 201, created.text
    dup = c.post(
        "/api/v1/text/themes",
        json={"key": "parking", "name_ru": "П", "name_en": "P", "keywords": ["x"]},
    )
    assert dup.status_code == 422 and "key" in dup.text
    spec = (
        c.get("/api/openapi.json").json()
        if c.get("/api/openapi.json").status_code == 200
        else c.get("/openapi.json").json()
    )
    assert "/api/v1/text/comments" in spec["paths"] and "/api/v1/text/themes" in spec["paths"]


def test_theme_trend_is_drawn_on_the_server_for_pages_without_javascript(
    logged_in_client, analysed
):
    html = logged_in_client.get("/comments/themes").text
    boxes = {c: html.split(f'id="{c}"')[1].split("</div>")[0] for c in ("theme-trend", "theme-net")}
    share = boxes["theme-trend"]
    assert "<svg" in share and 'data-series="Delivery"' in share
    assert "<title>Delivery · " in share and "%</title>" in share
    assert "<svg" in boxes["theme-net"] and "Delivery</li>" in boxes["theme-net"]  # legend
    trend = logged_in_client.get("/api/v1/text/trend").json()
    delivery = trend["themes"]["delivery"]
    assert sum(delivery["negative"]) + sum(delivery["positive"]) <= sum(delivery["count"])
    row = html.split('data-theme="delivery"')[1].split("</tr>")[0]
    assert "<td" in row


def test_net_sentiment_needs_three_mentions_and_spans_minus_to_plus_100():
    from otklik.web.ui.comments import net_sentiment, trend_charts

    assert net_sentiment(1, 1, 2) is None
    assert (net_sentiment(3, 0, 3), net_sentiment(0, 4, 4), net_sentiment(2, 1, 4)) == (
        100,
        -100,
        25,
    )
    trend = {
        "months": ["2026-01", "2026-02", "2026-03"],
        "totals": [10, 0, 8],
        "themes": {"app_login": {"count": [6, 0, 4], "negative": [5, 0, 0], "positive": [0, 0, 4]}},
    }
    charts = trend_charts(trend, {"app_login": "App login & crashes"})
    line = charts["net"].lines[0]
    assert line.label == "App login & crashes" and len(line.segments) == 2  # the gap breaks it
    tips = [tip for _, _, tip in line.points]
    assert tips == ["App login & crashes · 2026-01: -83", "App login & crashes · 2026-03: 100"]
    share = charts["share"].lines[0]
    assert [tip.rsplit(" ", 1)[1] for _, _, tip in share.points] == ["60%", "50%"]


def test_a_default_theme_shipped_later_is_offered_and_added_on_request(
    logged_in_client, session, analysed
):
    from sqlalchemy import delete

    session.execute(delete(TextTheme).where(TextTheme.key == "app_login"))  # an older install
    session.commit()
    c = logged_in_client
    page = c.get("/comments/taxonomy").text
    assert 'data-testid="missing-defaults"' in page and "App login &amp; crashes" in page
    assert c.post("/comments/taxonomy/defaults").status_code in (400, 403)  # no CSRF token
    r = c.post(
        "/comments/taxonomy/defaults",
        data={"csrf_token": token(c, "/comments/taxonomy")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    added = session.scalars(select(TextTheme).where(TextTheme.key == "app_login")).one()
    assert added.origin == "default" and "вылетать" in added.keywords
    assert 'data-testid="missing-defaults"' not in c.get("/comments/taxonomy").text
