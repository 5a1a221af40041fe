"""Render a list of Paper records as BibTeX or an Atom feed (the reading queue's exports).

Pure functions over Paper, so the web app and any CLI export share one rendering.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from triage.papers import Paper

ATOM_NS = "http://www.w3.org/2005/Atom"
_BIB_SPECIAL = re.compile(r"(?<!\\)([&%#])")


def abs_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"


def pdf_url(paper_id: str) -> str:
    return f"https://arxiv.org/pdf/{paper_id}"


def _bib_value(text: str) -> str:
    """Escape LaTeX specials and drop braces that do not balance, so one entry never breaks a file."""
    text = _BIB_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "").replace("}", "")
    return text


def bibtex(papers: list[Paper]) -> str:
    """One @misc entry per paper, keyed arXiv:ID, with eprint fields biber/natbib understand."""
    entries = []
    for p in papers:
        key = "arXiv:" + p.id.replace("/", "_")
        fields = [
            ("title", "{" + _bib_value(p.title) + "}"),
            ("author", " and ".join(_bib_value(a) for a in p.authors) or "{Unknown}"),
            ("year", p.published[:4]),
            ("eprint", p.id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", p.primary_category or ""),
            ("url", abs_url(p.id)),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def atom(papers: list[Paper], title: str, feed_url: str, updated: dt.datetime | None = None) -> str:
    """An Atom 1.0 feed with one entry per paper (abstract as summary, abs and PDF links)."""
    updated = (updated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = updated
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=feed_url)
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM_NS}}}author"), f"{{{ATOM_NS}}}name").text = "paper-triage"
    for p in papers:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = abs_url(p.id)
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = p.title
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = f"{p.updated or p.published}T00:00:00Z"
        ET.SubElement(entry, f"{{{ATOM_NS}}}published").text = f"{p.published}T00:00:00Z"
        ET.SubElement(entry, f"{{{ATOM_NS}}}summary").text = p.abstract
        for name in p.authors:
            ET.SubElement(ET.SubElement(entry, f"{{{ATOM_NS}}}author"), f"{{{ATOM_NS}}}name").text = name
        for cat in p.categories:
            ET.SubElement(entry, f"{{{ATOM_NS}}}category", term=cat)
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", href=abs_url(p.id))
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="related", type="application/pdf", href=pdf_url(p.id))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
