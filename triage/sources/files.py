"""Import papers from files: the arXiv OAI snapshot, simple JSONL, API Atom, RSS.

JSON-lines files stream line by line (the OAI snapshot is several GB) and land in batches of
BATCH lines, each batch one transaction. A malformed line stops the import with exit 2
naming file:line; the batches before it stay (upserts are idempotent, so rerunning after the
fix completes without duplicates) and the batch holding the bad line is not written at all.
XML files are small by nature and are parsed whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

from arxiv import _feed as arxiv_feed
from lxml import etree

from triage.errors import UserError
from triage.papers import ARXIV, Paper, clean_text, split_id
from triage.sources import rss
from triage.sources.arxiv_api import paper_from_result
from triage.store import Store

FORMATS = ("auto", "jsonl", "oai", "atom", "rss")
BATCH = 1000


def detect(path: Path) -> str:
    """Guess the format from the first bytes (JSON) or the root element (XML)."""
    with path.open("rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"{"):
            f.seek(0)
            first = next(line for line in f if line.strip())
            try:
                obj = json.loads(first)
            except ValueError:
                raise UserError(f"{path}:1: not valid JSON, so the format cannot be detected.") from None
            return "oai" if "versions" in obj or isinstance(obj.get("categories"), str) else "jsonl"
    if head.startswith(b"<"):
        if b"<feed" in head:
            return "atom"
        if b"<rss" in head or b"<rdf:RDF" in head:
            return "rss"
    raise UserError(f"{path}: cannot tell the format from its first bytes; pass --format.")


def import_file(
    store: Store, path: str | Path, fmt: str = "auto", progress: Callable[[int], None] = lambda n: None
) -> int:
    """Import one file; returns the number of records read. `progress` gets bytes consumed."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} does not exist or is not a file.")
    if fmt == "auto":
        fmt = detect(path)
    if fmt in ("atom", "rss"):
        papers = _xml_papers(path, fmt)
        store.upsert_papers(papers)
        progress(path.stat().st_size)
        return len(papers)
    to_paper = _oai_paper if fmt == "oai" else jsonl_paper
    count = reported = 0
    batch: list[Paper] = []
    for lineno, line, offset in _lines(path):
        try:
            batch.append(to_paper(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as e:
            raise UserError(f"{path}:{lineno}: not a valid {fmt} record ({_reason(e)}).") from None
        if len(batch) >= BATCH:
            count += store.upsert_papers(batch)
            progress(offset - reported)
            reported, batch = offset, []
    count += store.upsert_papers(batch)
    progress(path.stat().st_size - reported)
    return count


def _lines(path: Path) -> Iterator[tuple[int, bytes, int]]:
    """(line number, line, byte offset after it) for the non-blank lines of a file."""
    offset = 0
    with path.open("rb") as f:
        for lineno, line in enumerate(f, 1):
            offset += len(line)
            if line.strip():
                yield lineno, line, offset


def _reason(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"missing key {e}"
    return str(e).split("\n")[0]


def jsonl_paper(d: dict) -> Paper:
    """Simple JSONL (the dev corpus's format): id, title, abstract, categories (list), published,
    optional authors/version/source (the list it came from; arXiv when absent). Benches and
    test fixtures read the corpus through this too."""
    pid, version = split_id(d["id"])
    if not isinstance(d["categories"], list):
        raise TypeError("categories must be a list")
    source = d.get("source") or ARXIV
    if not isinstance(source, str):
        raise TypeError("source must be a string")
    published = _iso_date(d["published"])
    return Paper(
        id=pid,
        version=int(d.get("version") or version),
        title=clean_text(d["title"]),
        abstract=clean_text(d["abstract"]),
        published=published,
        updated=_iso_date(d["updated"]) if d.get("updated") else None,
        authors=list(d.get("authors") or []),
        categories=list(d["categories"]),
        primary_category=d.get("primary_category"),
        source=source,
    )


def _oai_paper(d: dict) -> Paper:
    """A line of the arXiv OAI metadata snapshot (Kaggle 'arxiv-metadata-oai-snapshot.json')."""
    versions = d["versions"]
    first = parsedate_to_datetime(versions[0]["created"]).date().isoformat()
    return Paper(
        id=d["id"].strip(),
        version=int(versions[-1]["version"].lstrip("v")),
        title=clean_text(d["title"]),
        abstract=clean_text(d["abstract"]),
        published=first,
        updated=_iso_date(d["update_date"]) if d.get("update_date") else None,
        authors=_oai_authors(d),
        categories=d["categories"].split(),
        source=ARXIV,
    )


def _oai_authors(d: dict) -> list[str]:
    parsed = d.get("authors_parsed")
    if parsed:
        return [" ".join(p for p in (a[1], a[0], *a[2:]) if p).strip() for a in parsed]
    names = (d.get("authors") or "").replace(" and ", ", ")
    return [clean_text(n) for n in names.split(",") if n.strip()]


def _iso_date(s: str) -> str:
    s = str(s).strip()[:10]
    if len(s) != 10 or s[4] != "-" or s[7] != "-" or not (s[:4] + s[5:7] + s[8:]).isdigit():
        raise ValueError(f"date {s!r} is not YYYY-MM-DD")
    return s


def _xml_papers(path: Path, fmt: str) -> list[Paper]:
    content = path.read_bytes()
    if fmt == "rss":
        return rss.parse(content, str(path))
    try:
        etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise UserError(f"{path}:{e.lineno}: not well-formed XML ({e.msg}).") from None
    feed = arxiv_feed.parse(content)
    return [paper_from_result(r) for r in feed.results]
