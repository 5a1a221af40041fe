"""Import papers from files: the arXiv OAI snapshot, simple JSONL, API Atom, RSS.

JSON-lines files stream line by line (the OAI snapshot is several GB) and land in batches of
BATCH lines, each batch one transaction. A malformed line, or a record that Paper.check
refuses (a date that is not a real date, a non-string author), stops the import with exit 2
naming file:line; the batches before it stay (upserts are idempotent, so rerunning after the
fix completes without duplicates) and the batch holding the bad line is not written at all.
XML files are small by nature and are parsed whole, and land only if every entry is good.
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
MAX_LINE = 1_000_000  # bytes; an OAI snapshot line is a few kB
MAX_XML = 200_000_000  # bytes; XML is parsed whole, and a full day's feed is ~3 MB
# What a bad record raises on its way to a Paper: a JSON error, a missing key, a wrong type, a
# date that is no date, JSON nested too deep for the parser.
BAD_RECORD = (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError, RecursionError)


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
            batch.append(to_paper(json.loads(line)).check())
        except BAD_RECORD as e:
            raise UserError(f"{path}:{lineno}: not a valid {fmt} record ({_reason(e)}).") from None
        if len(batch) >= BATCH:
            count += store.upsert_papers(batch)
            progress(offset - reported)
            reported, batch = offset, []
    count += store.upsert_papers(batch)
    progress(path.stat().st_size - reported)
    return count


def _lines(path: Path) -> Iterator[tuple[int, bytes, int]]:
    """(line number, line, byte offset after it) for the non-blank lines of a file; a line
    longer than MAX_LINE stops with its number before it is read whole."""
    offset = lineno = 0
    with path.open("rb") as f:
        while line := f.readline(MAX_LINE + 1):
            lineno += 1
            offset += len(line)
            if len(line) > MAX_LINE:
                raise UserError(f"{path}:{lineno}: the line is longer than {MAX_LINE:,} bytes.")
            if line.strip():
                yield lineno, line, offset


def _reason(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"missing key {e}"
    if isinstance(e, RecursionError):
        return "JSON nested too deep"
    return clean_text(str(e))[:200]


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
        version=_version(d.get("version") or version),
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
        version=_version(versions[-1]["version"].lstrip("v")),
        title=clean_text(d["title"]),
        abstract=clean_text(d["abstract"]),
        published=first,
        updated=_iso_date(d["update_date"]) if d.get("update_date") else None,
        authors=_oai_authors(d),
        categories=d["categories"].split(),
        source=ARXIV,
    )


def _version(v) -> int:
    """An integer, or its digits as a string ("2"); not a float such as 1e20."""
    if isinstance(v, str) and v.isdigit() and len(v) <= 6:
        return int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    raise TypeError(f"version must be an integer, got {v!r}")


def _oai_authors(d: dict) -> list[str]:
    parsed = d.get("authors_parsed")
    if parsed:
        return [" ".join(p for p in (a[1], a[0], *a[2:]) if p).strip() for a in parsed]
    names = (d.get("authors") or "").replace(" and ", ", ")
    return [clean_text(n) for n in names.split(",") if n.strip()]


def _iso_date(s) -> str:
    """The date part of an ISO date or timestamp; Paper.check tests that it is a real date."""
    if not isinstance(s, str):
        raise TypeError(f"a date must be a string YYYY-MM-DD, got {s!r}"[:200])
    return s.strip()[:10]


def _xml_papers(path: Path, fmt: str) -> list[Paper]:
    if path.stat().st_size > MAX_XML:
        raise UserError(f"{path} is larger than {MAX_XML:,} bytes; an arXiv feed file is far smaller.")
    content = path.read_bytes()
    if fmt == "rss":
        return rss.parse(content, str(path))
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise UserError(f"{path}:{e.lineno}: not well-formed XML ({clean_text(e.msg)[:200]}).") from None
    papers = []
    for entry in root.iterfind("{http://www.w3.org/2005/Atom}entry"):
        try:
            result = arxiv_feed._build_result(entry)
            if result is None:
                raise ValueError("an entry without an id or dates")
            papers.append(paper_from_result(result).check())
        except BAD_RECORD as e:
            raise UserError(
                f"{path}:{entry.sourceline}: not a valid arXiv Atom entry ({_reason(e)})."
            ) from None
    return papers
