"""The arXiv API through the `arxiv` package: date-window queries, retries, resumable backfill.

The package pages and rate-limits for us; this module adds what it lacks: a deadline on each
whole request (sources.http), backoff that honours 429 Retry-After up to MAX_WAIT, a strict
check that a page is a complete arXiv Atom feed (its own parser recovers silently from a
truncated body and reads an HTML maintenance page as an empty result), and month x category
slicing so a long backfill stays under arXiv's caps (2,000 per page, 30,000 per query) and
resumes after an interruption from the slices recorded in fetch_progress. A slice is recorded
only when its entries account for the feed's totalResults and it is not empty: arXiv never has
a month without papers in a category one follows, so an empty answer is an outage to retry,
not a fact to remember.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import arxiv
import requests
from lxml import etree

from triage.config import ArxivConfig
from triage.errors import OperationalError, UserError
from triage.papers import ARXIV, Paper, clean_text, split_id
from triage.sources.http import BadAnswer, DeadlineSession
from triage.store import Store

log = logging.getLogger(__name__)

# arXiv refuses to page past this many results of one query.
QUERY_CAP = 30_000
# A month's slice is final only after its papers have surely been announced.
SETTLE_DAYS = 7
# The longest one wait between tries may be, whatever Retry-After asks for.
MAX_WAIT = 300.0
ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class Client(arxiv.Client):
    """arxiv.Client with a timeout, backoff, Retry-After and a strict completeness check.

    Retries are ours (the package's own are set to 0) so that the wait can grow and follow
    Retry-After, and so the final failure is one sentence naming the URL.
    """

    def __init__(
        self,
        api_url: str,
        page_size: int,
        delay_seconds: float,
        max_retries: int,
        timeout_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
    ):
        super().__init__(page_size=page_size, delay_seconds=delay_seconds, num_retries=0)
        self.query_url_format = api_url + "?{}"
        self.max_retries = max_retries
        self._session = DeadlineSession(timeout_seconds)
        self._sleep = sleep

    @classmethod
    def from_config(cls, cfg: ArxivConfig) -> Client:
        return cls(cfg.api_url, cfg.page_size, cfg.delay_seconds, cfg.max_retries, cfg.timeout_seconds)

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0):
        for attempt in itertools.count():
            try:
                feed = super()._parse_feed(url, first_page=first_page, _try_index=attempt)
                self._check_feed()
                return feed
            except arxiv.HTTPError as e:
                if e.status == 400:
                    raise UserError(f"arXiv rejected the query {url}: {self._error_text()}.") from None
                if e.status != 429 and e.status < 500:
                    raise OperationalError(f"arXiv answered HTTP {e.status} for {url}.") from None
                problem = f"HTTP {e.status}"
            except arxiv.UnexpectedEmptyPageError:
                problem = "an empty page in the middle of the results"
            except BadAnswer as e:
                problem = str(e)
            except requests.RequestException as e:
                problem = f"a network error ({type(e).__name__})"
            if attempt >= self.max_retries:
                raise OperationalError(
                    f"arXiv API failed after {attempt + 1} tries with {problem} for {url}."
                ) from None
            wait = min(MAX_WAIT, max(self.delay_seconds * 2**attempt, self._retry_after()))
            log.info("arXiv API: %s; retrying in %.1f s", problem, wait)
            self._sleep(wait)

    def _check_feed(self) -> None:
        """BadAnswer unless the page is a whole arXiv feed: the package's parser recovers from a
        cut-off body and takes an HTML page for a feed without results; a strict parse tells."""
        resp = self._session.last_response
        try:
            root = etree.fromstring(resp.content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as e:
            raise BadAnswer(f"incomplete XML (line {e.lineno}: {clean_text(e.msg)})") from None
        if root.tag != ATOM + "feed":
            raise BadAnswer(f"a page that is not an arXiv feed (<{etree.QName(root).localname}>)")
        if not (root.findtext(OPENSEARCH + "totalResults") or "").strip().isdigit():
            raise BadAnswer("an arXiv feed without totalResults")

    def _retry_after(self) -> float:
        """Retry-After in seconds (a number or an HTTP date); 0 when absent or unreadable."""
        resp = self._session.last_response
        value = (resp.headers.get("Retry-After", "") if resp is not None else "").strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return 0.0

    def _error_text(self) -> str:
        """The summary of arXiv's error feed, e.g. 'incorrect id format for abc'."""
        resp = self._session.last_response
        try:
            root = etree.fromstring(resp.content, etree.XMLParser(resolve_entities=False, no_network=True))
            text = root.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
        except (etree.XMLSyntaxError, AttributeError):
            text = None
        return clean_text(text) or "HTTP 400 without an explanation"


def paper_from_result(r: arxiv.Result) -> Paper:
    pid, version = split_id(r.entry_id)
    return Paper(
        id=pid,
        version=version,
        title=clean_text(r.title),
        abstract=clean_text(r.summary),
        published=r.published.date().isoformat(),
        updated=r.updated.date().isoformat(),
        authors=[a.name for a in r.authors],
        categories=list(r.categories),
        primary_category=r.primary_category or None,
        source=ARXIV,
    )


def search(category: str, start: date, end: date) -> arxiv.Search:
    """Papers of one category submitted in [start, end], newest first."""
    window = f"[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]"
    return arxiv.Search(
        query=f"cat:{category} AND submittedDate:{window}",
        max_results=QUERY_CAP,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Descending,
    )


def month_slices(start: date, end: date) -> Iterator[tuple[date, date]]:
    """[start, end] cut at month boundaries, newest month first."""
    slices = []
    day = start
    while day <= end:
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        slices.append((day, min(end, next_month - timedelta(days=1))))
        day = next_month
    return reversed(slices)


def fetch(
    store: Store,
    client: Client,
    categories: list[str],
    days: int,
    today: date | None = None,
    on_page: Callable[[int], None] = lambda n: None,
    redo_since: date | None = None,
) -> dict:
    """Fetch the last `days` days, one (category, month) slice at a time; returns counts.

    Each page lands in one transaction. A slice whose month has settled is recorded in
    fetch_progress once its entries account for totalResults and it is not empty, and is
    skipped on the next run, so an interrupted backfill resumes; slices ending on or after
    `redo_since` are fetched again even if recorded.
    """
    today = today or date.today()
    start = today - timedelta(days=days - 1)
    stats = {"papers": 0, "slices": 0, "skipped": 0, "empty": []}
    for first, last in month_slices(start, today):
        for category in categories:
            key = f"api {category} {first:%Y-%m-%d}..{last:%Y-%m-%d}"
            if store.fetch_done(key) and (redo_since is None or last < redo_since):
                stats["skipped"] += 1
                continue
            got = _fetch_slice(store, client, key, search(category, first, last), on_page)
            if got >= QUERY_CAP:
                log.warning("%s hit arXiv's %d-result cap; some papers are missing", key, QUERY_CAP)
            if last <= today - timedelta(days=SETTLE_DAYS):
                if got:
                    store.mark_fetch_done(key)
                else:
                    stats["empty"].append(f"{category} {first:%Y-%m-%d}..{last:%Y-%m-%d}")
            stats["papers"] += got
            stats["slices"] += 1
    return stats


def _fetch_slice(store: Store, client: Client, key: str, query: arxiv.Search, on_page) -> int:
    """Store one slice page by page. The package asks for pages until the entries reach
    totalResults and fails on an empty page before that, so a slice that returns is whole."""
    results = client.results(query)
    got = 0
    while page := list(itertools.islice(results, client.page_size)):
        try:
            papers = [paper_from_result(r).check() for r in page]
        except (ValueError, TypeError) as e:
            raise OperationalError(f"arXiv sent an unusable record for {key} ({e}).") from None
        store.upsert_papers(papers)
        got += len(page)
        on_page(len(page))
    return got
