"""A local arXiv: a threaded HTTP server on 127.0.0.1 serving the recorded real responses.

/api/query answers with the recorded `search_query=testing` pages of the requested size and
start (tests/data/arxiv/atom/2026/q_testing_s{start}_m{size}_*.xml). The one edit: its
opensearch:totalResults says how many results the recorded pages hold, so the real arxiv
client's paging ends where the recording ends. /rss/<cats> serves `server.rss_body`.
Faults are scripted per request number: server.script[n] = Reply(...): any status, body and
headers (an HTML maintenance page, an empty or truncated feed, 429 with Retry-After), a delay
before the answer (a hang), or a drip (the body one byte at a time, `drip` seconds apart).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest

REPO = Path(__file__).resolve().parents[2]
# The recorded responses and corpus slice the tests use, vendored (tests/data/README.md).
TEST_DATA = REPO / "tests" / "data"


def shared_data() -> Path:
    """<repo root>/../shared/data, or TRIAGE_SHARED_DATA (CI clones the repo beside shared/)."""
    path = Path(os.environ.get("TRIAGE_SHARED_DATA") or REPO.parent / "shared" / "data")
    if not (path / "arxiv").is_dir():
        pytest.fail(f"shared data not found at {path}; set TRIAGE_SHARED_DATA to shared/data.")
    return path


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0


class ArxivServer:
    def __init__(self, data: Path):
        self.atom = data / "arxiv" / "atom" / "2026"
        self.script: dict[int, Reply] = {}
        self.requests: list[dict] = []
        self.rss_requests: list[str] = []
        self.rss_body: bytes = b""
        self.rss_status = 200
        self.rss_delay = 0.0
        self.rss_drip = 0.0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/query"

    @property
    def rss_url(self) -> str:
        return self.url + "/rss/"

    def recorded(self, name: str) -> bytes:
        return next(self.atom.glob(name)).read_bytes()

    def api_reply(self, query: dict) -> Reply:
        with self._lock:
            self.requests.append(query)
            n = len(self.requests)
        if n in self.script:
            return self.script[n]
        start, size = int(query["start"]), int(query["max_results"])
        pages = {}
        for f in self.atom.glob(f"q_testing_s*_m{size}_*.xml"):
            pages[int(re.search(r"_s(\d+)_", f.name)[1])] = f
        total, s = 0, 0
        while s in pages:
            total, s = total + size, s + size
        if start not in pages:
            return Reply(body=self.recorded("id_0000.0000_*.xml"))
        body = re.sub(
            rb"<opensearch:totalResults>\d+<",
            f"<opensearch:totalResults>{total}<".encode(),
            pages[start].read_bytes(),
        )
        return Reply(body=body)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(server: ArxivServer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path == "/api/query":
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                reply = server.api_reply(query)
            elif parts.path.startswith("/rss/"):
                server.rss_requests.append(parts.path)
                reply = Reply(
                    server.rss_status, server.rss_body, delay=server.rss_delay, drip=server.rss_drip
                )
            else:
                reply = Reply(status=404, body=b"not found")
            time.sleep(reply.delay)
            self.send_response(reply.status)
            for k, v in {"Content-Type": "application/xml; charset=utf-8", **reply.headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            try:
                if not reply.drip:
                    self.wfile.write(reply.body)
                for i in range(len(reply.body) if reply.drip else 0):
                    self.wfile.write(reply.body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    return Handler


def render_rss_day(cache_json: Path) -> bytes:
    """A full-size rss.arxiv.org RSS 2.0 day rebuilt from a feedparser dump of real feeds.

    Both dumped feeds go into one channel; element names and layout follow the real feeds in
    rss2_2026/. The dump has no <category> per item, so items carry none.
    """
    feeds = json.loads(cache_json.read_text(encoding="utf-8"))
    first = next(iter(feeds.values()))["feed"]
    pub = format_datetime(parsedate_to_datetime(first["published"]))
    items = []
    for feed in feeds.values():
        for e in feed["entries"]:
            announce = re.search(r"Announce Type: ([\w-]+)", e["summary"])[1]
            items.append(
                "    <item>\n"
                f"      <title>{escape(e['title'])}</title>\n"
                f"      <link>{escape(e['link'])}</link>\n"
                f"      <description>{escape(e['summary'])}</description>\n"
                f'      <guid isPermaLink="false">{escape(e["id"])}</guid>\n'
                f"      <pubDate>{pub}</pubDate>\n"
                f"      <arxiv:announce_type>{announce}</arxiv:announce_type>\n"
                "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
                f"      <dc:creator>{escape(e['author'])}</dc:creator>\n"
                "    </item>\n"
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:atom="http://www.w3.org/2005/Atom" '  # namespace names, not fetched
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">\n  <channel>\n'
        f"    <title>{escape(first['title'])}</title>\n    <link>{escape(first['link'])}</link>\n"
        "    <description>updates on the arXiv.org e-print archive.</description>\n"
        f"    <language>en-us</language>\n    <pubDate>{pub}</pubDate>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    ).encode("utf-8")


def empty_rss_day(real_feed: Path) -> bytes:
    """A real feed with its items removed: what rss.arxiv.org serves on a weekend or holiday."""
    return re.sub(rb"\s*<item>.*?</item>", b"", real_feed.read_bytes(), flags=re.S)


@pytest.fixture
def shared() -> Path:
    """The vendored recordings (tests/data), laid out as shared/data is."""
    return TEST_DATA


@pytest.fixture
def arxiv_server(shared):
    server = ArxivServer(shared).start()
    yield server
    server.stop()
