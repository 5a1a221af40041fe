"""Where papers come from: the arXiv API, the arXiv RSS feed, and files.

`fetch` is the one entry point the CLI and the daily job share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from triage.config import Settings
from triage.errors import OperationalError, UserError
from triage.sources import arxiv_api, rss
from triage.store import Store

# arXiv began in August 1991: a window longer than this reaches before it.
MAX_DAYS = 13_000


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
    redo: date | None = None,
    today: date | None = None,
) -> FetchResult:
    """Without days: today's RSS announcement. With days (or source="api"): the API, resumable.

    `redo` fetches again, through the API, the slices from that date on that an earlier run
    recorded as complete; without `days` the window starts at `redo`.
    """
    cfg = settings.arxiv
    categories = categories or cfg.categories
    today = today or date.today()
    if redo is not None:
        if redo > today:
            raise UserError(f"--redo {redo} is in the future.")
        days = days or (today - redo).days + 1
    source = source or ("api" if days else "rss")
    if source == "rss":
        if days:
            raise UserError("RSS only carries today's announcement; use --source api with --days or --redo.")
        papers, url = rss.fetch(cfg, categories)
        if not papers:
            return FetchResult("rss", 0, f"No announcement today in {url} (weekend or holiday).")
        store.upsert_papers(papers)
        on_page(len(papers))
        n = len({p.id for p in papers})
        return FetchResult("rss", n, f"Stored {n} papers from {url}.")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise UserError(f"--days must be between 1 and {MAX_DAYS} (arXiv began in 1991), got {days}.")
    client = arxiv_api.Client.from_config(cfg)
    stats = arxiv_api.fetch(
        store, client, categories, days or 1, today=today, on_page=on_page, redo_since=redo
    )
    skipped = f"; {stats['skipped']} already complete" if stats["skipped"] else ""
    message = f"Stored {stats['papers']} papers from the arXiv API in {stats['slices']} slices{skipped}."
    if stats["empty"]:
        empty = f"arXiv returned no papers for {len(stats['empty'])} settled slices ({', '.join(stats['empty'][:3])}"
        empty += ", ...)" if len(stats["empty"]) > 3 else ")"
        if not stats["papers"]:
            raise OperationalError(f"{empty}; none is marked complete, so the next run fetches them again.")
        message += f" {empty}; they are not marked complete and are fetched again next run."
    return FetchResult("api", stats["papers"], message)
