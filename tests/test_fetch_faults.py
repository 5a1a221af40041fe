"""A faulty arXiv: what a backfill records, retries and reports, and how long it may take.

A month slice is recorded as complete only after real feeds whose entries add up to their
totalResults; every other answer (an HTML page, an empty month, a short or cut-off feed, a
drip, a hang) is a failure that leaves the slice to be fetched again.
"""

import time
from datetime import date

import pytest

from tests.support.arxiv_server import Reply
from triage import sources
from triage.errors import OperationalError
from triage.sources import arxiv_api

TODAY = date(2025, 3, 15)
DAYS = 20  # two slices: 2025-03-01..15 (still open) and 2025-02-24..28 (settled)
FEB = "api cs.LG 2025-02-24..2025-02-28"
MAINTENANCE = (
    b"<!DOCTYPE html>\n<html><head><title>arXiv is down for maintenance</title></head>"
    b"<body><h1>Back soon</h1><p>We are upgrading.<br></p></body></html>\n"
)
XHTML = b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Back soon</p></body></html>'


def _client(server, max_retries=0, timeout=5.0, sleep=time.sleep):
    return arxiv_api.Client(server.api_url, 100, 0.01, max_retries, timeout, sleep=sleep)


@pytest.fixture
def api(arxiv_server, settings):
    """Settings pointing at the local server, with the delay tests may use (config refuses < 3 s)."""
    settings.arxiv.api_url = arxiv_server.api_url
    settings.arxiv.categories = ["cs.LG"]
    settings.arxiv.page_size = 100
    settings.arxiv.delay_seconds = 0.01
    settings.arxiv.max_retries = 0
    return settings


def _empty_feed(server) -> bytes:
    return server.recorded("id_0000.0000_*.xml")  # a real answer with totalResults 0


@pytest.mark.parametrize("page", [MAINTENANCE, XHTML], ids=["html", "xhtml"])
def test_a_200_page_that_is_not_a_feed_is_a_failure_not_an_empty_month(api, arxiv_server, store, page):
    arxiv_server.script[2] = Reply(body=page, headers={"Content-Type": "text/html"})
    with pytest.raises(
        OperationalError, match="1 tries with (a page that is not an arXiv feed|incomplete XML)"
    ):
        sources.fetch(api, store, days=DAYS, today=TODAY)
    assert not store.fetch_done(FEB)


def test_an_html_page_then_a_feed_is_retried_and_stored(arxiv_server, store):
    arxiv_server.script[1] = Reply(body=MAINTENANCE)
    stats = arxiv_api.fetch(store, _client(arxiv_server, max_retries=1), ["cs.LG"], 1, today=TODAY)
    assert stats["papers"] == 100 and len(arxiv_server.requests) == 2


def test_cli_html_200_exits_1_in_one_sentence(runner, tmp_path, arxiv_server, db_path):
    arxiv_server.script[1] = Reply(body=MAINTENANCE, headers={"Content-Type": "text/html"})
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\napi_url = "{arxiv_server.api_url}"\npage_size = 100\nmax_retries = 0\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch", "--days", "1", "--category", "cs.LG"])
    assert result.exit_code == 1, result.output
    assert "Stored" not in result.output and result.output.count("\n") == 1
    assert "arXiv API failed after 1 tries" in result.output


def test_an_empty_settled_month_is_not_recorded(api, arxiv_server, store):
    arxiv_server.script[2] = Reply(body=_empty_feed(arxiv_server))
    result = sources.fetch(api, store, days=DAYS, today=TODAY)
    assert result.papers == 100
    assert "no papers for 1 settled slices (cs.LG 2025-02-24..2025-02-28)" in result.message
    assert not store.fetch_done(FEB)
    # The next run asks for February again, and records it once it has papers.
    arxiv_server.requests.clear()
    arxiv_server.script.clear()
    sources.fetch(api, store, days=DAYS, today=TODAY)
    assert len(arxiv_server.requests) == 2 and store.fetch_done(FEB)


def test_a_backfill_that_finds_nothing_at_all_fails(api, arxiv_server, store):
    """'Stored 0 papers' with exit 0 was how an outage looked like success."""
    arxiv_server.script.update(
        {1: Reply(body=_empty_feed(arxiv_server)), 2: Reply(body=_empty_feed(arxiv_server))}
    )
    with pytest.raises(OperationalError, match="no papers for 1 settled slices.*fetches them again"):
        sources.fetch(api, store, days=DAYS, today=TODAY)
    assert not store.fetch_done(FEB)


