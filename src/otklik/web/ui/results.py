"""A survey's results page: response rate (RR1) overall, by channel and by touchpoint,
drop-off per question and time to complete — the same data as ``/api/v1/response-rate``
and ``/api/v1/surveys/{id}/quality``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from otklik.listen.response_rate import response_rates
from otklik.listen.surveys import get_survey
from otklik.web.api.invitations import survey_quality
from otklik.web.deps import CurrentUser, SessionDep
from otklik.web.ui.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/surveys/{survey_id}/results")
def survey_results(request: Request, survey_id: int, db: SessionDep, user: CurrentUser):
    survey = get_survey(session=db, survey_id=survey_id)
    return render(
        request,
        "results/survey.html",
        {
            "survey": survey,
            "overall": response_rates(session=db, by="survey", survey_id=survey.id),
            "by_channel": response_rates(session=db, by="channel", survey_id=survey.id),
            "by_touchpoint": response_rates(session=db, by="touchpoint", survey_id=survey.id),
            "quality": survey_quality(db, survey),
        },
    )
