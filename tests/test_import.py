"""import: a real corpus slice exactly once, crash-safe reruns, every format, errors that name file:line."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.support.arxiv_server import REPO, TEST_DATA
from triage.errors import UserError
from triage.papers import ARXIV
from triage.sources import files
from triage.store import Store

SLICE_SIZE = 302


@pytest.fixture
def corpus():
    """302 real lines of the dev corpus (tests/data/README.md)."""
    return TEST_DATA / "corpus" / "import_slice.jsonl"


def _copies(corpus, path, copies: int):
    """The slice `copies` times over with distinct ids: a file big enough to interrupt."""
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as f:
        for k in range(copies):
            for d in records:
                f.write(json.dumps({**d, "id": f"{d['id']}-{k}"}) + "\n")
    return path


def _oai_line(d: dict, suffix: str = "") -> str:
    """A dev-corpus record in the arXiv OAI snapshot's shape."""
    return json.dumps(
        {
            "id": d["id"] + suffix,
            "title": d["title"],
            "abstract": d["abstract"],
            "categories": " ".join(d["categories"]),
            "authors": ", ".join(d["authors"]),
            "versions": [
                {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                {"version": "v2", "created": "Tue, 3 Apr 2007 10:00:00 GMT"},
            ],
            "update_date": "2007-04-03",
        }
    )


def test_real_slice_exactly_once_even_twice(runner, db_path, corpus):
    for _ in range(2):
        result = runner.invoke(runner.cli, ["import", str(corpus)])
        assert result.exit_code == 0, result.output
        assert f"{SLICE_SIZE} papers in the database" in result.output
    s = Store(db_path)
    assert s.count_papers() == SLICE_SIZE
    p = s.get_paper("1307.6616")
    assert p.categories == ["cs.LG", "stat.ML"] and p.published == "2013-07-01"
    # The record names the list it came from: topics normalise that list's shares apart.
    assert p.source == "qhduan/cn-chat-arxiv"


def test_kill_9_mid_import_then_rerun_is_exact(db_path, corpus, tmp_path):
    big = _copies(corpus, tmp_path / "big.jsonl", 100)
    total = 100 * SLICE_SIZE
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAGE_DB": db_path}
    env.pop("TRIAGE_CONFIG", None)
    cmd = [sys.executable, "-m", "triage", "import", str(big)]
    subprocess.run([sys.executable, "-m", "triage", "init"], env=env, cwd=tmp_path, check=True)
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = Store(db_path)
    deadline = time.monotonic() + 60
    while s.count_papers() < 3000 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = s.count_papers()
    assert 0 < partial < total, "the import finished before it could be killed"
    assert partial % files.BATCH == 0  # only whole batches landed
    subprocess.run(cmd, env=env, cwd=tmp_path, check=True, capture_output=True)
    assert s.count_papers() == total
    assert s.conn.execute("SELECT count(DISTINCT id) FROM papers").fetchone()[0] == total


def test_malformed_line_exits_2_naming_file_and_line(runner, db_path, corpus, tmp_path):
    lines = _copies(corpus, tmp_path / "many.jsonl", 9).read_text(encoding="utf-8").splitlines()[:2500]
    bad = tmp_path / "bad.jsonl"
    broken = lines.copy()
    broken[2199] = broken[2199][:40]
    bad.write_text("\n".join(broken) + "\n")
    result = runner.invoke(runner.cli, ["import", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2200:" in result.output and "Traceback" not in result.output
    assert Store(db_path).count_papers() == 2000  # two whole batches kept, the bad one not half-written

    bad.write_text("\n".join(lines) + "\n")
    assert runner.invoke(runner.cli, ["import", str(bad)]).exit_code == 0
    assert Store(db_path).count_papers() == 2500


def test_missing_key_names_line(store, tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text(
        '{"id": "2501.00001", "title": "t", "abstract": "a", "categories": [], "published": "2025-01-01"}\n'
        '{"id": "2501.00002", "title": "t", "categories": [], "published": "2025-01-01"}\n'
    )
    with pytest.raises(UserError, match=r"x\.jsonl:2: .*missing key 'abstract'"):
        files.import_file(store, f)


def test_a_record_without_a_source_is_arxiv_and_a_bad_source_names_its_line(store, tmp_path):
    """History imported from a file and days fetched later are one population for topic shares."""
    row = {"title": "t", "abstract": "a", "categories": [], "published": "2025-01-01"}
    f = tmp_path / "x.jsonl"
    lines = [{"id": "2501.00001", **row}, {"id": "2501.00002", **row, "source": "hf-daily"}]
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    files.import_file(store, f)
    assert [store.get_paper(d["id"]).source for d in lines] == [ARXIV, "hf-daily"]
    f.write_text(json.dumps({"id": "2501.00003", **row, "source": ["hf"]}) + "\n")
    with pytest.raises(UserError, match=r"x\.jsonl:1: .*source must be a string"):
        files.import_file(store, f)


def test_oai_snapshot_format_is_detected_and_mapped(store, corpus, tmp_path):
    with corpus.open() as f:
        first = [json.loads(next(f)) for _ in range(5)]
    oai = tmp_path / "snapshot.json"
    oai.write_text("\n".join(_oai_line(d) for d in first) + "\n")
    assert files.detect(oai) == "oai"
    assert files.import_file(store, oai) == 5
    p = store.get_paper(first[0]["id"])
    assert (p.version, p.published, p.updated) == (2, "2007-04-02", "2007-04-03")
    assert p.categories == first[0]["categories"] and p.title == first[0]["title"]
    assert p.source == ARXIV


def test_atom_and_rss_files(store, shared):
    atom = shared / "arxiv/atom/2026/brevio_cat_cs.LG_OR_cs.AI_start0_max20_2026-04-30.xml"
    assert files.detect(atom) == "atom"
    assert files.import_file(store, atom) == 20
    p = store.get_paper("2604.26951")
    assert p.title.startswith("Turning the TIDE") and p.primary_category
    feed = shared / "arxiv/rss/rss2_2026/cs.CL_2026-04-27_trimmed.xml"
    assert files.detect(feed) == "rss"
    assert files.import_file(store, feed) == 3
    assert store.count_papers() == 23
    assert {p.source for p in store.iter_papers()} == {ARXIV}


def test_truncated_atom_file_names_file_and_line(store, shared, tmp_path):
    atom = shared / "arxiv/atom/2026/brevio_cat_cs.LG_OR_cs.AI_start0_max20_2026-04-30.xml"
    cut = tmp_path / "cut.xml"
    cut.write_bytes(atom.read_bytes()[:20000])
    with pytest.raises(UserError, match=r"cut\.xml:\d+: not well-formed XML"):
        files.import_file(store, cut)
    assert store.count_papers() == 0


def test_bad_cli_arguments_exit_2(runner, tmp_path):
    assert runner.invoke(runner.cli, ["import", "--format", "xml", "x"]).exit_code == 2
    assert runner.invoke(runner.cli, ["import", str(tmp_path / "missing.jsonl")]).exit_code == 2
    odd = tmp_path / "odd.txt"
    odd.write_text("hello\n")
    result = runner.invoke(runner.cli, ["import", str(odd)])
    assert result.exit_code == 2 and "--format" in result.output


GOOD = {"id": "2501.00001", "title": "t", "abstract": "a", "categories": ["cs.LG"], "published": "2025-01-01"}


@pytest.mark.parametrize(
    "change, why",
    [
        ({"published": "9999-99-99"}, "not a real date"),
        ({"published": "2026-02-30"}, "not a real date"),
        ({"published": "2026-13-45"}, "not a real date"),
        ({"updated": "2026-02-30"}, "not a real date"),
        ({"published": 20250101}, "must be a string"),
        ({"authors": [123]}, "an author must be a string"),
        ({"authors": [{}]}, "an author must be a string"),
        ({"categories": [1, 2]}, "category 1 is not"),
        ({"primary_category": {"a": 1}}, "category {'a': 1} is not"),
        ({"version": 1e20}, "version must be an integer"),
        ({"version": 10**30}, "version .* is outside"),
        ({"id": "2501.0000}1"}, "not an arXiv id"),
        ({"title": 5}, "expected text"),
    ],
)
def test_a_record_that_would_break_later_is_a_bad_line(runner, db_path, tmp_path, change, why):
    """Refused at import, naming file:line, instead of crashing analyze, digest, the pages and exports later."""
    f = tmp_path / "x.jsonl"
    lines = [GOOD, {**GOOD, "id": "2501.00002", **change}, {**GOOD, "id": "2501.00003"}]
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    result = runner.invoke(runner.cli, ["import", str(f)])
    assert result.exit_code == 2, result.output
    assert f"{f}:2: not a valid jsonl record" in result.output and "Traceback" not in result.output
    assert re.search(why, result.output)
    assert Store(db_path).count_papers() == 0


def test_json_nested_100k_deep_is_a_bad_line(runner, db_path, tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text(json.dumps(GOOD) + "\n" + '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    result = runner.invoke(runner.cli, ["import", "--format", "jsonl", str(f)])
    assert result.exit_code == 2, result.output
    assert f"{f}:2:" in result.output and "nested too deep" in result.output


def test_oai_record_with_an_impossible_date_names_its_line(store, corpus, tmp_path):
    d = json.loads(corpus.read_text(encoding="utf-8").splitlines()[0])
    bad = json.loads(_oai_line(d))
    bad["update_date"] = "2026-02-30"
    f = tmp_path / "snapshot.json"
    f.write_text(_oai_line(d) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(UserError, match=r"snapshot\.json:2: .*'2026-02-30' is not a real date"):
        files.import_file(store, f)
    assert store.count_papers() == 0


def test_atom_entry_with_an_impossible_date_names_its_line(store, shared, tmp_path):
    atom = (shared / "arxiv/atom/2026/brevio_cat_cs.LG_OR_cs.AI_start0_max20_2026-04-30.xml").read_bytes()
    first = atom.index(b"<published>") + len(b"<published>")
    bad = tmp_path / "bad.xml"
    bad.write_bytes(atom[:first] + b"2026-02-30T00:00:00Z" + atom[first + 20 :])
    entry_line = atom[: atom.index(b"<entry>")].count(b"\n") + 1
    with pytest.raises(UserError, match=rf"bad\.xml:{entry_line}: not a valid arXiv Atom entry"):
        files.import_file(store, bad)
    assert store.count_papers() == 0


def test_a_line_longer_than_the_limit_is_refused_by_number(store, tmp_path):
    f = tmp_path / "long.jsonl"
    f.write_bytes(json.dumps(GOOD).encode() + b"\n" + b'{"id": "' + b"a" * files.MAX_LINE + b'"}\n')
    with pytest.raises(UserError, match=r"long\.jsonl:2: the line is longer than 1,000,000 bytes"):
        files.import_file(store, f)
    assert store.count_papers() == 0


def test_an_xml_file_over_the_limit_is_refused_before_it_is_read(store, shared, monkeypatch):
    monkeypatch.setattr(files, "MAX_XML", 10_000)
    atom = shared / "arxiv/atom/2026/brevio_cat_cs.LG_OR_cs.AI_start0_max20_2026-04-30.xml"
    with pytest.raises(UserError, match=r"brevio.*\.xml is larger than 10,000 bytes"):
        files.import_file(store, atom)
