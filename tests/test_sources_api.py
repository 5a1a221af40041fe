"""arXiv API: the real arxiv client against recorded responses, faults, and resumable backfill."""

import time
from datetime import date

import pytest

from tests.support.arxiv_server import Reply
from triage.errors import OperationalError, UserError
from triage.papers import ARXIV
from triage.sources import arxiv_api

TODAY = date(2025, 3, 15)


def _client(server, page_size=100, max_retries=3, timeout=5.0):
    # Tests lower the delay by building the client directly; the config refuses < 3 s.
    return arxiv_api.Client(server.api_url, page_size, 0.01, max_retries, timeout)


def test_pages_through_recorded_results_newest_first(arxiv_server, store):
    stats = arxiv_api.fetch(store, _client(arxiv_server, page_size=10), ["cs.LG"], days=3, today=TODAY)
    assert stats["papers"] == 60 and store.count_papers() == 60
    assert [int(q["start"]) for q in arxiv_server.requests] == [0, 10, 20, 30, 40, 50]
    q = arxiv_server.requests[0]
    assert q["search_query"] == "cat:cs.LG AND submittedDate:[202503130000 TO 202503152359]"
    assert (q["sortBy"], q["sortOrder"]) == ("submittedDate", "descending")
    p = store.get_paper("2202.12139")
    assert p.version == 1 and p.source == ARXIV and p.title and "\n" not in p.abstract
    assert p.published <= p.updated


def test_503_then_success(arxiv_server, store):
    arxiv_server.script[1] = Reply(status=503, body=b"busy")
    assert arxiv_api.fetch(store, _client(arxiv_server), ["cs.LG"], 1, today=TODAY)["papers"] == 100
    assert len(arxiv_server.requests) == 2


def test_429_waits_for_retry_after(arxiv_server, store):
    arxiv_server.script[1] = Reply(status=429, headers={"Retry-After": "1"})
    t = time.monotonic()
    arxiv_api.fetch(store, _client(arxiv_server), ["cs.LG"], 1, today=TODAY)
    assert time.monotonic() - t >= 1.0
    assert store.count_papers() == 100


def test_spurious_empty_page_is_retried(arxiv_server, store, shared):
    arxiv_server.script[2] = Reply(body=arxiv_server.recorded("id_0000.0000_*.xml"))
    arxiv_api.fetch(store, _client(arxiv_server, page_size=10), ["cs.LG"], 1, today=TODAY)
    assert store.count_papers() == 60
    assert [int(q["start"]) for q in arxiv_server.requests][:3] == [0, 10, 10]


def test_truncated_xml_is_retried_then_reported(arxiv_server, store):
    whole = arxiv_server.api_reply({"start": "0", "max_results": "100"}).body
    arxiv_server.requests.clear()
    arxiv_server.script[1] = Reply(body=whole[: len(whole) // 2])
    arxiv_api.fetch(store, _client(arxiv_server), ["cs.LG"], 1, today=TODAY)
    assert store.count_papers() == 100

    arxiv_server.requests.clear()
    arxiv_server.script[1] = Reply(body=whole[: len(whole) // 2])
    with pytest.raises(OperationalError, match=r"incomplete XML.*127\.0\.0\.1") as e:
        arxiv_api.fetch(store, _client(arxiv_server, max_retries=0), ["cs.AI"], 1, today=TODAY)
    assert "\n" not in str(e.value)


def test_400_error_feed_names_arxivs_reason(arxiv_server, store):
    arxiv_server.script[1] = Reply(status=400, body=arxiv_server.recorded("id_abc_*.xml"))
    with pytest.raises(UserError, match="incorrect id format for abc"):
        arxiv_api.fetch(store, _client(arxiv_server), ["cs.LG"], 1, today=TODAY)
    assert len(arxiv_server.requests) == 1


def test_connection_refused_gives_up_after_max_retries(store):
    client = arxiv_api.Client("http://127.0.0.1:9/api/query", 100, 0.01, 2, 2.0)
    with pytest.raises(OperationalError, match="failed after 3 tries with a network error"):
        arxiv_api.fetch(store, client, ["cs.LG"], 1, today=TODAY)
    assert store.count_papers() == 0


def test_request_timeout(arxiv_server, store):
    arxiv_server.script[1] = Reply(delay=2.0)
    with pytest.raises(OperationalError, match="ReadTimeout"):
        arxiv_api.fetch(store, _client(arxiv_server, max_retries=0, timeout=0.3), ["cs.LG"], 1, today=TODAY)


def test_failed_page_leaves_database_untouched_for_that_page(arxiv_server, store):
    for n in range(3, 10):
        arxiv_server.script[n] = Reply(status=500)
    with pytest.raises(OperationalError):
        arxiv_api.fetch(store, _client(arxiv_server, page_size=10, max_retries=1), ["cs.LG"], 1, today=TODAY)
    assert store.count_papers() == 20  # pages 1 and 2 committed, page 3 not at all


def test_month_slices_newest_first():
    slices = list(arxiv_api.month_slices(date(2024, 12, 31), TODAY))
    assert slices == [
        (date(2025, 3, 1), TODAY),
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2024, 12, 31), date(2024, 12, 31)),
    ]


def test_backfill_resumes_after_interruption(arxiv_server, store):
    cats = ["cs.LG", "cs.AI"]
    # Requests: Mar LG, Mar AI, Feb LG, Feb AI, then Jan LG fails for good.
    arxiv_server.script.update({5: Reply(status=503), 6: Reply(status=503)})
    with pytest.raises(OperationalError, match="HTTP 503"):
        arxiv_api.fetch(store, _client(arxiv_server, max_retries=1), cats, days=75, today=TODAY)
    assert store.fetch_done("api cs.LG 2025-02-01..2025-02-28")
    assert store.fetch_done("api cs.AI 2025-02-01..2025-02-28")
    assert not store.fetch_done("api cs.LG 2025-03-01..2025-03-15")  # the current month never is

    arxiv_server.requests.clear()
    arxiv_server.script.clear()
    stats = arxiv_api.fetch(store, _client(arxiv_server), cats, days=75, today=TODAY)
    assert stats["skipped"] == 2 and stats["slices"] == 6
    windows = [q["search_query"].split("submittedDate:")[1] for q in arxiv_server.requests]
    assert not any("20250201" in w for w in windows)
    assert "[202412310000 TO 202412312359]" in windows
    assert store.fetch_done("api cs.AI 2024-12-31..2024-12-31")
    assert store.count_papers() == 100


def test_cli_network_failure_exits_1_with_one_sentence(runner, tmp_path, db_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[arxiv]\napi_url = "http://127.0.0.1:9/api/query"\nmax_retries = 0\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch", "--days", "2"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "127.0.0.1:9" in result.output
    from triage.store import Store

    assert Store(db_path).count_papers() == 0


def test_cli_fetch_api(runner, tmp_path, arxiv_server):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\napi_url = "{arxiv_server.api_url}"\npage_size = 100\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch", "--days", "1", "--category", "cs.CL"])
    assert result.exit_code == 0, result.output
    assert "Stored 100 papers" in result.output
    assert arxiv_server.requests[0]["search_query"].startswith("cat:cs.CL AND ")


def test_cli_bad_days_exits_2(runner):
    assert runner.invoke(runner.cli, ["fetch", "--days", "zero"]).exit_code == 2
    assert runner.invoke(runner.cli, ["fetch", "--days", "0"]).exit_code == 2
    result = runner.invoke(runner.cli, ["fetch", "--days", "3", "--source", "rss"])
    assert result.exit_code == 2 and "--source api" in result.output
