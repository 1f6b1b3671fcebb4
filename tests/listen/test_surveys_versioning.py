"""Survey life cycle on SQLite and PostgreSQL: create, edit, publish, version, close, attach."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from otklik.errors import Conflict, NotFound, ValidationFailed
from otklik.listen import surveys
from otklik.listen.definition import DefinitionInvalid
from otklik.listen.models import Response, SurveyVersion


def test_create_from_template_is_a_draft_with_the_template_questions(session):
    survey = surveys.create_survey(session=session, title="Опрос NPS", template="nps-relationship")
    session.commit()
    assert survey.status == "draft"
    assert survey.slug == "opros-nps"
    assert [q["id"] for q in survey.definition["questions"]] == [
        "nps",
        "reason",
        "improve",
        "contact",
    ]
    assert surveys.live_definition(session=session, survey=survey) is None


def test_slugs_stay_unique_and_bad_slugs_are_refused(session):
    a = surveys.create_survey(session=session, title="CSAT", template="csat-transactional")
    b = surveys.create_survey(session=session, title="CSAT")
    assert (a.slug, b.slug) == ("csat", "csat-2")
    with pytest.raises(ValidationFailed, match="slug"):
        surveys.create_survey(session=session, title="X", slug="Not A Slug")
    with pytest.raises(Conflict):
        surveys.create_survey(session=session, title="X", slug="csat")
    with pytest.raises(ValidationFailed, match="template"):
        surveys.create_survey(session=session, title="X", template="nope")


def test_blank_survey_cannot_be_published_until_it_has_a_question(session):
    survey = surveys.create_survey(session=session, title="Blank")
    with pytest.raises(ValidationFailed, match="at least one question"):
        surveys.publish_survey(session=session, survey=survey)
    surveys.add_question(session=session, survey=survey, qtype="csat")
    assert surveys.publish_survey(session=session, survey=survey).version == 1


def test_publish_edit_publish_gives_version_two_and_freezes_version_one(session):
    survey = surveys.create_survey(session=session, title="NPS", template="nps-relationship")
    v1 = surveys.publish_survey(session=session, survey=survey)
    session.commit()
    assert (v1.version, survey.version, survey.status) == (1, 1, "published")
    original = v1.definition

    qid = surveys.add_question(session=session, survey=survey, qtype="yes_no")
    session.commit()
    # The working copy changed, but the live version is still 1 with the old questions.
    assert surveys.has_unpublished_changes(session=session, survey=survey)
    assert survey.version == 1
    number, live = surveys.live_definition(session=session, survey=survey)
    assert number == 1 and qid not in [q["id"] for q in live["questions"]]

    v2 = surveys.publish_survey(session=session, survey=survey)
    session.commit()
    assert (v2.version, survey.version) == (2, 2)
    frozen = session.scalars(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id).order_by("version")
    ).all()
    assert [v.version for v in frozen] == [1, 2]
    assert frozen[0].definition == original
    assert qid in [q["id"] for q in frozen[1].definition["questions"]]
    assert not surveys.has_unpublished_changes(session=session, survey=survey)


def test_publishing_without_changes_does_not_make_a_new_version(session):
    survey = surveys.create_survey(session=session, title="CES", template="ces-support")
    surveys.publish_survey(session=session, survey=survey)
    surveys.close_survey(session=session, survey=survey)
    again = surveys.publish_survey(session=session, survey=survey)
    assert (again.version, survey.version, survey.status) == (1, 1, "published")


def test_each_response_keeps_the_version_it_answered(session):
    survey = surveys.create_survey(session=session, title="NPS", template="nps-relationship")
    surveys.publish_survey(session=session, survey=survey)
    now = datetime.now(UTC)
    session.add(
        Response(survey_id=survey.id, survey_version=survey.version, nps=9, submitted_at=now)
    )
    surveys.add_question(session=session, survey=survey, qtype="text")
    surveys.publish_survey(session=session, survey=survey)
    session.add(
        Response(survey_id=survey.id, survey_version=survey.version, nps=3, submitted_at=now)
    )
    session.commit()
    rows = session.execute(select(Response.nps, Response.survey_version).order_by(Response.id))
    assert [tuple(r) for r in rows] == [(9, 1), (3, 2)]
    with pytest.raises(Conflict, match="close it instead"):
        surveys.delete_survey(session=session, survey=survey)


def test_close_and_reopen(session):
    draft = surveys.create_survey(session=session, title="Draft", template="ces-support")
    surveys.close_survey(session=session, survey=draft)
    assert surveys.reopen_survey(session=session, survey=draft).status == "draft"
    surveys.publish_survey(session=session, survey=draft)
    surveys.close_survey(session=session, survey=draft)
    assert surveys.live_definition(session=session, survey=draft) is None
    assert surveys.reopen_survey(session=session, survey=draft).status == "published"


def test_slug_is_fixed_after_the_first_publish(session):
    survey = surveys.create_survey(session=session, title="NPS", template="nps-relationship")
    surveys.update_draft(session=session, survey=survey, slug="nps-2026")
    surveys.publish_survey(session=session, survey=survey)
    with pytest.raises(Conflict, match="slug cannot change"):
        surveys.update_draft(session=session, survey=survey, slug="other")


def test_attach_to_a_touchpoint_and_list_by_touchpoint(session, seed):
    tp = seed["touchpoints"]["support-chat"]
    survey = surveys.create_survey(session=session, title="CES", template="ces-support")
    surveys.attach_touchpoint(session=session, survey=survey, touchpoint_id=tp.id)
    session.commit()
    assert [s.slug for s in surveys.list_surveys(session=session, touchpoint_id=tp.id)] == ["ces"]
    with pytest.raises(NotFound):
        surveys.attach_touchpoint(session=session, survey=survey, touchpoint_id=999_999)
    surveys.attach_touchpoint(session=session, survey=survey, touchpoint_id=None)
    assert survey.touchpoint_id is None


def test_reorder_keeps_conditions_after_the_questions_they_depend_on(session):
    survey = surveys.create_survey(session=session, title="NPS", template="nps-relationship")
    surveys.reorder_questions(
        session=session, survey=survey, order=["nps", "improve", "reason", "contact"]
    )
    assert [q["id"] for q in survey.definition["questions"]] == [
        "nps",
        "improve",
        "reason",
        "contact",
    ]
    with pytest.raises(DefinitionInvalid) as info:
        surveys.reorder_questions(
            session=session, survey=survey, order=["improve", "nps", "reason", "contact"]
        )
    assert info.value.problems[0][0] == "questions[0].show_if.question"
    with pytest.raises(ValidationFailed, match="every question id once"):
        surveys.reorder_questions(session=session, survey=survey, order=["nps", "nps"])


def test_move_question_up_and_down_and_remove(session):
    survey = surveys.create_survey(session=session, title="CSAT", template="csat-transactional")
    surveys.move_question(session=session, survey=survey, question_id="comment", offset=-1)
    assert [q["id"] for q in survey.definition["questions"]] == ["csat", "comment", "problems"]
    surveys.move_question(session=session, survey=survey, question_id="csat", offset=-1)
    assert survey.definition["questions"][0]["id"] == "csat"
    surveys.remove_question(session=session, survey=survey, question_id="problems")
    assert [q["id"] for q in survey.definition["questions"]] == ["csat", "comment"]
    with pytest.raises(NotFound):
        surveys.remove_question(session=session, survey=survey, question_id="problems")


def test_removing_a_question_others_depend_on_is_refused(session):
    survey = surveys.create_survey(session=session, title="NPS", template="nps-relationship")
    with pytest.raises(DefinitionInvalid, match="not an earlier question"):
        surveys.remove_question(session=session, survey=survey, question_id="nps")
