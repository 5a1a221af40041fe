"""`triage daily` end to end: a recorded arXiv RSS day served locally -> fetch -> analyze -> one email."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.arxiv_server import REPO, empty_rss_day
from triage import pipeline

FEED = "arxiv/rss/rss2_2026/cs.LG_2026-04-27_trimmed.xml"


@pytest.fixture
def feed(arxiv_server, shared):
    arxiv_server.rss_body = (shared / FEED).read_bytes()
    return arxiv_server


def _config(path: Path, feed_url: str, smtp_port: int) -> None:
    path.write_text(
        f'[arxiv]\ncategories = ["cs.LG"]\nrss_url = "{feed_url}"\napi_url = "{feed_url}"\n'
        f'[digest]\nto = ["reader@example.org"]\nfrom = "triage@example.org"\n'
        f'smtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\n'
    )


def test_daily_fetches_analyzes_and_mails_once(runner, tmp_path, feed, smtp_server, store):
    _config(tmp_path / "config.toml", feed.rss_url, smtp_server.port)

    first = runner.invoke(runner.cli, ["daily"])
    assert first.exit_code == 0, first.output
    assert feed.rss_requests, "daily did not fetch from the configured RSS server"
    assert len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert re.match(r"paper-triage \d{4}-\d\d-\d\d: \d+ new papers?, ", msg["Subject"])
    assert {p.get_content_type() for p in msg.walk() if not p.is_multipart()} == {"text/plain", "text/html"}

    second = runner.invoke(runner.cli, ["daily"])
    assert second.exit_code == 0, second.output
    assert "sent already" in second.stdout
    assert len(smtp_server.messages) == 1

    runs = store.job_runs("daily")
    assert [r["ok"] for r in runs] == [1, 1] and all(r["finished_at"] for r in runs)


def test_no_announcement_means_no_digest(runner, tmp_path, feed, shared, smtp_server, store):
    _config(tmp_path / "config.toml", feed.rss_url, smtp_server.port)
    feed.rss_body = empty_rss_day(shared / FEED)
    result = runner.invoke(runner.cli, ["daily"])
    assert result.exit_code == 0, result.output
    assert "No announcement today" in result.stdout
    assert smtp_server.messages == []
    (run,) = store.job_runs("daily")
    assert run["ok"] == 1 and run["error"] is None


def test_kill_9_mid_run_then_rerun_reports_and_closes_the_orphan(
    runner, tmp_path, feed, shared, smtp_server, store
):
    """A killed run used to leave a lease that made reruns exit 0 doing nothing, and its run row open."""
    config = tmp_path / "config.toml"
    _config(config, feed.rss_url, smtp_server.port)
    feed.rss_delay = 60  # the run hangs inside fetch, holding the lock, its run row open
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAGE_DB": store.path, "TRIAGE_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "triage", "daily"], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not feed.rss_requests:
            assert time.monotonic() < deadline and proc.poll() is None, "the daily run never reached fetch"
            time.sleep(0.05)
        busy = runner.invoke(runner.cli, ["daily"])
        assert busy.exit_code == 1
        assert f"Another daily job (pid {proc.pid} " in busy.stderr and "this run did nothing" in busy.stderr
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    (orphan,) = store.job_runs("daily")
    assert orphan["finished_at"] is None

    feed.rss_delay = 0
    feed.rss_body = empty_rss_day(shared / FEED)
    rerun = runner.invoke(runner.cli, ["daily"])  # at once: nothing to wait out
    assert rerun.exit_code == 0, rerun.output
    assert "Closed 1 earlier daily run(s) that ended without finishing." in rerun.stdout
    new, old = store.job_runs("daily")
    assert (old["ok"], old["error"]) == (0, pipeline.INTERRUPTED) and old["finished_at"]
    assert new["ok"] == 1
