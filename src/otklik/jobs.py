"""Background jobs (Huey): sending invitations and reminders, purging old drafts.

Storage is a SQLite file in the data directory (``jobs.db``) by default and Redis when
``OTKLIK_REDIS_URL`` is set (several web processes and workers on several machines).
``otklik worker`` runs the consumer, which also runs the periodic tasks:

- ``deliver`` every minute — :func:`otklik.listen.delivery.send_due` (due invitations,
  those delayed by quiet hours, reminders); the web app also enqueues it right after
  invitations are created, so mail leaves within seconds when a worker is running;
- ``purge_drafts`` daily — partial answers untouched for 30 days;
- ``analyse_comments`` every minute — text analytics of new comments (batches for up
  to 45 s a run): :func:`otklik.understand.comments.enrich.analyse_responses`;
- the analytics mirror's sync every ``ANALYTICS_SYNC_SECONDS`` — new and changed
  responses into Parquet segments (docs/analytics-engine.md), so that reads find only a
  few seconds of live tail. Huey schedules by the minute at best, so ``run_worker``
  runs this one in a thread of its own; the mirror's file lock lets one process at a
  time sync, so several workers do not collide;
- ``train_churn`` every 10 minutes (the default 90-day horizon) and whenever a page asks
  (:func:`enqueue_churn_training`) — the churn-risk model, trained when this hour's or
  these data's model is missing and saved in ``data_dir/models`` for every process
  (:mod:`otklik.understand.churn_store`).

The task bodies are the domain functions; the jobs only supply a session and the mail
sender. Tests build the jobs with ``immediate=True`` (Huey runs each call inline, the
real code) and pass a :class:`~otklik.listen.mailer.Mailer` pointing at their own
SMTP server.

Example::

    jobs = create_jobs(settings)
    jobs.deliver()          # enqueue (or run, when immediate)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import Engine

from otklik.config import Settings
from otklik.listen.mailer import Mailer

ANALYTICS_SYNC_SECONDS = 5.0
ANALYSE_SECONDS = 45.0  # no new batch of comments after this; the job runs every minute
log = logging.getLogger(__name__)


@dataclass
class Jobs:
    """One Huey instance with Otklik's tasks bound to one configuration."""

    huey: Huey
    settings: Settings
    mailer: Mailer | None = None
    _engine: Engine | None = field(default=None, repr=False)
    deliver: Any = None
    purge_drafts: Any = None
    analyse_comments: Any = None
    train_churn: Any = None

    def engine(self) -> Engine:
        if self._engine is None:
            from otklik.store import make_engine

            self._engine = make_engine(self.settings.sqlalchemy_url)
        return self._engine

    def session(self):
        from otklik.store import make_sessionmaker

        return make_sessionmaker(self.engine())()

    def sync_analytics(self) -> dict | None:
        """One sync of the analytics mirror; None when another process is syncing."""
        from otklik.understand.engine import analytics_engine

        analytics = analytics_engine(data_dir=self.settings.data_dir, engine=self.engine())
        return analytics.sync(wait=False)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def make_huey(settings: Settings, *, immediate: bool = False) -> Huey:
    if settings.redis_url:
        return RedisHuey("otklik", url=settings.redis_url, immediate=immediate)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("otklik", filename=str(settings.data_dir / "jobs.db"), immediate=immediate)


