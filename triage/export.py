"""Export papers with their analysis: JSONL (the contract in DESIGN.md), BibTeX, Atom.

Papers stream from the store in chunks so an export of the whole history keeps memory flat.
Text is stored as it came; the XML and BibTeX writers make it safe for their format: control
characters XML 1.0 cannot carry are dropped, and every BibTeX value keeps its braces balanced
(BibTeX counts braces even after a backslash, so a literal brace is written as a LaTeX command).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from triage import fundamentals
from triage.papers import arxiv_url
from triage.store import Store

FORMATS = ("jsonl", "bibtex", "atom")
CHUNK = 500


def records(store: Store, since: str | None = None) -> Iterator[dict]:
    """One dict per paper with the contract keys, oldest first."""
    papers = store.iter_papers(since=since)
    while chunk := list(itertools.islice(papers, CHUNK)):
        yield from paper_records(store, chunk)


def paper_records(store: Store, chunk: list) -> Iterator[dict]:
    """The contract dicts of the given papers (the reading queue's feeds export these too)."""
    names = {f.id: f.name for f in fundamentals.by_id().values()}
    ids = [p.id for p in chunk]
    links = store.fundamentals_detail(ids)
    topics = store.topic_for(ids)
    unlocked = store.unlocked_ids(ids)
    for p in chunk:
        topic = topics.get(p.id)
        yield {
            "id": p.id,
            "version": p.version,
            "title": p.title,
            "published": p.published,
            "updated": p.updated,
            "categories": p.categories,
            "primary_category": p.primary_category,
            "authors": p.authors,
            "abstract": p.abstract,
            "hype": topic["hype"] if topic else None,
            "topic": {k: topic[k] for k in ("id", "label", "onset", "age_days")} if topic else None,
            "fundamentals": None  # not analysed, as against [] (rests on none)
            if links[p.id] is None
            else [
                {"id": fid, "name": names.get(fid, fid), "score": round(score, 4)}
                for fid, score, _ in links[p.id]
            ],
            "locked": p.id not in unlocked,
        }


def write(store: Store, out: TextIO, fmt: str = "jsonl", since: str | None = None) -> int:
    """Write every paper (published on or after `since`) to `out`; returns the count."""
    recs = records(store, since)
    if fmt == "jsonl":
        return _count(out.write(json.dumps(r, ensure_ascii=False) + "\n") for r in recs)
    if fmt == "bibtex":
        return _count(out.write(bibtex_entry(r) + "\n") for r in recs)
    return atom(out, recs)


def _count(it) -> int:
    return sum(1 for _ in it)


# C0 controls other than tab and newline, and the two non-characters: not allowed in XML 1.0,
# and meaningless in a title or a name.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BIB_SPECIAL = re.compile(r"([\\{}&%$#_^~])")
_BIB_REPLACE = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "^": r"\^{}",
    "~": r"\~{}",
}


def _bib(s: str) -> str:
    """A BibTeX field value whose braces balance, with LaTeX's specials escaped."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACE.get(m[1], "\\" + m[1]), _CONTROL.sub("", s))


def _xml(s: str) -> str:
    return escape(_CONTROL.sub("", s))


def _xml_attr(s: str) -> str:
    return quoteattr(_CONTROL.sub("", s))


def bibtex_entry(r: dict) -> str:
    first = r["authors"][0].split() if r["authors"] else []
    surname = (first[-1] if first else "anon").lower()
    key = re.sub(r"[^a-z0-9]", "", surname) + r["published"][:4] + "_" + re.sub(r"\W", "_", r["id"])
    fields = {
        "title": "{" + _bib(r["title"]) + "}",
        "author": " and ".join(_bib(a) for a in r["authors"]) or None,
        "year": _bib(r["published"][:4]),
        "eprint": _bib(r["id"]),
        "archivePrefix": "arXiv",
        "primaryClass": _bib(r["primary_category"] or ""),
        "url": _bib(arxiv_url(r["id"], r["version"])),
    }
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@misc{{{key},\n{body}\n}}\n"


def atom(
    out: TextIO, recs: Iterator[dict], title: str = "paper-triage export", feed_id: str = "export"
) -> int:
    """An Atom feed of the records; returns the entry count."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <title>{_xml(title)}</title>\n  <id>urn:paper-triage:{_xml(feed_id)}</id>\n"
        f"  <updated>{now}</updated>\n  <author><name>paper-triage</name></author>\n"
    )
    n = 0
    for r in recs:
        url = arxiv_url(r["id"], r["version"])
        out.write(
            "  <entry>\n"
            f"    <id>{_xml(url)}</id>\n    <title>{_xml(r['title'])}</title>\n"
            f"    <published>{_xml(r['published'])}T00:00:00Z</published>\n"
            f"    <updated>{_xml(r['updated'] or r['published'])}T00:00:00Z</updated>\n"
            f'    <link href={_xml_attr(url)} rel="alternate" type="text/html"/>\n'
            + "".join(f"    <author><name>{_xml(a)}</name></author>\n" for a in r["authors"])
            + "".join(f"    <category term={_xml_attr(c)}/>\n" for c in r["categories"])
            + f"    <summary>{_xml(r['abstract'])}</summary>\n  </entry>\n"
        )
        n += 1
    out.write("</feed>\n")
    return n
