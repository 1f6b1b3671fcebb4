"""Surveys in the live server's database for the public page and widget browser tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, select

from otklik.listen.models import Response, Survey
from otklik.listen.surveys import create_survey, publish_survey
from otklik.store import make_engine, make_sessionmaker

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))
from public_pages import DEFINITION


@contextmanager
def db(server) -> Iterator:
    engine = make_engine(server.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def published(server, slug: str, *, layout: str = "one_page", settings=None) -> None:
    """Create (once) and publish a survey with the shared test definition."""
    with db(server) as s:
        if s.scalar(select(Survey.id).where(Survey.slug == slug)) is None:
            survey = create_survey(
                session=s, title=slug, slug=slug, definition={**DEFINITION, "layout": layout}
            )
            survey.settings = settings or {}
            publish_survey(session=s, survey=survey)
            s.commit()


def responses(server, slug: str) -> list[Response]:
    with db(server) as s:
        survey_id = s.scalar(select(Survey.id).where(Survey.slug == slug))
        return list(s.scalars(select(Response).where(Response.survey_id == survey_id)))


def forget_responses(server, slug: str) -> None:
    """Keep the shared server's data as other browser tests expect it (they count answers)."""
    with db(server) as s:
        survey_id = s.scalar(select(Survey.id).where(Survey.slug == slug))
        s.execute(delete(Response).where(Response.survey_id == survey_id))
        s.commit()
