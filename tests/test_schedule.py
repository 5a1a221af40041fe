"""The daily job's timing and exclusion: it fires at send_at, and never runs twice at once."""

import datetime as dt
import os
import subprocess
import sys
import threading
import time

from tests.support.arxiv_server import REPO
from tests.support.smtp import free_port
from triage import lock, pipeline, schedule
from triage.store import Store


def test_trigger_fires_daily_at_send_at_local_time(settings):
    settings.digest.send_at = "07:30"
    trig = schedule.trigger(settings)
    tz = trig.timezone
    before = dt.datetime(2026, 3, 31, 7, 0, tzinfo=tz)
    after = dt.datetime(2026, 3, 31, 8, 0, tzinfo=tz)
    assert trig.get_next_fire_time(None, before) == dt.datetime(2026, 3, 31, 7, 30, tzinfo=tz)
    assert trig.get_next_fire_time(None, after) == dt.datetime(2026, 4, 1, 7, 30, tzinfo=tz)


def test_scheduler_runs_the_daily_job_and_records_it(settings, store):
    # Nothing listens on the arXiv port: the run ends quickly, and its outcome lands in job_runs.
    dead = f"http://127.0.0.1:{free_port()}/"
    settings.arxiv.rss_url = settings.arxiv.api_url = dead
    settings.digest.send_at = (dt.datetime.now() + dt.timedelta(seconds=2)).strftime("%H:%M:%S")
    scheduler = schedule.start_scheduler(settings, settings.storage.db)
    try:
        job = scheduler.get_job(schedule.JOB_ID)
        assert job.misfire_grace_time == schedule.MISFIRE_GRACE and job.coalesce and job.max_instances == 1
        deadline = time.monotonic() + 20
        while not [r for r in store.job_runs("daily") if r["finished_at"]]:
            assert time.monotonic() < deadline, "the scheduled job did not run"
            time.sleep(0.1)
        next_run = scheduler.get_job(schedule.JOB_ID).next_run_time
        assert next_run - dt.datetime.now(next_run.tzinfo) > dt.timedelta(hours=23)  # again tomorrow
    finally:
        scheduler.shutdown()
    (run,) = store.job_runs("daily")
    assert run["ok"] in (0, 1) and (run["ok"] == 1 or run["error"])


def test_two_overlapping_triggers_run_the_job_once(settings, store):
    """Two threads, each with its own connection (as serve's scheduler and a cron run would have)."""
    start = threading.Barrier(2)
    ran, skipped = [], []

    def trigger():
        own = Store(settings.storage.db)
        try:
            start.wait()
            with lock.hold(own, "daily") as mine:
                if mine:
                    ran.append(threading.get_ident())
                    time.sleep(0.5)  # still running when the other trigger arrives
                else:
                    skipped.append(threading.get_ident())
        finally:
            own.close()

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(ran) == 1 and len(skipped) == 1
    # Released in finally: the next day's run gets the lock.
    with lock.hold(store, "daily") as mine:
        assert mine


def test_daily_while_another_run_holds_the_lock_does_nothing_and_says_so(settings, store, runner):
    other = Store(settings.storage.db)
    try:
        with lock.hold(other, "daily") as mine:
            assert mine
            report = pipeline.run_daily(store, settings)
            assert report.outcome == "busy" and f"pid {os.getpid()}" in report.summary()
            result = runner.invoke(runner.cli, ["daily"])
            assert result.exit_code == 1  # cron sees that nothing was done
            assert "Another daily job (pid" in result.stderr and "this run did nothing" in result.stderr
    finally:
        other.close()
    assert store.job_runs("daily") == []


def test_a_lock_held_by_a_killed_process_is_free_at_once(settings, store, tmp_path):
    """The kernel drops a flock when its holder dies: no lease to wait out after kill -9."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from triage import lock; from triage.store import Store\n"
            f"with lock.hold(Store({settings.storage.db!r}), 'daily') as mine:\n"
            "    print(bool(mine), flush=True); time.sleep(60)",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        with lock.hold(store, "daily") as mine:
            assert not mine and f"pid {holder.pid}" in mine.holder
    finally:
        holder.kill()
        holder.wait()
    with lock.hold(store, "daily") as mine:
        assert mine


def test_missed_only_after_send_at_with_no_run_since(settings, store):
    settings.digest.send_at = "07:30"
    tz = dt.timezone(dt.timedelta(hours=2))
    morning, noon = dt.datetime(2026, 3, 31, 7, 0, tzinfo=tz), dt.datetime(2026, 3, 31, 12, 0, tzinfo=tz)
    assert not schedule.missed(store, settings, morning)
    assert schedule.missed(store, settings, noon)  # never ran
    run = store.start_job_run("daily")
    # 05:00 UTC is 07:00 at +02:00: before today's send_at, so today's run is still missing.
    store.conn.execute("UPDATE job_runs SET started_at = '2026-03-31T05:00:00Z' WHERE id = ?", (run,))
    assert schedule.missed(store, settings, noon)
    store.conn.execute("UPDATE job_runs SET started_at = '2026-03-31T05:31:00Z' WHERE id = ?", (run,))
    assert not schedule.missed(store, settings, noon)


def test_serve_started_after_a_missed_send_at_runs_the_job_once_at_start(settings, store):
    dead = f"http://127.0.0.1:{free_port()}/"
    settings.arxiv.rss_url = settings.arxiv.api_url = dead
    settings.digest.send_at = "00:00"
    scheduler = schedule.start_scheduler(settings, settings.storage.db)
    try:
        deadline = time.monotonic() + 20
        while not [r for r in store.job_runs("daily") if r["finished_at"]]:
            assert time.monotonic() < deadline, "the missed job did not run at start"
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    again = schedule.start_scheduler(settings, settings.storage.db)
    try:
        assert again.get_job(schedule.CATCH_UP_ID) is None  # today's run happened
    finally:
        again.shutdown()
    assert len(store.job_runs("daily")) == 1