def test_entries_short_of_total_results_leave_the_slice_open(api, arxiv_server, store):
    whole = arxiv_server.api_reply({"start": "0", "max_results": "100"}).body
    arxiv_server.requests.clear()
    # One entry without <published>: the arxiv package skips it silently, so 99 of 100 arrive.
    cut = whole.index(b"<published>")
    short = whole[:cut] + whole[whole.index(b"</published>", cut) + len(b"</published>") :]
    arxiv_server.script[2] = Reply(body=short)
    with pytest.raises(OperationalError, match="an empty page in the middle of the results"):
        sources.fetch(api, store, days=DAYS, today=TODAY)
    assert not store.fetch_done(FEB)


def test_redo_fetches_recorded_slices_again(api, arxiv_server, store, runner):
    sources.fetch(api, store, days=DAYS, today=TODAY)
    assert store.fetch_done(FEB)
    arxiv_server.requests.clear()
    assert sources.fetch(api, store, days=DAYS, today=TODAY).message.endswith("1 already complete.")
    assert len(arxiv_server.requests) == 1  # February skipped
    arxiv_server.requests.clear()
    result = sources.fetch(api, store, redo=date(2025, 2, 24), today=TODAY)  # the same 20 days
    assert len(arxiv_server.requests) == 2 and "already complete" not in result.message
    assert "202502240000 TO 202502282359" in arxiv_server.requests[1]["search_query"]

    assert runner.invoke(runner.cli, ["fetch", "--redo", "2999-01-01"]).exit_code == 2
    assert runner.invoke(runner.cli, ["fetch", "--redo", "last week"]).exit_code == 2


def test_a_slow_drip_is_cut_off_by_the_request_deadline(arxiv_server, store):
    arxiv_server.script[1] = Reply(body=b"<?xml version='1.0'?>" + b" " * 10_000, drip=0.01)
    t = time.monotonic()
    with pytest.raises(OperationalError, match="no complete answer within 1 s"):
        arxiv_api.fetch(store, _client(arxiv_server, timeout=1.0), ["cs.LG"], 1, today=TODAY)
    assert time.monotonic() - t < 3


def test_a_server_that_never_answers_is_left_after_the_timeout(arxiv_server, store):
    arxiv_server.script[1] = Reply(delay=60)
    t = time.monotonic()
    with pytest.raises(OperationalError, match="network error"):
        arxiv_api.fetch(store, _client(arxiv_server, timeout=0.5), ["cs.LG"], 1, today=TODAY)
    assert time.monotonic() - t < 3


def test_a_huge_retry_after_is_capped(arxiv_server, store):
    waits = []
    arxiv_server.script[1] = Reply(status=429, headers={"Retry-After": "999999999"})
    stats = arxiv_api.fetch(
        store, _client(arxiv_server, max_retries=1, sleep=waits.append), ["cs.LG"], 1, today=TODAY
    )
    assert waits == [arxiv_api.MAX_WAIT] and stats["papers"] == 100


def test_retry_after_as_an_http_date(arxiv_server, store):
    waits = []
    arxiv_server.script[1] = Reply(status=503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    arxiv_api.fetch(
        store, _client(arxiv_server, max_retries=1, sleep=waits.append), ["cs.LG"], 1, today=TODAY
    )
    assert waits == [arxiv_api.MAX_WAIT]


@pytest.mark.parametrize("days", ["1000000", "13001"])
def test_a_window_longer_than_arxiv_exits_2(runner, days):
    result = runner.invoke(runner.cli, ["fetch", "--days", days])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--days must be between 1 and 13000" in result.output


@pytest.mark.parametrize("page", [MAINTENANCE, XHTML], ids=["html", "xhtml"])
def test_rss_html_page_is_a_failure_not_a_quiet_day(runner, tmp_path, arxiv_server, page):
    """A well-formed XHTML page used to read as 'no announcement today' and end the daily run with exit 0."""
    arxiv_server.rss_body = page
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\nrss_url = "{arxiv_server.rss_url}"\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 1, result.output
    assert "is not a readable RSS feed" in result.stderr and "No announcement" not in result.output


def test_rss_slow_drip_is_cut_off(runner, tmp_path, arxiv_server, shared):
    arxiv_server.rss_body = (shared / "arxiv/rss/rss2_2026/cs.LG_2026-04-27_trimmed.xml").read_bytes()
    arxiv_server.rss_drip = 0.01
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\nrss_url = "{arxiv_server.rss_url}"\ntimeout_seconds = 1.0\n')
    t = time.monotonic()
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 1 and "sent no complete answer within 1 s" in result.stderr
    assert time.monotonic() - t < 3
