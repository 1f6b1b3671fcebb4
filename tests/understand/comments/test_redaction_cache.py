"""Employee names kept by redaction on ingest: loaded once, then reloaded in the background
so that ingestion never waits for the directory query (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

from otklik.org.models import Employee
from otklik.understand.comments import redaction
from otklik.understand.comments.redaction import clear_cache, redact_for_storage

THANKS = "Спасибо Марии за помощь"


def test_names_of_employees_are_kept_and_others_redacted(engine, seed):
    clear_cache()
    assert redact_for_storage("Ольга помогла, Мария нет", engine=engine) == (
        "Ольга помогла, [NAME] нет"
    )


def test_a_stale_directory_is_used_while_it_reloads_in_the_background(
    engine, seed, session, monkeypatch
):
    clear_cache()
    assert redact_for_storage(THANKS, engine=engine) == "Спасибо [NAME] за помощь"
    session.add(Employee(unit_id=seed["branch"].id, first_name="Мария", last_name="Соколова"))
    session.commit()
    assert redact_for_storage(THANKS, engine=engine) == "Спасибо [NAME] за помощь"  # cached
    monkeypatch.setattr(redaction, "_TTL", 0.0)  # every copy is now stale
    # The stale copy answers at once; the reload lands shortly after.
    assert redact_for_storage(THANKS, engine=engine) == "Спасибо [NAME] за помощь"
    deadline = time.monotonic() + 10
    while redact_for_storage(THANKS, engine=engine) != THANKS:
        assert time.monotonic() < deadline, "the directory was not reloaded"
        time.sleep(0.02)


def test_refresh_reloads_at_once(engine, seed, session):
    clear_cache()
    assert redact_for_storage(THANKS, engine=engine) == "Спасибо [NAME] за помощь"
    session.add(Employee(unit_id=seed["branch"].id, first_name="Мария", last_name="Соколова"))
    session.commit()
    redaction.refresh_keep_names(engine)
    assert redact_for_storage(THANKS, engine=engine) == THANKS
