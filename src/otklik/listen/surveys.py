"""Survey life cycle: create (blank or from a template), edit the draft, publish, close, reopen,
attach to a touchpoint, reorder questions.

Versioning: ``Survey.definition`` is the working copy; every publish freezes it in a
``SurveyVersion``. ``Survey.version`` is the live (last published) version, the one a
survey page serves and stamps on each ``Response.survey_version``. Editing a published
survey changes only the working copy (the live version keeps being served); publishing
it freezes version N+1. So a response always points at the exact questions it answered.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.errors import Conflict, NotFound, ValidationFailed
from otklik.listen.definition import QUESTION_TYPES, dump_definition, parse_definition
from otklik.listen.models import Response, Survey, SurveyVersion, Touchpoint
from otklik.listen.survey_templates import TEMPLATES, new_question, template_definition
from otklik.store.base import utcnow

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_TRANSLIT = {
    **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True)),
    **{"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
    **{"ъ": "", "ь": "", "ю": "yu", "я": "ya"},
}


def slugify(text: str) -> str:
    """A URL slug from a RU or EN title: ``"Опрос NPS"`` → ``"opros-nps"``."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-") or "survey"


def _unique_slug(session: Session, base: str) -> str:
    slug, n = base, 1
    while session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None:
        n += 1
        slug = f"{base[:58]}-{n}"
    return slug


def _check_title(title: str) -> str:
    title = title.strip()
    if not 1 <= len(title) <= 200:
        raise ValidationFailed("title: 1 to 200 characters", field="title")
    return title


def _check_slug(session: Session, slug: str, survey_id: int | None = None) -> str:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationFailed(
            "slug: lower-case latin letters, digits and hyphens, up to 64", field="slug"
        )
    other = session.scalar(select(Survey.id).where(Survey.slug == slug))
    if other is not None and other != survey_id:
        raise Conflict(f"slug '{slug}' is already used by another survey")
    return slug


def _check_touchpoint(session: Session, touchpoint_id: int | None) -> int | None:
    if touchpoint_id is not None and session.get(Touchpoint, touchpoint_id) is None:
        raise NotFound(f"touchpoint {touchpoint_id} does not exist")
    return touchpoint_id


def list_surveys(
    *, session: Session, status: str | None = None, touchpoint_id: int | None = None
) -> list[Survey]:
    """Surveys, newest first, optionally one status or one touchpoint."""
    query = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if status is not None:
        query = query.where(Survey.status == status)
    if touchpoint_id is not None:
        query = query.where(Survey.touchpoint_id == touchpoint_id)
    return list(session.scalars(query))


def get_survey(
    *, session: Session, survey_id: int | None = None, slug: str | None = None
) -> Survey:
    survey = (
        session.get(Survey, survey_id)
        if survey_id is not None
        else session.scalar(select(Survey).where(Survey.slug == slug))
    )
    if survey is None:
        raise NotFound(f"survey {survey_id if survey_id is not None else slug} does not exist")
    return survey


def create_survey(
    *,
    session: Session,
    title: str,
    template: str | None = None,
    definition: dict[str, Any] | None = None,
    slug: str | None = None,
    touchpoint_id: int | None = None,
) -> Survey:
    """A new draft: from ``template`` (a key of TEMPLATES), a given definition, or blank."""
    title = _check_title(title)
    if template is not None and definition is not None:
        raise ValidationFailed("give either template or definition, not both", field="template")
    if template is not None:
        if template not in TEMPLATES:
            raise ValidationFailed(f"template: one of {', '.join(TEMPLATES)}", field="template")
        definition = template_definition(template)
    elif definition is None:
        definition = {"title": {"ru": title, "en": title}, "questions": []}
    survey = Survey(
        title=title,
        slug=_check_slug(session, slug) if slug else _unique_slug(session, slugify(title)),
        touchpoint_id=_check_touchpoint(session, touchpoint_id),
        status="draft",
        version=1,
        definition=dump_definition(parse_definition(definition)),
        settings={},
    )
    session.add(survey)
    session.flush()
    return survey


def versions(*, session: Session, survey: Survey) -> list[SurveyVersion]:
    """Frozen published versions, oldest first."""
    return list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey.id)
            .order_by(SurveyVersion.version)
        )
    )


def _latest_version(session: Session, survey: Survey) -> SurveyVersion | None:
    return session.scalar(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.version.desc())
        .limit(1)
    )


def has_unpublished_changes(*, session: Session, survey: Survey) -> bool:
    """True when the working copy differs from the live version (or nothing is published)."""
    latest = _latest_version(session, survey)
    return latest is None or latest.definition != survey.definition


def live_definition(*, session: Session, survey: Survey) -> tuple[int, dict[str, Any]] | None:
    """(version, definition) a survey page serves, or None when the survey is not open."""
    if survey.status != "published":
        return None
    latest = _latest_version(session, survey)
    if latest is None:  # published without a frozen version (e.g. imported data)
        return survey.version, survey.definition
    return latest.version, latest.definition


