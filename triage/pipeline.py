"""The daily job: fetch -> analyze -> digest. One function that cron (`triage daily`) and the
scheduler inside `triage serve` both call, so the two can never drift apart.

Each run is recorded in job_runs (the web page shows the last error) and holds the "daily" lock,
so serve's scheduler and a cron run on the same database do the work once. A run that finds the
lock taken does nothing and says who holds it; one that gets it first closes the rows of runs
that died without finishing (the lock is free again only when its holder is gone).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from triage import digest, lock
from triage.config import Settings

logger = logging.getLogger("triage.daily")
INTERRUPTED = "interrupted: the process ended before the run finished"


@dataclass
class Report:
    outcome: str  # "sent" | "already sent" | "no announcement" | "no recipients" | "busy"
    fetched: int = 0
    day: str | None = None
    message_id: str | None = None
    holder: str | None = None  # who holds the lock, when busy

    def summary(self) -> str:
        if self.outcome == "busy":
            return f"busy: another daily job ({self.holder}) holds the lock; this run did nothing"
        return f"{self.outcome}: {self.fetched} fetched" + (f", day {self.day}" if self.day else "")


def run_daily(
    store, settings: Settings, today: dt.date | None = None, log: Callable[[str], None] = logger.info
) -> Report:
    """Fetch today's announcement, analyze it and send its digest; at most one run at a time."""
    with lock.hold(store, "daily") as mine:
        if not mine:
            return Report("busy", holder=mine.holder)
        closed = store.close_unfinished_runs("daily", INTERRUPTED)
        if closed:
            log(f"Closed {closed} earlier daily run(s) that ended without finishing.")
        run_id = store.start_job_run("daily")
        try:
            report = _steps(store, settings, today or dt.date.today(), log)
        except BaseException as e:
            store.finish_job_run(run_id, False, str(e) or type(e).__name__, None)
            raise
        store.finish_job_run(run_id, True, None, report.summary())
        return report


def _steps(store, settings: Settings, today: dt.date, log: Callable[[str], None]) -> Report:
    # Imported here: the sources and analysis modules are heavy (arxiv, the model).
    from triage.analyze import analyze
    from triage.sources import fetch

    result = fetch(settings, store)
    fetched = result.papers
    if not fetched:
        log(f"{result.message} No new papers, so there is no digest today.")
        return Report("no announcement")
    log(result.message)
    analyze(store, settings, progress=False)
    day = store.latest_day()
    log(f"Analyzed; the newest announcement day is {day}.")
    if not settings.digest.to:
        log("[digest] to is empty: the digest is not emailed (the daily page still shows it).")
        return Report("no recipients", fetched, day)
    message_id = digest.deliver(store, settings, day, today)
    if message_id is None:
        log(f"The digest of {day} was sent already; nothing sent.")
        return Report("already sent", fetched, day)
    log(f"Sent the digest of {day} to {', '.join(settings.digest.to)} ({message_id}).")
    return Report("sent", fetched, day, message_id)
