"""export: the JSONL contract with analysis results, BibTeX escaping, a valid Atom feed, --since."""

import json

import feedparser
from lxml import etree

from tests.support import bibtex
from triage import export
from triage.papers import Paper

CONTRACT = {"id", "version", "title", "published", "categories", "hype", "topic", "fundamentals", "locked"}


def _papers():
    return [
        Paper(
            id="2501.00001",
            version=2,
            title="Sparse {attention} & 100% of $x_i$ #1",
            abstract="We study <b>things</b> & stuff.",
            published="2025-01-02",
            updated="2025-02-01",
            authors=["Ada Lovelace", "Alan Turing"],
            categories=["cs.LG", "cs.AI"],
            source="test",
        ),
        Paper(
            id="hep-ph/0601001",
            title="An old one",
            abstract="Old.",
            published="2006-01-01",
            categories=["hep-ph"],
            source="test",
        ),
    ]


def _analysed(store):
    store.upsert_papers(_papers())
    store.record_analysis(
        "m", "l", {"2501.00001": ("h", [("backpropagation", 0.61, ""), ("cross_entropy", 0.42, "")])}
    )
    topic = {
        "id": 7,
        "label": "sparse attention",
        "onset": "2024-11",
        "age_days": 62,
        "hype": True,
        "as_of": "2025-01-02",
    }
    store.replace_topics([topic], {"2501.00001": 7})
    return store


def _jsonl(runner, *args):
    result = runner.invoke(runner.cli, ["export", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_jsonl_contract(runner, store):
    _analysed(store)
    recs = {r["id"]: r for r in _jsonl(runner)}
    new, old = recs["2501.00001"], recs["hep-ph/0601001"]
    assert CONTRACT <= set(new) and {"authors", "abstract", "primary_category", "updated"} <= set(new)
    assert new["hype"] is True and new["version"] == 2
    assert new["topic"] == {"id": 7, "label": "sparse attention", "onset": "2024-11", "age_days": 62}
    assert [f["id"] for f in new["fundamentals"]] == ["backpropagation", "cross_entropy"]
    assert new["fundamentals"][0]["name"] and new["fundamentals"][0]["score"] == 0.61
    assert new["locked"] is True
    assert old["hype"] is None and old["topic"] is None and old["fundamentals"] is None  # never analysed


def test_unlocked_once_the_gate_has_an_unlock(runner, store):
    _analysed(store)
    attempt = store.add_attempt("problem", "tried", "blocked on sparse attention", None)
    store.add_unlocks(attempt, [("2501.00001", 0.8, "matches the bottleneck")])
    locked = {r["id"]: r["locked"] for r in _jsonl(runner)}
    assert locked == {"2501.00001": False, "hep-ph/0601001": True}


def test_since_filters_by_published(runner, store):
    _analysed(store)
    assert [r["id"] for r in _jsonl(runner, "--since", "2020-01-01")] == ["2501.00001"]
    assert runner.invoke(runner.cli, ["export", "--since", "yesterday"]).exit_code == 2
    result = runner.invoke(runner.cli, ["export", "--out", "/no/such/dir/x.jsonl"])
    assert result.exit_code == 2 and "/no/such/dir/x.jsonl" in result.output


def test_bibtex_escapes_specials(runner, store, tmp_path):
    _analysed(store)
    out = tmp_path / "papers.bib"
    result = runner.invoke(runner.cli, ["export", "--format", "bibtex", "--out", str(out)])
    assert result.exit_code == 0 and "Wrote 2 papers" in result.output
    text = out.read_text()
    assert text.count("@misc{") == 2
    assert "eprint = {2501.00001}" in text and "archivePrefix = {arXiv}" in text
    assert "primaryClass = {cs.LG}" in text and "author = {Ada Lovelace and Alan Turing}" in text
    # Read back as BibTeX reads it (braces counted even after a backslash).
    _, (_, key, fields) = bibtex.entries(text)  # oldest first
    assert key == "lovelace2025_2501_00001"
    assert bibtex.unescape(fields["title"]) == "Sparse {attention} & 100% of $x_i$ #1"


def test_bibtex_and_atom_survive_braces_backslashes_and_control_characters(store, tmp_path):
    """A title with an unbalanced brace used to end the BibTeX field early; \\u0001 broke the Atom XML."""
    title = "Half } open { \\end{x} \u0001bell ~^"
    store.upsert_papers(
        [
            Paper(
                id="2501.00009",
                title=title,
                abstract="a\u0001b",
                published="2025-01-02",
                source="t",
                authors=["O}dd {Name"],
                categories=["cs.LG"],
            )
        ]
    )
    bib = tmp_path / "p.bib"
    with bib.open("w") as f:
        export.write(store, f, "bibtex")
    ((kind, _, fields),) = bibtex.entries(bib.read_text())
    assert kind == "misc"
    assert bibtex.unescape(fields["title"]) == title.replace("\u0001", "")
    assert bibtex.unescape(fields["author"]) == "O}dd {Name"

    atom = tmp_path / "p.atom"
    with atom.open("w") as f:
        export.write(store, f, "atom")
    root = etree.parse(str(atom)).getroot()  # strict: raises if not well-formed
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.findtext("a:entry/a:title", namespaces=ns) == title.replace("\u0001", "")
    assert root.findtext("a:entry/a:summary", namespaces=ns) == "ab"


def test_atom_is_a_valid_feed(store, tmp_path):
    _analysed(store)
    out = tmp_path / "papers.atom"
    with out.open("w") as f:
        assert export.write(store, f, "atom") == 2
    etree.parse(str(out))  # well-formed
    feed = feedparser.parse(out.read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    titles = {e.title for e in feed.entries}
    assert "Sparse {attention} & 100% of $x_i$ #1" in titles
    new = next(e for e in feed.entries if "2501.00001" in e.id)
    assert [t.term for t in new.tags] == ["cs.LG", "cs.AI"] and "<b>things</b>" in new.summary
