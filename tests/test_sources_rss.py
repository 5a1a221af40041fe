"""arXiv RSS: the real feedparser path against real feeds, a full-size day, and broken feeds."""

import json
from collections import Counter

import pytest

from tests.support.arxiv_server import empty_rss_day, render_rss_day
from triage.errors import OperationalError
from triage.papers import ARXIV
from triage.sources import rss

ALL_TYPES = ["new", "cross", "replace", "replace-cross"]


@pytest.fixture
def rss_cfg(settings, arxiv_server):
    settings.arxiv.rss_url = arxiv_server.rss_url
    return settings.arxiv


def test_real_feed_items(rss_cfg, arxiv_server, shared):
    arxiv_server.rss_body = (shared / "arxiv/rss/rss2_2026/cs.AI_2026-04-27_trimmed.xml").read_bytes()
    papers, url = rss.fetch(rss_cfg, ["cs.AI", "cs.LG"])
    assert arxiv_server.rss_requests == ["/rss/cs.AI+cs.LG"] and url.endswith("/rss/cs.AI+cs.LG")
    p = papers[0]
    assert (p.id, p.version, p.announce_type) == ("2604.21935", 1, "new")
    assert p.abstract.startswith("Although language models demonstrate")
    assert p.authors == ["Michael Cooper", "Samuel Cooper"]
    assert p.categories == ["cs.AI", "cs.LG"] and p.primary_category == "cs.AI"
    assert p.published == "2026-04-27" and p.source == ARXIV


def test_full_size_day_counts_per_announce_type(rss_cfg, arxiv_server, shared):
    cache = shared / "arxiv/rss/feedparser_cache_2025/rss_cache_2025-05-20.json"
    arxiv_server.rss_body = render_rss_day(cache)
    rss_cfg.announce_types = ALL_TYPES
    papers, _ = rss.fetch(rss_cfg, ["cs.CL", "cs.LG"])
    assert Counter(p.announce_type for p in papers) == {
        "new": 708,
        "cross": 191,
        "replace": 434,
        "replace-cross": 122,
    }
    assert {p.published for p in papers} == {"2025-05-20"}
    # Abstracts come back exactly as the dump had them, minus the "arXiv:ID Announce Type" preamble.
    entries = [e for f in json.loads(cache.read_text()).values() for e in f["entries"]]
    by_id = {p.id + f"v{p.version}": p for p in papers}
    for e in entries[:: len(entries) // 50]:
        p = by_id[e["id"].removeprefix("oai:arXiv.org:")]
        assert p.abstract == " ".join(e["summary"].split("Abstract:", 1)[1].split())
        assert p.authors == [a.strip() for a in e["author"].split(",")]


def test_cli_keeps_configured_announce_types(runner, db_path, tmp_path, arxiv_server, shared):
    arxiv_server.rss_body = render_rss_day(
        shared / "arxiv/rss/feedparser_cache_2025/rss_cache_2025-05-20.json"
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\nrss_url = "{arxiv_server.rss_url}"\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.output
    from triage.store import Store

    s = Store(db_path)
    types = dict(s.conn.execute("SELECT announce_type, count(*) FROM papers GROUP BY 1").fetchall())
    assert set(types) == {"new", "cross"}
    assert f"Stored {sum(types.values())} papers" in result.output


def test_weekend_feed_is_not_an_error(runner, tmp_path, arxiv_server, shared):
    arxiv_server.rss_body = empty_rss_day(shared / "arxiv/rss/rss2_2026/cs.LG_2026-04-27_trimmed.xml")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\nrss_url = "{arxiv_server.rss_url}"\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch", "--source", "rss"])
    assert result.exit_code == 0
    assert "No announcement today" in result.output


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [(503, b"down", "HTTP 503"), (200, b"\x00\x01garbage", "not a readable RSS feed")],
)
def test_broken_feed_names_url(rss_cfg, arxiv_server, status, body, message):
    arxiv_server.rss_status, arxiv_server.rss_body = status, body
    with pytest.raises(OperationalError, match=message) as e:
        rss.fetch(rss_cfg, ["cs.LG"])
    assert arxiv_server.rss_url + "cs.LG" in str(e.value)


def test_cli_broken_feed_exits_1(runner, tmp_path, arxiv_server):
    arxiv_server.rss_status = 500
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[arxiv]\nrss_url = "{arxiv_server.rss_url}"\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 1 and "HTTP 500" in result.output
