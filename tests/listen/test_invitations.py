"""Creating invitations: fatigue history from the database, contacts CSV, the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from otklik.listen.contacts import invite_contacts, read_contacts
from otklik.listen.fatigue import save_global_policy, save_survey_policy
from otklik.listen.invitations import Contact, find_or_create_customer, invite_customers
from otklik.listen.models import Invitation, Response
from otklik.listen.surveys import create_survey, publish_survey

NOON = datetime(2026, 5, 13, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


@pytest.fixture
def survey(session, seed):
    s = create_survey(
        session=session, title="CSAT", slug="csat-after", template="csat-transactional"
    )
    publish_survey(session=session, survey=s)
    session.commit()
    return s


def ask(session, survey, customer, at):
    [(inv, _)] = invite_customers(session=session, survey=survey, customers=[customer],
                                         now=at)  # fmt: skip
    session.commit()
    return inv


def test_history_in_the_database_drives_the_rules(session, survey):
    anna = find_or_create_customer(session=session, contact=Contact(email="anna@example.com"))
    first = ask(session, survey, anna, NOON - timedelta(days=10))
    assert first.status == "pending"
    assert ask(session, survey, anna, NOON).suppression_reason == "recent_invitation"
    first.status, first.sent_at = "sent", NOON - timedelta(days=10)
    answered = NOON - timedelta(days=60)
    session.add(
        Response(customer_id=anna.id, survey_id=survey.id, source="survey",
                 submitted_at=answered, answers={}, attributes={})
    )  # fmt: skip
    session.commit()
    later = NOON + timedelta(days=25)  # 35 days after the invitation, 85 after the answer
    assert ask(session, survey, anna, later).suppression_reason == "recent_response"


def test_quarterly_cap_and_unanswered_window_with_survey_overrides(session, survey):
    save_survey_policy(session=session, survey=survey,
                       data={"min_days_between": 0, "resurvey_after_response_days": 0,
                             "resurvey_after_no_answer_days": 0, "quarterly_cap": 2})  # fmt: skip
    session.commit()
    bob = find_or_create_customer(session=session, contact=Contact(email="bob@example.com"))
    statuses = [ask(session, survey, bob, NOON + timedelta(days=d)).status for d in (0, 1, 2)]
    assert statuses == ["pending", "pending", "suppressed"]
    assert session.scalar(select(Invitation.suppression_reason).where(
        Invitation.status == "suppressed")) == "quarterly_cap"  # fmt: skip


def test_global_policy_applies_to_every_survey(session, survey):
    save_global_policy(session=session, data={"sampling_percent": 0})
    session.commit()
    carl = find_or_create_customer(session=session, contact=Contact(email="carl@example.com"))
    assert ask(session, survey, carl, NOON).suppression_reason == "sampled_out"


def test_unpublished_survey_cannot_be_sent(session, seed):
    draft = create_survey(session=session, title="Draft", template="nps-relationship")
    carl = find_or_create_customer(session=session, contact=Contact(email="carl@example.com"))
    with pytest.raises(Exception, match="not published"):
        invite_customers(session=session, survey=draft, customers=[carl])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("name\nAnn\n", "line 1: the header needs an email column"),
        ("email,language\nann@example.com,de\n", "line 2: language: 'de' is not ru or en"),
        ("email,timezone\nann@example.com,Moon/Base\n", "line 2: timezone"),
        ("email\nnot-an-address\n", "line 2: email"),
    ],
)
def test_contacts_csv_errors_name_line_and_column(text, error):
    _, errors = read_contacts(text)
    assert errors and errors[0].startswith(error)


def test_contacts_csv_accepts_excel_semicolons_and_bom():
    contacts, errors = read_contacts(
        "\ufeffEmail;Name;Language\nANN@Example.com;Анна;RU\n".encode()
    )
    assert errors == []
    assert (contacts[0].email, contacts[0].name, contacts[0].language) == (
        "ann@example.com", "Анна", "ru",
    )  # fmt: skip


def test_dry_run_writes_nothing(session, survey):
    report = invite_contacts(session=session, survey=survey, dry_run=True,
                             data="email\na@example.com\nb@example.com\n")  # fmt: skip
    assert report.summary_line() == "dry run: would queue 2 of 2 contacts"
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_cli_invite(settings, session, survey, tmp_path, monkeypatch):
    from otklik.cli import app

    for key, value in (
        ("OTKLIK_DATABASE_URL", settings.database_url),
        ("OTKLIK_DATA_DIR", str(settings.data_dir)),
        ("OTKLIK_SECRET_KEY", settings.secret_key.get_secret_value()),
    ):
        monkeypatch.setenv(key, value)  # fmt: skip
    good, bad = tmp_path / "contacts.csv", tmp_path / "bad.csv"
    good.write_text(
        "email,name,language,external_id\na@example.com,A,en,c1\nb@example.com,B,ru,c2\n"
    )
    bad.write_text("email\na@example.com\noops\n")
    runner = CliRunner()
    dry = runner.invoke(app, ["invite", "csat-after", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "dry run: would queue 2 of 2 contacts" in dry.output
    done = runner.invoke(app, ["invite", "csat-after", str(good)])
    assert done.exit_code == 0 and "queued 2 of 2 contacts" in done.output
    failed = runner.invoke(app, ["invite", "csat-after", str(bad)])
    assert failed.exit_code == 1
    assert "nothing invited: line 3: email: 'oops' is not an email address" in failed.output
    unknown = runner.invoke(app, ["invite", "no-such-survey", str(good)])
    assert unknown.exit_code == 1 and "does not exist" in unknown.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Invitation)) == 2
