"""No input breaks import or export: any record is stored, or refused naming its file and line
(an RSS item by its number), never a traceback; and a stored record can be exported as JSONL,
BibTeX and Atom and read back strictly, with its title intact."""

import io
import json
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.support import bibtex
from triage import export
from triage.errors import UserError
from triage.sources import files
from triage.store import Store

# Hundreds of generated requests or records: the full suite (CI) runs them, the fast tier skips them.
pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATOM_NS = {"a": "http://www.w3.org/2005/Atom"}
# What export drops: characters XML 1.0 cannot carry (and BibTeX has no use for).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

tricky = st.sampled_from(
    ["\ud800", "\x01", "\x00", "{", "}", "\\", "<", "&", "]", ">", "%", "@", "\r", "\u2028"]
)
text = st.text(alphabet=st.one_of(st.characters(), tricky), max_size=30)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
date_text = st.one_of(
    st.dates().map(str),
    st.sampled_from(["9999-99-99", "2026-02-30", "2026-13-45", "0001-01-01", "2025-01-01T12:00:00Z"]),
    text,
)
arxiv_id = st.one_of(st.from_regex(r"[0-9]{4}\.[0-9]{4,5}(v[0-9]{1,3})?", fullmatch=True), text)
category = st.one_of(st.sampled_from(["cs.LG", "cs.AI", "stat.ML", "I.2.6; F.1.1"]), text)


def maybe(strategy):
    """Mostly well-formed, sometimes any JSON value at all."""
    return st.one_of(strategy, strategy, strategy, json_value)


jsonl_record = st.fixed_dictionaries(
    {
        "id": maybe(arxiv_id),
        "title": maybe(text),
        "abstract": maybe(text),
        "categories": maybe(st.lists(maybe(category), max_size=3)),
        "published": maybe(date_text),
    },
    optional={
        "authors": maybe(st.lists(maybe(text), max_size=3)),
        "version": maybe(st.integers(min_value=-2, max_value=2000)),
        "updated": maybe(date_text),
        "primary_category": maybe(category),
        "source": maybe(text),
    },
)
oai_record = st.fixed_dictionaries(
    {
        "id": maybe(arxiv_id),
        "title": maybe(text),
        "abstract": maybe(text),
        "categories": maybe(st.lists(category, max_size=3).map(" ".join)),
        "versions": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "version": maybe(st.integers(1, 2000).map(lambda n: f"v{n}")),
                        "created": maybe(
                            st.one_of(st.just("Mon, 2 Apr 2007 19:18:42 GMT"), st.datetimes().map(str), text)
                        ),
                    }
                ),
                max_size=2,
            )
        ),
    },
    optional={"update_date": maybe(date_text), "authors": maybe(text)},
)


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def _store() -> Store:
    store = Store(":memory:")
    store.init()
    return store


def _import(path: Path, fmt: str) -> Store | None:
    """Import into a fresh store; None when refused, after checking the refusal names the file."""
    store = _store()
    try:
        files.import_file(store, path, fmt)
    except UserError as e:
        message = str(e)
        assert message.startswith(f"{path}:") and "\n" not in message, message
        return None
    return store


def _refused_at_line(path: Path, fmt: str, line: int) -> Store | None:
    store = _store()
    try:
        files.import_file(store, path, fmt)
    except UserError as e:
        assert str(e).startswith(f"{path}:{line}: "), str(e)
        assert "\n" not in str(e)
        assert store.count_papers() == 0
        return None
    return store


def _exports_read_back(store: Store) -> None:
    """Every stored paper survives all three export formats, read back strictly."""
    for r in export.records(store):
        assert json.loads(json.dumps(r, ensure_ascii=False)) == r
        expected = CONTROL.sub("", r["title"])

        ((_, _, fields),) = bibtex.entries(export.bibtex_entry(r))
        assert bibtex.unescape(fields["title"]) == expected
        assert bibtex.unescape(fields["eprint"]) == r["id"]

        out = io.StringIO()
        export.atom(out, iter([r]))
        root = etree.fromstring(out.getvalue().encode("utf-8"))  # strict: raises if not well-formed
        assert root.findtext("a:entry/a:title", namespaces=ATOM_NS) == expected


