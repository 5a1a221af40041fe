"""Store: migrations are idempotent; upserts keep the newest version of a paper."""

from triage.papers import ARXIV, Paper, split_id
from triage.store import MIGRATIONS, Store


def _paper(version=1, title="A title", published="2025-01-02", announce="new"):
    return Paper(
        id="2501.00001",
        version=version,
        title=title,
        abstract="Abstract.",
        published=published,
        categories=["cs.LG", "cs.AI"],
        announce_type=announce,
        source="test",
    )


def test_init_is_idempotent(db_path):
    s = Store(db_path)
    assert s.init() == sorted(MIGRATIONS)
    assert s.init() == []
    assert s.schema_version() == max(MIGRATIONS)
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_replace_updates_version_and_keeps_first_published(store):
    store.upsert_papers([_paper()])
    store.upsert_papers([_paper(version=2, title="Revised", published="2025-03-01", announce="replace")])
    p = store.get_paper("2501.00001")
    assert (p.version, p.title, p.published, p.announce_type) == (2, "Revised", "2025-01-02", "replace")
    assert p.primary_category == "cs.LG"


def test_older_version_never_overwrites_newer(store):
    store.upsert_papers([_paper(version=3, title="v3")])
    store.upsert_papers([_paper(version=1, title="v1")])
    assert store.get_paper("2501.00001").title == "v3"
    assert store.count_papers() == 1


def test_split_id_forms():
    assert split_id("http://arxiv.org/abs/2501.00001v2") == ("2501.00001", 2)  # parsed, never fetched
    assert split_id("oai:arXiv.org:2604.21952v1") == ("2604.21952", 1)
    assert split_id("hep-ph/0601001") == ("hep-ph/0601001", 1)
    assert split_id("https://arxiv.org/abs/quant-ph/0201082v1") == ("quant-ph/0201082", 1)  # parsed only


def test_migration_numbered_below_applied_ones_still_applies(db_path, monkeypatch):
    s = Store(db_path)
    s.init()
    monkeypatch.setitem(MIGRATIONS, 35, "CREATE TABLE late_feature (x INTEGER)")
    assert s.init() == [35]
    assert s.conn.execute("SELECT count(*) FROM late_feature").fetchone()[0] == 0
    assert s.init() == []


def test_database_from_before_migration_tracking_upgrades(db_path):
    import sqlite3

    old = sqlite3.connect(db_path)
    old.executescript(MIGRATIONS[1] + "; PRAGMA user_version = 1;")
    old.execute(
        "INSERT INTO papers (id, title, abstract, published, source) VALUES ('1', 't', 'a', '2020-01-01', 's')"
    )
    old.commit()
    old.close()
    s = Store(db_path)
    assert s.init() == sorted(set(MIGRATIONS) - {1})
    assert s.count_papers() == 1


def test_upgrade_pools_arxiv_sources_and_rebuilds_topics(db_path):
    """Papers fetched by API, by RSS and imported from files were three sources, so a topic
    rising after the backfill showed in no source with enough history; they are one now."""
    import sqlite3

    old = sqlite3.connect(db_path)
    before = [n for n in sorted(MIGRATIONS) if n not in (2, 22)]
    old.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY)")
    for n in before:
        old.executescript(MIGRATIONS[n])
        old.execute("INSERT INTO schema_migrations VALUES (?)", (n,))
    rows = [("1", "api"), ("2", "rss"), ("3", "import"), ("4", "hf-daily")]
    old.executemany(
        "INSERT INTO papers (id, title, abstract, published, source) VALUES (?, 't', 'a', '2025-01-01', ?)",
        rows,
    )
    old.execute("INSERT INTO topics (id, label, as_of) VALUES (1, 'old', '2025-01-01')")
    old.execute("INSERT INTO topic_totals VALUES ('2025-01', 'rss', 1)")
    old.commit()
    old.close()
    s = Store(db_path)
    assert s.init() == [2, 22]
    assert [s.get_paper(i).source for i, _ in rows] == [ARXIV, ARXIV, ARXIV, "hf-daily"]
    assert s.topics() == [] and s.topic_totals() == []


