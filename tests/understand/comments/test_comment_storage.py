"""Stored comment analytics: the run, redaction before storage, corrections, re-runs,
discovery (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from otklik.errors import ValidationFailed
from otklik.listen.ingest import ingest_response
from otklik.listen.models import Response
from otklik.listen.schemas import ResponseIn
from otklik.understand.comments.discovery import discover_themes, promote_cluster
from otklik.understand.comments.enrich import analyse_responses, get_analyzer, pending_ids
from otklik.understand.comments.models import (
    EmployeeMention,
    ResponseText,
    ResponseTheme,
    TextCluster,
    TextTheme,
)
from otklik.understand.comments.redaction import clear_cache, set_redaction
from otklik.understand.comments.taxonomy import correct_labels, create_theme

COMMENTS = [
    "Курьер опоздал на три часа, доставка ужасная",
    "Спасибо Ольге Ивановой, всё объяснила!",
    "Приложение вылетает при входе, не могу войти",
    "Call me at +7 916 123-45-67 or mail ivan.petrov@example.com, the fee is too high",
    "<script>alert(1)</script> nice",
]


def _add(session, seed, texts, *, days=0):
    now = datetime.now(UTC) - timedelta(days=days)
    for i, t in enumerate(texts):
        session.add(
            Response(
                touchpoint_id=seed["touchpoints"]["web-apply"].id,
                comment=t,
                submitted_at=now - timedelta(minutes=i),
                source="api",
            )
        )
    session.commit()


def test_a_time_bounded_run_starts_no_batch_after_its_time_and_leaves_the_rest(
    session, seed, monkeypatch
):
    from otklik.understand.comments import enrich

    monkeypatch.setattr(enrich, "BATCH", 2)
    _add(session, seed, COMMENTS[:5])
    assert analyse_responses(session=session, seconds=0).analysed == 2  # the first batch only
    assert analyse_responses(session=session).analysed == 3
    assert len(session.scalars(select(ResponseText)).all()) == 5


def test_run_stores_language_sentiment_themes_mentions_and_redacts(session, seed):
    _add(session, seed, COMMENTS)
    report = analyse_responses(session=session)
    assert report.analysed == len(COMMENTS)
    rows = {r.redacted_text: r for r in session.scalars(select(ResponseText))}
    assert len(rows) == len(COMMENTS)
    pii = next(r for r in rows.values() if "[PHONE]" in r.redacted_text)
    assert pii.pii_counts == {"PHONE": 1, "EMAIL": 1}
    stored = session.scalars(select(Response.comment)).all()
    assert not any("example.com" in c or "916" in c for c in stored)  # raw PII gone
    themes = {
        key
        for (key,) in session.execute(
            select(TextTheme.key).join(ResponseTheme, ResponseTheme.theme_id == TextTheme.id)
        )
    }
    assert {"delivery", "app_website"} <= themes
    neg = session.scalar(
        select(ResponseTheme.sentiment)
        .join(TextTheme, TextTheme.id == ResponseTheme.theme_id)
        .where(TextTheme.key == "delivery")
    )
    assert neg == "negative"
    mention = session.scalars(select(EmployeeMention)).one()
    assert mention.span.startswith("Ольге")
    assert "Ольге Ивановой" in session.scalar(
        select(ResponseText.redacted_text).where(ResponseText.response_id == mention.response_id)
    )  # an employee's name is kept for recognition
    assert all(r.model_version == report.version for r in rows.values())


def test_rerun_only_takes_new_or_stale_and_all_redoes_everything(session, seed):
    _add(session, seed, COMMENTS[:2])
    analyse_responses(session=session)
    _add(session, seed, COMMENTS[2:3])
    assert analyse_responses(session=session).analysed == 1
    assert analyse_responses(session=session).analysed == 0
    assert analyse_responses(session=session, everything=True).analysed == 3
    # A taxonomy change makes every analysis stale.
    create_theme(
        session=session, key="queue", name_ru="Очередь", name_en="Queue", keywords=["очередь"]
    )
    session.commit()
    _, version, _ = get_analyzer(session)
    assert len(pending_ids(session, version=version)) == 3


def test_ingest_redacts_before_the_row_is_written(session, engine, seed):
    clear_cache()
    data = ResponseIn(
        touchpoint="web-apply",
        nps=3,
        comment="Мой телефон 8 (916) 123-45-67, карта 4111 1111 1111 1111. Ольга помогла",
    )
    public, _ = ingest_response(session=session, data=data, engine=engine)
    raw = session.scalar(select(Response.comment).where(Response.id == public.id))
    assert "916" not in raw and "4111" not in raw
    assert "[PHONE]" in raw and "[CARD]" in raw and "Ольга" in raw


def test_ingest_keeps_text_when_redaction_is_off(session, engine, seed):
    set_redaction(engine, False)
    data = ResponseIn(touchpoint="web-apply", nps=3, comment="mail me: a@b.example")
    public, _ = ingest_response(session=session, data=data, engine=engine)
    assert session.scalar(select(Response.comment).where(Response.id == public.id)) == (
        "mail me: a@b.example"
    )
    analyse_responses(session=session, redact_stored=False)
    assert session.scalar(select(ResponseText.redacted_text)) == "mail me: [EMAIL]"


def test_correction_wins_and_survives_a_rerun(session, seed):
    _add(session, seed, ["Курьер опоздал на три часа"])
    analyse_responses(session=session)
    rid = session.scalar(select(ResponseText.response_id))
    correct_labels(
        session=session, response_id=rid, user_id=None, sentiment="neutral", themes=["price"]
    )
    session.commit()
    analyse_responses(session=session, everything=True)
    row = session.get(ResponseText, rid)
    session.refresh(row)
    assert (row.sentiment, row.corrected) == ("neutral", True)
    keys = session.scalars(
        select(TextTheme.key)
        .join(ResponseTheme, ResponseTheme.theme_id == TextTheme.id)
        .where(ResponseTheme.response_id == rid)
    ).all()
    assert keys == ["price"]
    with pytest.raises(ValidationFailed):
        correct_labels(session=session, response_id=rid, user_id=None, sentiment="great")


def test_discovery_groups_unmatched_comments_and_promotes_a_cluster(session, seed):
    kids = [
        "Для детей нет никаких игрушек",
        "Детский уголок закрыт, ребёнку скучно",
        "Хорошо бы сделать игровую зону для детей",
        "Детям совсем нечем заняться",
        "Ребёнок плакал, детской комнаты нет",
        "Нужен уголок с игрушками для малышей",
    ]
    music = [
        "Music in the hall is far too loud",
        "The background music was way too loud",
        "Please turn the music down in the hall",
        "Loud music made it hard to talk",
        "The music volume is unbearable",
        "Way too loud music playing",
    ]
    _add(session, seed, kids + music)
    analyse_responses(session=session)
    clusters = discover_themes(session=session, clusters=2)
    assert len(clusters) == 2
    labels = " ".join(c.label for c in clusters)
    assert "music" in labels and any(w in labels for w in ("ребенок", "детский", "уголок"))
    big = clusters[0]
    theme = promote_cluster(
        session=session,
        cluster_id=big.id,
        key="new_theme",
        name_ru="Новая тема",
        name_en="New theme",
        keywords=[],
    )
    assert theme.origin == "discovered" and theme.keywords and len(theme.examples) == 5
    assert session.get(TextCluster, big.id).promoted_theme_id == theme.id
