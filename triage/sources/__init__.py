"""Where papers come from: the arXiv API, the arXiv RSS feed, and files.

`fetch` is the one entry point the CLI and the daily job share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from triage.config import Settings
from triage.errors import UserError
from triage.sources import arxiv_api, rss
from triage.store import Store


@dataclass
class FetchResult:
    source: str
    papers: int
    message: str


def fetch(
    settings: Settings,
    store: Store,
    days: int | None = None,
    categories: list[str] | None = None,
    source: str | None = None,
    on_page: Callable[[int], None] = lambda n: None,
) -> FetchResult:
    """Without days: today's RSS announcement. With days (or source="api"): the API, resumable."""
    cfg = settings.arxiv
    categories = categories or cfg.categories
    source = source or ("api" if days else "rss")
    if source == "rss":
        if days:
            raise UserError("RSS only carries today's announcement; use --source api with --days.")
        papers, url = rss.fetch(cfg, categories)
        if not papers:
            return FetchResult("rss", 0, f"No announcement today in {url} (weekend or holiday).")
        store.upsert_papers(papers)
        on_page(len(papers))
        n = len({p.id for p in papers})
        return FetchResult("rss", n, f"Stored {n} papers from {url}.")
    if days is not None and days < 1:
        raise UserError(f"--days must be at least 1, got {days}.")
    stats = arxiv_api.fetch(store, arxiv_api.Client.from_config(cfg), categories, days or 1, on_page=on_page)
    skipped = f"; {stats['skipped']} already complete" if stats["skipped"] else ""
    return FetchResult(
        "api",
        stats["papers"],
        f"Stored {stats['papers']} papers from the arXiv API in {stats['slices']} slices{skipped}.",
    )
