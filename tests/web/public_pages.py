"""Helpers for the public survey page tests: publish a survey, read and post its form."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy.orm import Session

from otklik.listen.surveys import attach_touchpoint, create_survey, publish_survey

DEFINITION: dict[str, Any] = {
    "title": {"ru": "Ваше мнение <b>важно</b>", "en": "Your opinion <b>matters</b>"},
    "questions": [
        {
            "id": "nps",
            "type": "nps",
            "required": True,
            "text": {
                "ru": "Порекомендуете нас? <script>alert('ru')</script>",
                "en": "Would you recommend us? <script>alert('en')</script>",
            },
            "low_label": {"ru": "Точно нет", "en": "Not at all likely"},
            "high_label": {"ru": "Обязательно", "en": "Extremely likely"},
        },
        {
            "id": "why_low",
            "type": "text",
            "text": {
                "ru": "Что пошло не так при оценке {{nps}}?",
                "en": "What went wrong at {{nps}}?",
            },
            "show_if": {"question": "nps", "op": "lte", "value": 6},
        },
        {
            "id": "comment",
            "type": "text",
            "is_comment": True,
            "text": {"ru": "Что ещё нам стоит знать?", "en": "Anything else we should know?"},
        },
    ],
    "notice": {
        "text": {"ru": "Ответы помогают улучшать сервис.", "en": "Answers help us improve."},
        "privacy_url": "/privacy",
    },
    "thank_you": {
        "rules": [
            {
                "when": {"question": "nps", "op": "gte", "value": 9},
                "text": {
                    "ru": "Спасибо за {{nps}}! <i>ура</i>",
                    "en": "Thanks for the {{nps}}! <i>yay</i>",
                },
            }
        ],
        "default": {"ru": "Спасибо, мы разберёмся.", "en": "Thank you, we will look into it."},
    },
}


def publish(session: Session, *, slug: str = "nps-page", layout: str = "one_page", definition=None):
    survey = create_survey(
        session=session,
        title="Page test",
        slug=slug,
        definition={**(definition or DEFINITION), "layout": layout},
    )
    publish_survey(session=session, survey=survey)
    session.commit()
    return survey


def publish_at_touchpoint(session: Session, seed: dict, code: str = "web-apply"):
    """The published survey a trigger for touchpoint ``code`` picks (the seed's own survey,
    which would be picked first, is detached) — committed."""
    seed["survey"].touchpoint_id = None
    survey = publish(session)
    attach_touchpoint(session=session, survey=survey, touchpoint_id=seed["touchpoints"][code].id)
    session.commit()
    return survey


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the survey form (ft, lang, shown, t, q)."""
    fields = dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"', page))
    return {k: html.unescape(v) for k, v in fields.items()}


def submit(client, page_html: str, slug: str = "nps-page", action: str | None = None, **answers):
    """POST the form of ``page_html`` like a browser without JavaScript would."""
    data: dict[str, Any] = {**hidden_fields(page_html), **answers}
    if action is not None:
        data["action"] = action
    return client.post(f"/s/{slug}", data=data, follow_redirects=False)