@FUZZ
@given(record=jsonl_record)
def test_any_jsonl_record_is_stored_or_refused_at_its_line(workdir, record):
    path = workdir / "fuzz.jsonl"
    good = {"id": "2501.00001", "title": "t", "abstract": "a", "categories": [], "published": "2025-01-01"}
    path.write_text(
        json.dumps(good) + "\n" + json.dumps(record) + "\n", encoding="utf-8", errors="surrogatepass"
    )
    store = _refused_at_line(path, "jsonl", 2)
    if store is not None:
        assert store.count_papers() in (1, 2)  # the record may share the good line's id
        _exports_read_back(store)


@FUZZ
@given(record=oai_record)
def test_any_oai_record_is_stored_or_refused_at_its_line(workdir, record):
    path = workdir / "fuzz.json"
    path.write_text("\n" + json.dumps(record) + "\n", encoding="utf-8")
    store = _refused_at_line(path, "oai", 2)
    if store is not None:
        assert store.count_papers() == 1
        _exports_read_back(store)


@FUZZ
@given(line=st.binary(max_size=200).filter(lambda b: b"\n" not in b))
def test_any_bytes_on_a_line_are_stored_or_refused_at_that_line(workdir, line):
    path = workdir / "bytes.jsonl"
    path.write_bytes(b"\n\n" + line + b"\n")
    for fmt in ("jsonl", "oai"):
        store = _refused_at_line(path, fmt, 3)
        if store is not None:
            _exports_read_back(store)


def _atom_entry(e: dict) -> str:
    return (
        f"<entry><id>{escape(e['id'])}</id><title>{escape(e['title'])}</title>"
        f"<published>{escape(e['published'])}</published><updated>{escape(e['updated'])}</updated>"
        f"<summary>{escape(e['summary'])}</summary>"
        + "".join(f"<author><name>{escape(a)}</name></author>" for a in e["authors"])
        + "".join(f'<category term="{escape(c, {chr(34): "&quot;"})}"/>' for c in e["categories"])
        + "</entry>\n"
    )


atom_entry = st.fixed_dictionaries(
    {
        "id": st.one_of(arxiv_id.map(lambda i: f"http://arxiv.org/abs/{i}"), text),
        "title": text,
        "published": st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), date_text),
        "updated": st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), date_text),
        "summary": text,
        "authors": st.lists(text, max_size=2),
        "categories": st.lists(category, max_size=2),
    }
)


@FUZZ
@given(entries=st.lists(atom_entry, max_size=3))
def test_any_atom_file_is_stored_or_refused_naming_file_and_line(workdir, entries):
    path = workdir / "fuzz.xml"
    body = '<feed xmlns="http://www.w3.org/2005/Atom">\n' + "".join(map(_atom_entry, entries)) + "</feed>\n"
    path.write_text(body, encoding="utf-8", errors="surrogatepass")
    store = _import(path, "atom")
    if store is not None:
        _exports_read_back(store)


rss_item = st.fixed_dictionaries(
    {
        "guid": st.one_of(arxiv_id.map(lambda i: f"oai:arXiv.org:{i}"), text),
        "title": text,
        "description": st.one_of(
            text.map(lambda t: f"arXiv:2501.00001v1 Announce Type: new \nAbstract: {t}"), text
        ),
        "creator": text,
        "categories": st.lists(category, max_size=2),
    }
)


@FUZZ
@given(items=st.lists(rss_item, max_size=3), pub=st.one_of(st.just("Mon, 27 Apr 2026 00:00:00 -0400"), text))
def test_any_rss_file_is_stored_or_refused_naming_the_file(workdir, items, pub):
    path = workdir / "fuzz.rss"
    body = (
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'version="2.0"><channel><title>cs.LG updates</title><pubDate>{escape(pub)}</pubDate>\n'
        + "".join(
            f"<item><title>{escape(i['title'])}</title><description>{escape(i['description'])}</description>"
            f"<guid>{escape(i['guid'])}</guid><dc:creator>{escape(i['creator'])}</dc:creator>"
            + "".join(f"<category>{escape(c)}</category>" for c in i["categories"])
            + "<arxiv:announce_type>new</arxiv:announce_type></item>\n"
            for i in items
        )
        + "</channel></rss>\n"
    )
    path.write_text(body, encoding="utf-8", errors="surrogatepass")
    store = _import(path, "rss")
    if store is not None:
        _exports_read_back(store)
