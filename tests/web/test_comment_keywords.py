"""Key phrases per period and segment: the explorer's panel and GET /api/v1/text/keywords
rank a phrase that became frequent this period first as rising, respect every explorer
filter, and explain bad input (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from otklik.listen.models import Customer, Response
from otklik.understand.comments.enrich import analyse_responses

END = date(2026, 3, 31)  # the current period is March 2026, the previous one February
MARCH, FEBRUARY = (date(2026, 3, 2), END), (date(2026, 1, 31), date(2026, 3, 1))
STEADY = [
    "Вежливый персонал, всё объяснили",
    "Удобное приложение, переводы быстрые",
    "Friendly staff, quick service",
]
NEW = [
    "Курьер опоздал на три часа",
    "Курьер опоздал и не позвонил",
    "Карту так и не привезли, курьер опоздал",
]


def _at(d: date, hour: int = 12) -> datetime:
    return datetime.combine(d, time(hour), UTC)


@pytest.fixture
def periods(session, seed):
    """February: only the steady praise. March: the same praise, plus late couriers
    (all from 'mass' customers aged 25-34, at the web touchpoint)."""
    mass = Customer(external_id="c-mass", segment="mass", attributes={"age_band": "25-34"})
    premium = Customer(external_id="c-prem", segment="premium", attributes={"age_band": "45-54"})
    session.add_all([mass, premium])
    session.flush()
    web, branch = seed["touchpoints"]["web-apply"].id, seed["touchpoints"]["branch-visit"].id
    rows = []
    for i in range(24):
        feb, mar = FEBRUARY[0] + timedelta(days=i), MARCH[0] + timedelta(days=i)
        text = STEADY[i % 3]
        rows.append((feb, branch, premium, text))
        rows.append((mar, branch, premium, text))
        if i < 15:
            rows.append((mar, web, mass, NEW[i % 3]))
    for d, tp, who, text in rows:
        session.add(
            Response(touchpoint_id=tp, customer_id=who.id, comment=text, submitted_at=_at(d))
        )
    session.commit()
    analyse_responses(session=session)


def _march(**params) -> dict:
    return {"since": MARCH[0].isoformat(), "until": MARCH[1].isoformat(), **params}


def test_api_ranks_the_phrase_new_this_period_first_as_rising(logged_in_client, periods):
    r = logged_in_client.get("/api/v1/text/keywords", params=_march())
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["previous_since"], data["previous_until"]) == ("2026-01-31", "2026-03-01")
    assert (data["comments"], data["previous_comments"]) == (39, 24)
    first = data["rising"][0]
    assert first["lemma"] == "курьер опоздать" and first["phrase"] == "курьер опоздал"
    assert (first["documents"], first["previous_documents"]) == (15, 0)
    assert first["significant"] and first["z"] > 3 and first["q"] < 0.05
    assert round(first["share"], 3) == round(15 / 39, 3) and first["previous_share"] == 0
    assert all("вежлив" not in k["lemma"] for k in data["rising"])
    steady = next(k for k in data["top"] if k["lemma"].startswith("вежливый персонал"))
    assert not steady["significant"] and steady["previous_documents"] == 8


def test_without_dates_the_period_is_the_last_30_days_to_the_newest_comment(
    logged_in_client, periods
):
    data = logged_in_client.get("/api/v1/text/keywords").json()
    assert (data["since"], data["until"]) == ("2026-02-24", "2026-03-25")
    assert (data["previous_since"], data["previous_until"]) == ("2026-01-25", "2026-02-23")
    assert data["rising"][0]["lemma"] == "курьер опоздать"


@pytest.mark.parametrize(
    ("params", "courier_seen"),
    [
        ({"touchpoint": "web-apply"}, True),
        ({"touchpoint": "branch-visit"}, False),
        ({"segment": "mass"}, True),
        ({"segment": "premium"}, False),
        ({"attribute": "age_band=25-34"}, True),
        ({"attribute": "age_band=45-54"}, False),
        ({"language": "en"}, False),
        ({"theme": "delivery"}, True),
        ({"sentiment": "positive"}, False),
    ],
)
def test_key_phrases_respect_the_explorer_filters(logged_in_client, periods, params, courier_seen):
    data = logged_in_client.get("/api/v1/text/keywords", params=_march(**params)).json()
    lemmas = {k["lemma"] for k in data["top"] + data["rising"]}
    assert any(k.startswith("курьер") for k in lemmas) is courier_seen, (params, lemmas)
    listed = logged_in_client.get("/api/v1/text/comments", params=_march(**params)).json()
    assert listed["total"] == data["comments"]


def test_explorer_panel_shows_rising_phrases_without_javascript(logged_in_client, periods):
    page = logged_in_client.get("/comments", params=_march(language="ru"))
    assert page.status_code == 200
    html = page.text
    assert "Key phrases" in html and "Rising" in html and "<script" not in html.split("kw-title")[1]
    rising = html.split('class="kw-rising"')[1].split("</table>")[0]
    assert "курьер опоздал" in rising and "q=%D0%BA%D1%83%D1%80" in rising  # links to a search
    assert "language=ru" in rising  # … that keeps the explorer's filters
    ru = logged_in_client.get("/comments", params=_march(lang="ru")).text
    assert "Ключевые фразы" in ru and "Растут" in ru


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attribute": "age band=1"}, "attribute"),
        ({"attribute": "age_band"}, "attribute"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until"),
        ({"since": "March"}, "since"),
        ({"top_k": 0}, "top_k"),
    ],
)
def test_bad_keyword_filters_get_422_naming_the_field(logged_in_client, periods, params, field):
    r = logged_in_client.get("/api/v1/text/keywords", params=params)
    assert r.status_code == 422 and field in r.text
    if field != "top_k":
        assert logged_in_client.get("/comments", params=params).status_code == 422


def test_keywords_need_metrics_read_and_are_in_openapi(client, session, api_headers, periods):
    from otklik.access.apikeys import create_api_key

    _, reader = create_api_key(session=session, name="bi", scopes=["metrics:read"])
    session.commit()
    assert client.get("/api/v1/text/keywords").status_code == 401
    assert client.get("/api/v1/text/keywords", headers=api_headers).status_code == 403
    ok = client.get("/api/v1/text/keywords", headers={"Authorization": f"Bearer {reader}"})
    assert ok.status_code == 200 and ok.json()["rising"]
    spec = client.get("/api/openapi.json")
    spec = spec.json() if spec.status_code == 200 else client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/text/keywords"]["get"]
    assert {"since", "until", "segment", "attribute", "touchpoint", "theme"} <= {
        p["name"] for p in op["parameters"]
    }
    assert "KeywordReportOut" in str(op["responses"]["200"])


def test_a_newly_analysed_comment_is_counted_at_once(session, seed, periods):
    from otklik.understand.comments.explorer import CommentFilter
    from otklik.understand.comments.keywords import keyword_report

    march = CommentFilter(since=MARCH[0], until=MARCH[1])
    first = keyword_report(session=session, filters=march)
    assert keyword_report(session=session, filters=march) is first  # served again
    tp = seed["touchpoints"]["web-apply"].id
    session.add(Response(touchpoint_id=tp, comment="Курьер опоздал", submitted_at=_at(END)))
    session.commit()
    analyse_responses(session=session)
    again = keyword_report(session=session, filters=march)
    assert again.comments == first.comments + 1
    assert again.rising[0].documents == first.rising[0].documents + 1
