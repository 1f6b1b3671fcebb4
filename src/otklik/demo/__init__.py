"""The demo company: Orient Bank (Банк Ориент), a fictional Russian retail bank.

`otklik demo` loads a unit tree (company → 4 regions → 12 branches, plus a
contact centre, a digital team and card operations), ~64 employees with
nicknames, the journey "Open and use a debit card" (6 stages, 21 touchpoints
over web, app, branch, phone, chat, email, sms and a courier partner), one
published bilingual survey per touchpoint, ~50k customers (85 % Russian-,
15 % English-speaking) and ~100k responses over 18 months, ~40 % with a
comment composed from hundreds of RU/EN phrasings.

True effects are planted for later features to discover (dates are relative
to the anchor, i.e. "now"):

1. **Worsening** — ``courier-delivery`` (Card delivery by courier): from 120
   days ago its NPS falls by ~30 points (about +30 → 0) and its complaints
   turn to delivery delays ("жду уже 12 дней", "courier never showed up").
2. **Improvement** — ``app-login`` (Mobile app login): app release 6.0, 180
   days ago, lifts NPS by ~45 points (about −25 → +20) over 30 days;
   crash/login complaints give way to praise ("наконец-то починили вход").
   ``attributes.app_version`` shows the release.
3. **Drivers** — at support touchpoints ``answers.issue_resolved == "no"``
   costs 3.5 points on the latent 0–10 scale (NPS about +45 vs −65); at
   branch touchpoints each ``answers.wait_minutes`` beyond five costs 0.06.
   Segment matters a little (premium +0.6, youth −0.2).
4. **Recognition** — happy customers thank staff by name, in Russian cases and
   short forms ("спасибо Ольге", "с Олей", "Olga at the Tverskaya branch"):
   Ольга Смирнова (Тверская), Дмитрий Ковалёв (Невский), Марина Соколова and
   Emily Clarke (contact centre) get most of the named praise.
5. **Churn** — a customer who gave a detractor answer (0–6) churns about six
   times as often (≈37 % vs ≈6 %), and always after that answer.

Invitations agree with the responses (see ``demo/invitations.py``): about a fifth
of the answers of consenting customers came through an email invitation; unanswered,
bounced and suppressed invitations (with their rule) surround them, ~1.5 % of
answering customers unsubscribed later, and the response rate is about 40 %.

Comments occasionally carry phone numbers and e-mail addresses (for PII
redaction). The same seed and anchor give identical data; a second run on a
database that has the demo (unit code ``orient``) changes nothing.
"""

from otklik.demo.build import DemoSummary, build_demo

__all__ = ["DemoSummary", "build_demo"]