def test_a_database_made_before_the_store_was_split_opens_unchanged(db_path):
    """Users' databases carry the migration numbers applied so far: the store must take them as
    they are (nothing re-applied, nothing lost) and read every feature's rows back."""
    import sqlite3
    from pathlib import Path

    dump = Path(__file__).parent / "data" / "store" / "main-267c87f.sql"
    old = sqlite3.connect(db_path)
    old.executescript(dump.read_text(encoding="utf-8"))
    old.close()
    s = Store(db_path)
    assert s.init() == []
    assert s.schema_version() == 51
    assert s.count_papers() == 3 and s.get_paper("2603.00001").authors == ["Ada Lovelace", "Émile Zola"]
    assert s.search_day("2026-03-02", "zola autoenc") == {"2603.00001"}
    assert s.fundamentals_detail(["2603.00001", "2603.00002", "2603.00003"]) == {
        "2603.00001": [("backpropagation", 0.61, "gradient"), ("pca", 0.4, "")],
        "2603.00002": [],
        "2603.00003": None,
    }
    assert s.topic_for(["2603.00001"])["2603.00001"]["hype"] is True
    assert [(r["paper_id"], r["attempt_id"], r["paper"].title) for r in s.queue("queued")] == [
        ("2603.00002", 2, "Policy gradients with group baselines"),
        ("2603.00001", 1, "Sparse autoencoders for feature discovery"),
    ]
    assert [a["outcome"] for a in s.attempts()] == ["paper", None]
    assert s.relevance("2026-03-02", [1]) == {"2603.00001": (0.99, 1)}
    assert s.digest_record("2026-03-02")["message_id"] == "<id@x>"
    assert s.meta_default("secret_key", "new") == "0" * 64
    assert s.web_session_alive("ab" * 32, not_before=0)
    s.upsert_papers([_paper()])  # and it keeps taking writes, the search index included
    assert s.search_day("2025-01-02", "title") == {"2501.00001"}


def _queue_case(store, attempts: int, per_attempt: int) -> list[tuple]:
    """`attempts` attempts unlocking `per_attempt` papers each, every third one read; the rows the
    queue must show for 'all', in its order (newest attempt first, then its ranking)."""
    papers = [
        Paper(id=f"2501.{i:05d}", title=f"Paper {i}", abstract="a", published="2025-01-02", source="t")
        for i in range(attempts * per_attempt)
    ]
    store.upsert_papers(papers)
    expected = []
    for a in range(attempts):
        mine = papers[a * per_attempt : (a + 1) * per_attempt]
        aid = store.add_attempt(f"problem {a}", "tried", f"bottleneck {a}", None)
        store.add_unlocks(aid, [(p.id, 1.0 - r / 10, f"reason {r}") for r, p in enumerate(mine)])
        for r, p in enumerate(mine):
            read = r % 3 == 0
            if read:
                store.mark_read(p.id, f"note {r}", unblocked=r == 0)
            expected.append(
                (
                    p.id,
                    aid,
                    r,
                    1.0 - r / 10,
                    f"reason {r}",
                    read,
                    f"note {r}" if read else None,
                    read and r == 0,
                    f"bottleneck {a}",
                    p,
                )
            )
    return sorted(expected, key=lambda e: (-e[1], e[2]))


def test_queue_shows_each_unlock_with_its_attempt_and_paper(store):
    expected = _queue_case(store, attempts=3, per_attempt=4)
    got = [
        (
            r["paper_id"],
            r["attempt_id"],
            r["rank"],
            r["score"],
            r["reason"],
            r["read_at"] is not None,
            r["note"],
            r["unblocked"],
            r["bottleneck"],
            r["paper"],
        )
        for r in store.queue("all")
    ]
    assert got == expected
    assert [r["paper_id"] for r in store.queue("read")] == [e[0] for e in expected if e[5]]
    assert [r["paper_id"] for r in store.queue("queued")] == [e[0] for e in expected if not e[5]]


def test_queue_reads_in_a_fixed_number_of_queries_whatever_its_length(db_path, tmp_path):
    """One query per page view, not one per unlocked paper: a long queue stays as quick as a short one."""
    counts = []
    for n, path in ((1, db_path), (20, str(tmp_path / "long.db"))):
        s = Store(path)
        s.init()
        _queue_case(s, attempts=2, per_attempt=n)
        statements = []
        s.conn.set_trace_callback(statements.append)
        assert len(s.queue("all")) == 2 * n
        s.conn.set_trace_callback(None)
        counts.append(len(statements))
    assert counts == [1, 1]
