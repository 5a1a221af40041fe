"""BibTeX and Atom renderings of a paper list: valid for the tools that read them."""

import feedparser

from triage.formats import atom, bibtex
from triage.papers import Paper

PAPER = Paper(
    id="hep-ph/0601001",
    title="Loss {of} 100% & #1 results with $x_{t}$ and a stray } brace",
    abstract="An abstract with <script>alert(1)</script> & LaTeX $\\alpha < \\beta$.",
    authors=["Ada Lovelace", "Alan Turing"],
    categories=["hep-ph", "cs.LG"],
    published="2006-01-02",
)


def test_bibtex_entry_is_balanced_and_escaped():
    bib = bibtex([PAPER])
    assert bib.startswith("@misc{arXiv:hep-ph_0601001,")
    assert "author = {Ada Lovelace and Alan Turing}" in bib and "year = {2006}" in bib
    assert r"100\% \& \#1" in bib and "eprint = {hep-ph/0601001}" in bib
    assert bib.count("{") == bib.count("}")


def test_atom_feed_parses_with_text_intact():
    feed = feedparser.parse(atom([PAPER], "Queue", "http://127.0.0.1:8080/queue.atom"))
    assert not feed.bozo
    (entry,) = feed.entries
    assert entry.link == "https://arxiv.org/abs/hep-ph/0601001"
    assert "&lt;script&gt;" in atom([PAPER], "Queue", "http://x/queue.atom")
    assert [a.name for a in entry.authors] == ["Ada Lovelace", "Alan Turing"]
