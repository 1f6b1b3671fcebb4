"""`otklik worker` (a real Huey consumer) sends a queued invitation to a real SMTP server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select

from otklik.jobs import create_jobs
from otklik.listen.contacts import invite_contacts
from otklik.listen.fatigue import save_global_policy
from otklik.listen.models import Invitation
from otklik.listen.surveys import create_survey, publish_survey
from otklik.store import utcnow
from smtp_mailbox import running_mailbox


def test_worker_process_sends_the_queued_invitation(settings, session, seed):
    # The worker sends at the real time of day: without this, between 21:00 and 09:00
    # Moscow time (the default zone) quiet hours would hold the mail back.
    save_global_policy(session=session, data={"quiet_start": "00:00", "quiet_end": "00:00"})
    survey = create_survey(session=session, title="NPS", slug="nps", template="nps-relationship")
    publish_survey(session=session, survey=survey)
    session.commit()
    noon = utcnow().replace(hour=9, minute=0) - timedelta(days=1)
    invite_contacts(session=session, survey=survey, data="email\nw@example.com\n", now=noon)
    with running_mailbox() as box:
        env = {**os.environ, "OTKLIK_DATABASE_URL": settings.database_url,
               "OTKLIK_DATA_DIR": str(settings.data_dir), "OTKLIK_SMTP_HOST": "127.0.0.1",
               "OTKLIK_SMTP_PORT": str(box.port),
               "OTKLIK_SECRET_KEY": settings.secret_key.get_secret_value()}  # fmt: skip
        jobs = create_jobs(settings)  # the same SQLite queue in the data dir
        jobs.deliver()  # enqueued: nothing is sent until a worker runs
        assert box.messages == []
        worker = subprocess.Popen(
            [sys.executable, "-m", "otklik", "worker", "--workers", "1"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90  # a loaded CI box starts Python slowly
            while not box.messages and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            jobs.close()
        assert len(box.messages) == 1, worker.stderr.read().decode()[-2000:]
        assert "w@example.com" in box.messages[0]["To"]
    session.expire_all()
    assert session.scalar(select(Invitation.status)) == "sent"
