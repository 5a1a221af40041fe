"""The daily job inside `triage serve`: APScheduler runs pipeline.run_daily at [digest] send_at.

The job runs on the scheduler's own thread, never a request thread, with its own database
connection. max_instances=1 stops overlap inside one process; the file lock in run_daily
stops it across processes (serve plus a cron `triage daily`). A serve started after today's
send_at with no run since then (the machine was off) runs the job once right away.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from triage.config import Settings
from triage.errors import TriageError
from triage.pipeline import run_daily
from triage.store import Store

JOB_ID = "daily"
CATCH_UP_ID = "missed daily"
MISFIRE_GRACE = 3600  # seconds: a machine waking up within an hour of send_at still runs the day's job
logger = logging.getLogger("triage.schedule")


def trigger(settings: Settings) -> CronTrigger:
    """Every day at [digest] send_at, local time."""
    hour, minute, second = settings.digest.send_time(settings.source)
    return CronTrigger(hour=hour, minute=minute, second=second)


def missed(store: Store, settings: Settings, now: dt.datetime | None = None) -> bool:
    """Today's send_at has passed and no daily job has started since it."""
    now = now or dt.datetime.now().astimezone()
    hour, minute, second = settings.digest.send_time(settings.source)
    due = now.replace(hour=hour, minute=minute, second=second, microsecond=0)
    if now < due:
        return False
    runs = store.job_runs("daily", limit=1)
    if not runs:
        return True
    started = dt.datetime.strptime(runs[0]["started_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return started < due


def daily_job(settings: Settings, db_path: str) -> None:
    """What the scheduler calls: one run on a fresh connection; failures are logged (and in job_runs)."""
    store = Store(db_path)
    try:
        store.require_schema()
        report = run_daily(store, settings)
        logger.info("Daily job: %s", report.summary())
    except TriageError as e:
        logger.error("Daily job failed: %s", e)
    except Exception:
        logger.exception("Daily job failed")
    finally:
        store.close()


def start_scheduler(settings: Settings, db_path: str) -> BackgroundScheduler:
    """Start a background scheduler running the daily job; call .shutdown() on it when serve stops."""
    scheduler = BackgroundScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE}
    )
    scheduler.add_job(daily_job, trigger(settings), args=[settings, db_path], id=JOB_ID, name="daily job")
    store = Store(db_path)
    try:
        store.require_schema()
        late = missed(store, settings)
    finally:
        store.close()
    if late:
        logger.info("Today's daily job did not run at send_at; running it now.")
        scheduler.add_job(daily_job, args=[settings, db_path], id=CATCH_UP_ID, name="missed daily job")
    scheduler.start()
    return scheduler
