"""HTTP GET with a deadline on the whole answer, for the arXiv API and RSS.

requests' timeout bounds each socket read, so a server that sends one byte a second keeps a
request alive for ever; here the body is read in pieces against a deadline from the start of
the request, and an answer larger than any feed is cut off too.
"""

from __future__ import annotations

import time

import requests
import urllib3.exceptions

# A page of 2,000 API entries is ~5 MB, a full RSS day ~3 MB; more is not a feed.
MAX_BODY = 50_000_000


class BadAnswer(Exception):
    """An answer that cannot be used: too slow, too large, or not the feed asked for."""


class DeadlineSession(requests.Session):
    """Every request ends within `timeout` seconds from connecting to its last byte.

    `last_response` keeps the latest answer, for callers (the arxiv package) that do not return it.
    """

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.last_response: requests.Response | None = None

    def request(self, *args, **kwargs):
        deadline = time.monotonic() + self.timeout
        kwargs.setdefault("timeout", self.timeout)
        kwargs["stream"] = True
        self.last_response = None
        resp = super().request(*args, **kwargs)
        try:
            resp._content = self._body(resp, deadline)
        finally:
            resp.close()
        self.last_response = resp
        return resp

    def _body(self, resp: requests.Response, deadline: float) -> bytes:
        body = bytearray()
        while True:
            try:
                piece = resp.raw.read1(65536, decode_content=True)
            except (urllib3.exceptions.HTTPError, OSError) as e:
                raise requests.ConnectionError(f"the answer broke off ({type(e).__name__})") from None
            if not piece:
                return bytes(body)
            body += piece
            if time.monotonic() > deadline:
                raise BadAnswer(f"no complete answer within {self.timeout:g} s")
            if len(body) > MAX_BODY:
                raise BadAnswer(f"an answer larger than {MAX_BODY} bytes")