def update_draft(
    *,
    session: Session,
    survey: Survey,
    title: str | None = None,
    slug: str | None = None,
    definition: dict[str, Any] | None = None,
) -> Survey:
    """Change the working copy. A published survey keeps serving its live version until
    the next publish; the slug is fixed once published because links carry it."""
    if title is not None:
        survey.title = _check_title(title)
    if slug is not None and slug != survey.slug:
        if _latest_version(session, survey) is not None:
            raise Conflict("the slug cannot change after publishing: sent links would break")
        survey.slug = _check_slug(session, slug, survey.id)
    if definition is not None:
        survey.definition = dump_definition(parse_definition(definition))
    survey.updated_at = utcnow()
    session.flush()
    return survey


def publish_survey(*, session: Session, survey: Survey) -> SurveyVersion:
    """Freeze the working copy as the next version and open the survey.

    Publishing an unchanged survey reuses the live version instead of making a copy.
    """
    definition = parse_definition(survey.definition)
    if not definition.questions:
        raise ValidationFailed(
            "questions: add at least one question before publishing", field="questions"
        )
    latest = _latest_version(session, survey)
    if latest is not None and latest.definition == survey.definition:
        frozen = latest
    else:
        number = 1 if latest is None else latest.version + 1
        frozen = SurveyVersion(
            survey_id=survey.id, version=number, definition=dump_definition(definition)
        )
        session.add(frozen)
        survey.version = number
    survey.status = "published"
    survey.updated_at = utcnow()
    session.flush()
    return frozen


def close_survey(*, session: Session, survey: Survey) -> Survey:
    """Stop accepting answers; stored responses and versions stay."""
    survey.status = "closed"
    survey.updated_at = utcnow()
    session.flush()
    return survey


def reopen_survey(*, session: Session, survey: Survey) -> Survey:
    """Accept answers again on the live version (a never-published survey returns to draft)."""
    survey.status = "published" if _latest_version(session, survey) is not None else "draft"
    survey.updated_at = utcnow()
    session.flush()
    return survey


def attach_touchpoint(*, session: Session, survey: Survey, touchpoint_id: int | None) -> Survey:
    """Attach the survey to a touchpoint (None detaches it); responses inherit the touchpoint."""
    survey.touchpoint_id = _check_touchpoint(session, touchpoint_id)
    survey.updated_at = utcnow()
    session.flush()
    return survey


# ---- question-level edits (the builder's buttons) ---------------------------------------


def _questions(survey: Survey) -> list[dict[str, Any]]:
    return [dict(q) for q in survey.definition.get("questions", [])]


def _save_questions(session: Session, survey: Survey, questions: list[dict[str, Any]]) -> Survey:
    return update_draft(
        session=session, survey=survey, definition={**survey.definition, "questions": questions}
    )


def reorder_questions(*, session: Session, survey: Survey, order: list[str]) -> Survey:
    """Put the questions in ``order`` (all ids, each once). A show-if must still follow
    the question it depends on, else the definition check refuses the order."""
    questions = {q["id"]: q for q in _questions(survey)}
    if sorted(order) != sorted(questions) or len(set(order)) != len(order):
        raise ValidationFailed(
            f"order: list every question id once: {', '.join(questions)}", field="order"
        )
    return _save_questions(session, survey, [questions[qid] for qid in order])


def move_question(*, session: Session, survey: Survey, question_id: str, offset: int) -> Survey:
    """Move one question up (offset -1) or down (+1); at the edge it stays put."""
    ids = [q["id"] for q in _questions(survey)]
    if question_id not in ids:
        raise NotFound(f"question '{question_id}' is not in this survey")
    i = ids.index(question_id)
    j = max(0, min(len(ids) - 1, i + offset))
    ids.insert(j, ids.pop(i))
    return reorder_questions(session=session, survey=survey, order=ids)


def add_question(*, session: Session, survey: Survey, qtype: str) -> str:
    """Append a question of ``qtype`` with default texts; returns its new id."""
    if qtype not in QUESTION_TYPES:
        raise ValidationFailed(f"type: one of {', '.join(QUESTION_TYPES)}", field="type")
    questions = _questions(survey)
    taken = {q["id"] for q in questions}
    qid, n = qtype, 1
    while qid in taken:
        n += 1
        qid = f"{qtype}_{n}"
    _save_questions(session, survey, [*questions, new_question(qtype, qid)])
    return qid


def replace_question(
    *, session: Session, survey: Survey, question_id: str, question: dict[str, Any]
) -> Survey:
    """Replace one question's JSON (its id may change if nothing refers to it)."""
    questions = _questions(survey)
    ids = [q["id"] for q in questions]
    if question_id not in ids:
        raise NotFound(f"question '{question_id}' is not in this survey")
    questions[ids.index(question_id)] = question
    return _save_questions(session, survey, questions)


def remove_question(*, session: Session, survey: Survey, question_id: str) -> Survey:
    questions = _questions(survey)
    if question_id not in [q["id"] for q in questions]:
        raise NotFound(f"question '{question_id}' is not in this survey")
    return _save_questions(session, survey, [q for q in questions if q["id"] != question_id])


def delete_survey(*, session: Session, survey: Survey) -> None:
    """Delete a survey that has no responses; one with answers must be closed instead,
    so that no response loses the questions it answered."""
    has_answers = session.scalar(select(func.count()).where(Response.survey_id == survey.id))
    if has_answers:
        raise Conflict(f"survey '{survey.slug}' has {has_answers} responses: close it instead")
    session.delete(survey)
    session.flush()
