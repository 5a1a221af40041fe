"""`triage daily` end to end: a recorded arXiv RSS day served locally -> fetch -> analyze -> one email."""

import importlib.util
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("triage.sources.fetch") is None,
    reason="triage.sources.fetch (fetch_new) is not merged yet",
)

REPO = Path(__file__).resolve().parent.parent
FEED_NAME = "arxiv/rss/rss2_2026/cs.LG_2026-04-27_trimmed.xml"


def _shared_data() -> Path:
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "data" / FEED_NAME).exists():
            return base / "shared" / "data"
    pytest.skip("the recorded arXiv data (../shared/data) is not here")


class FeedServer:
    """Serves one RSS body for every path; `weekend()` swaps in the same feed without items."""

    def __init__(self, body: bytes):
        self.body = body
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/rss/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def weekend(self) -> None:
        self.body = re.sub(rb"<item>.*?</item>\s*", b"", self.body, flags=re.S)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed():
    server = FeedServer((_shared_data() / FEED_NAME).read_bytes())
    yield server
    server.close()


def _config(path: Path, feed_url: str, smtp_port: int) -> None:
    path.write_text(
        f'[arxiv]\ncategories = ["cs.LG"]\nrss_url = "{feed_url}"\napi_url = "{feed_url}"\n'
        f'[digest]\nto = ["reader@example.org"]\nfrom = "triage@example.org"\n'
        f'smtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\n'
    )


def test_daily_fetches_analyzes_and_mails_once(runner, tmp_path, feed, smtp_server, store):
    _config(tmp_path / "config.toml", feed.url, smtp_server.port)

    first = runner.invoke(runner.cli, ["daily"])
    assert first.exit_code == 0, first.output
    assert feed.requests, "daily did not fetch from the configured RSS server"
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


def test_no_announcement_means_no_digest(runner, tmp_path, feed, smtp_server, store):
    _config(tmp_path / "config.toml", feed.url, smtp_server.port)
    feed.weekend()
    result = runner.invoke(runner.cli, ["daily"])
    assert result.exit_code == 0, result.output
    assert "No announcement today" in result.stdout
    assert smtp_server.messages == []
    (run,) = store.job_runs("daily")
    assert run["ok"] == 1 and run["error"] is None
