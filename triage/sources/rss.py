"""Today's announcement from rss.arxiv.org, parsed by feedparser.

One request per fetch (categories joined with '+'). Items carry the announcement type; only
the configured types are kept. Every item's date is the announcement day (the feed's
pubDate): RSS carries no submission date. An empty channel on a weekend or holiday is not an
error.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

import feedparser
import requests

from triage.config import ArxivConfig
from triage.errors import OperationalError, UserError
from triage.papers import ARXIV, Paper, clean_text, split_id
from triage.sources.http import BadAnswer, DeadlineSession

_PREAMBLE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*(?P<type>[\w-]+)\s*Abstract:\s*", re.S)


def feed_url(cfg: ArxivConfig, categories: list[str]) -> str:
    return cfg.rss_url.rstrip("/") + "/" + "+".join(categories)


def fetch(cfg: ArxivConfig, categories: list[str]) -> tuple[list[Paper], str]:
    """Download and parse today's feed; returns (papers, url). Raises OperationalError if broken."""
    url = feed_url(cfg, categories)
    try:
        resp = DeadlineSession(cfg.timeout_seconds).get(url, headers={"user-agent": "paper-triage"})
    except requests.RequestException as e:
        raise OperationalError(f"Could not reach the arXiv RSS feed {url} ({type(e).__name__}).") from None
    except BadAnswer as e:
        raise OperationalError(f"The arXiv RSS feed {url} sent {e}.") from None
    if resp.status_code != 200:
        raise OperationalError(f"The arXiv RSS feed {url} answered HTTP {resp.status_code}.")
    return parse(resp.content, url, cfg.announce_types, error=OperationalError), url


def parse(
    content: bytes, where: str, announce_types: list[str] | None = None, error=UserError
) -> list[Paper]:
    """Papers of one RSS document; `error` is raised (naming `where`) if it is not a feed."""
    feed = feedparser.parse(content)
    if not feed.version or feed.bozo and not feed.entries and not feed.feed.get("title"):
        # An HTML page (a maintenance notice) has no feed version: it is not "no announcement".
        problem = feed.get("bozo_exception") or "no RSS or Atom root element"
        raise error(f"{where} is not a readable RSS feed ({problem}).")
    day = _announce_day(feed)
    papers = []
    for n, e in enumerate(feed.entries, 1):
        try:
            papers.append(entry_to_paper(e, day).check())
        except (ValueError, TypeError) as exc:
            guid = clean_text(str(e.get("id", "no id")))[:80]
            raise error(
                f"{where}: item {n} ({guid}) is not a usable paper ({clean_text(str(exc))[:200]})."
            ) from None
    return [p for p in papers if announce_types is None or p.announce_type in announce_types]


def _announce_day(feed) -> str | None:
    raw = feed.feed.get("published") or feed.feed.get("updated")
    if raw:
        try:
            return parsedate_to_datetime(raw).date().isoformat()
        except (TypeError, ValueError):
            pass
    parsed = feed.feed.get("published_parsed") or feed.feed.get("updated_parsed")
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}" if parsed else None


def entry_to_paper(e, day: str | None) -> Paper:
    pid, version = split_id(e.get("id") or e.get("link", ""))
    summary = e.get("summary", "")
    m = _PREAMBLE.match(summary)
    announce = e.get("arxiv_announce_type") or (m["type"] if m else None)
    abstract = summary[m.end() :] if m else summary
    published = day or _entry_day(e)
    return Paper(
        id=pid,
        version=version,
        title=clean_text(e.get("title")),
        abstract=clean_text(abstract),
        published=published,
        updated=published,
        authors=[a.strip() for a in e.get("author", "").split(",") if a.strip()],
        categories=[t.term for t in e.get("tags", []) if t.get("term")],
        announce_type=announce,
        source=ARXIV,
    )


def _entry_day(e) -> str:
    parsed = e.get("published_parsed") or e.get("updated_parsed")
    if not parsed:
        raise ValueError("it has no date and the feed has no pubDate")
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