def create_jobs(
    settings: Settings, *, mailer: Mailer | None = None, immediate: bool = False
) -> Jobs:
    """The task set for ``settings``; ``mailer`` defaults to the OTKLIK_SMTP_* server."""
    huey = make_huey(settings, immediate=immediate)
    jobs = Jobs(huey=huey, settings=settings, mailer=mailer)

    def deliver() -> dict[str, int]:
        from otklik.listen.delivery import Delivery, send_due

        delivery = Delivery.from_settings(jobs.settings, jobs.mailer)
        with jobs.session() as session:
            report = send_due(session=session, delivery=delivery)
        return {k: v for k, v in vars(report).items() if isinstance(v, int)}

    def purge() -> int:
        from otklik.listen.drafts import purge_drafts

        with jobs.session() as session:
            return purge_drafts(session=session)

    jobs.deliver = huey.task(name="deliver", retries=0)(deliver)
    huey.periodic_task(crontab(minute="*"), name="deliver_every_minute")(deliver)
    jobs.purge_drafts = huey.task(name="purge_drafts")(purge)

    def analyse(seconds: float = ANALYSE_SECONDS) -> dict[str, Any]:
        # New comments in batches for under a minute; the next run takes the rest
        # (robust to restarts). A count would cap the rate: 2,000 a minute is 33/s.
        from otklik.understand.comments.enrich import analyse_responses

        with jobs.session() as session:
            report = analyse_responses(
                session=session,
                redact_stored=jobs.settings.redact_pii_on_ingest,
                seconds=seconds,
                data_dir=jobs.settings.data_dir,
            )
        return vars(report)

    jobs.analyse_comments = huey.task(name="analyse_comments", retries=1)(analyse)
    huey.periodic_task(crontab(minute="*"), name="analyse_comments_every_minute")(analyse)
    huey.periodic_task(crontab(minute="17", hour="3"), name="purge_drafts_daily")(purge)

    # --- churn-risk model (understand/churn_risk.py): trained here, read by pages and the CLI
    def train_churn(horizon_days: int = 90, min_churners: int = 50) -> dict[str, Any]:
        # Reads the saved model when this hour's, on these data, exists; else trains and saves.
        from otklik.understand.churn_risk import churn_risk_report, current_hour
        from otklik.understand.churn_store import models_dir

        with jobs.session() as session:
            report = churn_risk_report(
                session=session,
                as_of=current_hour(),
                horizon_days=horizon_days,
                min_churners=min_churners,
                limit=1,
                directory=models_dir(jobs.settings.data_dir),
            )
        return {"as_of": report.as_of.isoformat(), "enough_data": report.enough_data}

    jobs.train_churn = huey.task(name="train_churn", retries=0)(train_churn)
    huey.periodic_task(crontab(minute="*/10"), name="train_churn_every_10_minutes")(train_churn)
    # --- end churn-risk model
    return jobs


def run_worker(settings: Settings, *, workers: int = 2) -> None:
    """Run the consumer (blocks until SIGINT/SIGTERM): queued tasks and the schedules."""
    from huey.consumer import Consumer

    jobs = create_jobs(settings)
    syncing = Every(ANALYTICS_SYNC_SECONDS, jobs.sync_analytics, name="otklik-analytics-sync")
    syncing.start()
    try:
        Consumer(jobs.huey, workers=workers, periodic=True, worker_type="thread").run()
    finally:
        syncing.stop()
        jobs.close()


class Every(threading.Thread):
    """Calls ``action`` every ``seconds`` until stopped; a failure is logged and the next
    round tries again (a failed analytics sync leaves reads exact, only slower)."""

    def __init__(self, seconds: float, action: Callable[[], Any], *, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.seconds = seconds
        self.action = action
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.action()
            except Exception:
                log.exception("%s failed", self.name)
            self._stopped.wait(self.seconds)

    def stop(self, timeout: float = 30.0) -> None:
        self._stopped.set()
        self.join(timeout)


def enqueue_delivery(state: Any) -> None:
    """Ask the worker to send now (after invitations were created). ``state`` is the web
    app's ``app.state``; its ``jobs`` is created on first use. A queue that is down only
    delays mail until the next periodic run, so a failure here is logged, not raised."""
    import logging

    try:
        jobs = getattr(state, "jobs", None)
        if jobs is None:
            jobs = state.jobs = create_jobs(state.settings)
        jobs.deliver()
    except Exception as exc:
        logging.getLogger(__name__).warning("could not enqueue delivery: %s", exc)


def enqueue_churn_training(state: Any, *, horizon_days: int, min_churners: int) -> None:
    """Ask the worker to train the churn model (a page found none for this hour and data).
    Like :func:`enqueue_delivery`: a queue that is down is logged, and the page says the
    model is being trained; the periodic run trains the default horizon anyway."""
    try:
        jobs = getattr(state, "jobs", None)
        if jobs is None:
            jobs = state.jobs = create_jobs(state.settings)
        jobs.train_churn(horizon_days=horizon_days, min_churners=min_churners)
    except Exception as exc:
        log.warning("could not enqueue churn-model training: %s", exc)
