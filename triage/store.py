"""The SQLite store: schema, versioned migrations, upserts and queries.

The only module that writes SQL. Every statement is parameterised. Each feature keeps its
tables and queries in its own section below, and its migrations under its own numbers.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sqlite_utils

from triage.errors import UserError
from triage.papers import Paper

# Migrations are applied in key order; numbers are grouped by feature so features can add
# their own without renumbering each other's: 1-9 papers/sources, 10-19 embeddings and
# fundamentals, 20-29 topics, 30-39 gate, 40-49 digest, 50-59 search.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE papers (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL DEFAULT 1,
        title TEXT NOT NULL,
        abstract TEXT NOT NULL,
        authors TEXT NOT NULL DEFAULT '[]',
        categories TEXT NOT NULL DEFAULT '[]',
        primary_category TEXT,
        published TEXT NOT NULL,
        updated TEXT,
        announce_type TEXT,
        source TEXT NOT NULL,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX papers_published ON papers(published);
    CREATE TABLE fetch_progress (
        key TEXT PRIMARY KEY,
        done_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    """,
    # API, RSS and file imports of arXiv were three sources; they are one population (papers.ARXIV).
    2: """
    UPDATE papers SET source = 'arxiv' WHERE source IN ('api', 'rss', 'import')
    """,
    10: """
    CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID
    """,
    11: """
    CREATE TABLE paper_fundamentals (
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        fundamental_id TEXT NOT NULL,
        score REAL NOT NULL,
        rank INTEGER NOT NULL,
        PRIMARY KEY (paper_id, fundamental_id)
    );
    CREATE INDEX paper_fundamentals_fid ON paper_fundamentals(fundamental_id, score);
    CREATE TABLE paper_analysis (
        paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        linked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    )
    """,
    12: """
    ALTER TABLE paper_analysis ADD COLUMN linker TEXT NOT NULL DEFAULT ''
    """,
    # Each link keeps its evidence (the linker's "why"), shown beside the chip.
    13: """
    ALTER TABLE paper_fundamentals ADD COLUMN why TEXT NOT NULL DEFAULT ''
    """,
    20: """
    CREATE TABLE topics (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        terms TEXT NOT NULL DEFAULT '[]',
        onset TEXT,
        age_days INTEGER,
        hype INTEGER,
        active INTEGER NOT NULL DEFAULT 0,
        why TEXT,
        curve TEXT NOT NULL DEFAULT '[]',
        earliest TEXT NOT NULL DEFAULT '[]',
        size INTEGER NOT NULL DEFAULT 0,
        as_of TEXT NOT NULL
    );
    CREATE TABLE paper_topics (
        paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE
    );
    CREATE INDEX paper_topics_topic ON paper_topics(topic_id)
    """,
    21: """
    ALTER TABLE topics ADD COLUMN kind TEXT NOT NULL DEFAULT 'cluster';
    ALTER TABLE topics ADD COLUMN centroid BLOB;
    ALTER TABLE topics ADD COLUMN built_as_of TEXT;
    CREATE TABLE topic_counts (
        topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        month TEXT NOT NULL,
        source TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (topic_id, month, source)
    ) WITHOUT ROWID;
    CREATE TABLE topic_totals (
        month TEXT NOT NULL,
        source TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (month, source)
    ) WITHOUT ROWID
    """,
    # Topic counts were kept per old source name: the next analyze rebuilds them (migration 2).
    22: """
    DELETE FROM paper_topics;
    DELETE FROM topic_counts;
    DELETE FROM topic_totals;
    DELETE FROM topics
    """,
    30: """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        day TEXT NOT NULL DEFAULT (date('now', 'localtime')),
        problem TEXT NOT NULL,
        tried TEXT NOT NULL,
        bottleneck TEXT NOT NULL,
        evidence TEXT,
        outcome TEXT,
        outcome_note TEXT,
        closed_at TEXT
    );
    CREATE TABLE unlocks (
        paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        score REAL NOT NULL,
        reason TEXT NOT NULL,
        unlocked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        read_at TEXT,
        read_day TEXT,
        note TEXT,
        unblocked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX unlocks_attempt ON unlocks(attempt_id)
    """,
    31: """
    CREATE TABLE relevance (
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (attempt_id, paper_id)
    );
    CREATE INDEX relevance_day ON relevance(day, attempt_id);
    CREATE TABLE relevance_days (
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        papers INTEGER NOT NULL,
        PRIMARY KEY (attempt_id, day)
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    40: """
    CREATE TABLE digests (
        day TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        tries INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        message_id TEXT,
        recipients TEXT,
        sent_at TEXT
    );
    CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        finished_at TEXT,
        ok INTEGER,
        error TEXT,
        summary TEXT
    );
    CREATE TABLE job_lock (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL
    )
    """,
    # Jobs lock a file beside the database now (triage.lock): the kernel frees it when a holder dies.
    41: """
    DROP TABLE job_lock
    """,
    # Web logins: only a hash of each session token, so reading the file gives no usable login.
    50: """
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        created_at REAL NOT NULL
    ) WITHOUT ROWID
    """,
    # Full-text index of titles and authors for the daily page's search; rowid = papers.rowid.
    # Kept in step by upsert_papers (the only write path of papers), not by triggers: the
    # migration runner splits statements on semicolons, which a trigger body contains.
    51: """
    CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, tokenize = 'unicode61 remove_diacritics 2');
    INSERT INTO papers_fts (rowid, title, authors)
        SELECT rowid, title, (SELECT group_concat(value, ', ') FROM json_each(papers.authors)) FROM papers
    """,
}


class Store:
    """One SQLite database. Open with Store(path); `init()` creates or upgrades it."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if not self.path.strip():  # sqlite3 would open a temporary database that vanishes
            raise UserError("The database path is empty (from [storage] db or --db).")
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.exists():
                raise UserError(f"Database folder {parent} does not exist (from [storage] db or --db).")
            for what, p in (("file", Path(self.path)), ("folder", parent)):
                if p.exists() and not os.access(p, os.W_OK):
                    raise UserError(
                        f"Database {what} {p} is read-only for this user; the store needs to write."
                    )
            # Created private: it holds the session key (SQLite gives its -wal and -shm the same mode).
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_RDONLY, 0o600))
            except OSError as e:
                raise UserError(f"Cannot open the database {self.path}: {e.strerror}.") from None
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as e:
            raise UserError(f"{self.path} is not a usable SQLite database ({e}).") from None
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self):
        """All or nothing: a batch either lands whole or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # --- schema -------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The highest migration applied (0 for a new database)."""
        applied = self.applied_migrations()
        return max(applied) if applied else 0

    def applied_migrations(self) -> set[int]:
        # Numbers are recorded one by one, not as a high-water mark: features number their
        # migrations in their own ranges, so a lower number may arrive after a higher one.
        if not self._has_table("schema_migrations"):
            # Databases made before this table kept a high-water mark in user_version.
            legacy = self.conn.execute("PRAGMA user_version").fetchone()[0]
            with self.transaction() as conn:
                conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY)")
                conn.executemany(
                    "INSERT INTO schema_migrations (number) VALUES (?)",
                    [(n,) for n in MIGRATIONS if n <= legacy],
                )
        return {r[0] for r in self.conn.execute("SELECT number FROM schema_migrations")}

    def _has_table(self, name: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
            is not None
        )

    def init(self) -> list[int]:
        """Apply pending migrations in number order; idempotent. Returns the numbers applied."""
        done = self.applied_migrations()
        applied = []
        for number in sorted(set(MIGRATIONS) - done):
            with self.transaction() as conn:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (number) VALUES (?)", (number,))
            applied.append(number)
        return applied

    def require_schema(self) -> None:
        if set(MIGRATIONS) - self.applied_migrations():
            self.init()

    # --- papers -------------------------------------------------------------------------

    _UPSERT = """
    INSERT INTO papers (id, version, title, abstract, authors, categories, primary_category,
                        published, updated, announce_type, source)
    VALUES (:id, :version, :title, :abstract, :authors, :categories, :primary_category,
            :published, :updated, :announce_type, :source)
    ON CONFLICT(id) DO UPDATE SET
        version = excluded.version,
        title = excluded.title,
        abstract = excluded.abstract,
        authors = excluded.authors,
        categories = excluded.categories,
        primary_category = excluded.primary_category,
        published = min(papers.published, excluded.published),
        updated = excluded.updated,
        announce_type = excluded.announce_type,
        source = excluded.source
    WHERE excluded.version >= papers.version
    """

    def upsert_papers(self, papers: Iterable[Paper]) -> int:
        """Insert or update in one transaction; an older version never overwrites a newer one."""
        rows = [_paper_row(p) for p in papers]
        if not rows:
            return 0
        with self.transaction() as conn:
            conn.executemany(self._UPSERT, rows)
            self._index_text(conn, [r["id"] for r in rows])
        return len(rows)

    def count_papers(self) -> int:
        return self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.conn.execute("SELECT * FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return _row_paper(row, self._columns("papers")) if row else None

    def iter_papers(self, since: str | None = None, until: str | None = None) -> Iterator[Paper]:
        """Papers in published order, optionally within [since, until] (ISO dates, inclusive)."""
        cols = self._columns("papers")
        cur = self.conn.execute(
            "SELECT * FROM papers WHERE published >= ? AND published <= ? ORDER BY published, id",
            (since or "0000", until or "9999"),
        )
        for row in cur:
            yield _row_paper(row, cols)

    def _columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]

    # --- fetch progress (resumable backfill) ----------------------------------------------

    def fetch_done(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM fetch_progress WHERE key = ?", (key,)).fetchone() is not None

    def mark_fetch_done(self, key: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO fetch_progress (key) VALUES (?)", (key,))

    # --- embeddings and fundamentals (10-19) ----------------------------------------------

    def get_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """Cached float32 vectors for the given text hashes (missing ones are absent)."""
        found: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(dict.fromkeys(hashes))):
            cur = self.conn.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({_marks(chunk)})",
                [model, *chunk],
            )
            for h, blob in cur:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_vectors(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)", rows
            )

    _LINK_INSERT = (
        "INSERT INTO paper_fundamentals (paper_id, fundamental_id, score, rank, why) VALUES (?, ?, ?, ?, ?)"
    )

    @staticmethod
    def _link_rows(links: Iterable[tuple[str, list[tuple]]]) -> list[tuple]:
        """Rows of paper_fundamentals from (paper_id, [(fundamental_id, score[, why]), ...]) pairs."""
        return [
            (p, link[0], float(link[1]), r, link[2] if len(link) > 2 else "")
            for p, ls in links
            for r, link in enumerate(ls)
        ]

    def set_paper_fundamentals(self, links: dict[str, list[tuple]]) -> None:
        """Replace the links of the given papers: {paper_id: [(fundamental_id, score[, why]), ...] best first}."""
        with self.transaction() as conn:
            conn.executemany("DELETE FROM paper_fundamentals WHERE paper_id = ?", [(p,) for p in links])
            conn.executemany(self._LINK_INSERT, self._link_rows(links.items()))

    def analysis_state(self) -> dict[str, tuple[str, str, str]]:
        """{paper_id: (model, text_hash, linker)} as of each paper's last analysis."""
        cur = self.conn.execute("SELECT paper_id, model, text_hash, linker FROM paper_analysis")
        return {pid: (model, h, linker) for pid, model, h, linker in cur}

    def record_analysis(self, model: str, linker: str, results: dict[str, tuple[str, list[tuple]]]) -> None:
        """Store links and the analysis key of each paper at once: {paper_id: (text_hash, links)}."""
        with self.transaction() as conn:
            conn.executemany("DELETE FROM paper_fundamentals WHERE paper_id = ?", [(p,) for p in results])
            conn.executemany(self._LINK_INSERT, self._link_rows((p, ls) for p, (_, ls) in results.items()))
            conn.executemany(
                "INSERT OR REPLACE INTO paper_analysis (paper_id, model, text_hash, linker) VALUES (?, ?, ?, ?)",
                [(p, model, h, linker) for p, (h, _) in results.items()],
            )

    def count_vectors(self, model: str | None = None) -> int:
        if model is None:
            return self.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM embeddings WHERE model = ?", (model,)).fetchone()[0]

    def link_counts(self) -> dict[str, int]:
        """{fundamental_id: number of papers linked to it}."""
        cur = self.conn.execute(
            "SELECT fundamental_id, count(*) FROM paper_fundamentals GROUP BY fundamental_id"
        )
        return dict(cur.fetchall())

    def fundamentals_for(self, paper_ids: list[str]) -> dict[str, list[tuple[str, float]]]:
        """{paper_id: [(fundamental_id, score), ...] best first}; papers without links are absent."""
        out: dict[str, list[tuple[str, float]]] = {}
        for chunk in _chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT paper_id, fundamental_id, score FROM paper_fundamentals "
                f"WHERE paper_id IN ({_marks(chunk)}) ORDER BY paper_id, rank",
                chunk,
            )
            for pid, fid, score in cur:
                out.setdefault(pid, []).append((fid, score))
        return out

    def fundamentals_detail(self, paper_ids: list[str]) -> dict[str, list[tuple[str, float, str]] | None]:
        """{paper_id: [(fundamental_id, score, why), ...] best first}: [] when analysed and linked to
        none, None when never analysed (no analysis recorded and no links)."""
        out: dict[str, list[tuple[str, float, str]] | None] = dict.fromkeys(paper_ids)
        for chunk in _chunks(paper_ids):
            for (pid,) in self.conn.execute(
                f"SELECT paper_id FROM paper_analysis WHERE paper_id IN ({_marks(chunk)})", chunk
            ):
                out[pid] = []
            cur = self.conn.execute(
                f"SELECT paper_id, fundamental_id, score, why FROM paper_fundamentals "
                f"WHERE paper_id IN ({_marks(chunk)}) ORDER BY paper_id, rank",
                chunk,
            )
            for pid, fid, score, why in cur:
                out[pid] = (out[pid] or []) + [(fid, score, why)]
        return out

    # --- topics (20-29) -------------------------------------------------------------------

    _TOPIC_COLS = (
        "id",
        "label",
        "terms",
        "onset",
        "age_days",
        "hype",
        "active",
        "why",
        "curve",
        "earliest",
        "size",
        "as_of",
        "kind",
        "centroid",
        "built_as_of",
    )

    def replace_topics(
        self,
        topics: list[dict],
        assignments: dict[str, int],
        counts: Iterable[tuple[int, str, str, int]] = (),
        totals: Iterable[tuple[str, str, int]] = (),
    ) -> None:
        """Swap in a new topic model whole: topics (dicts of the topics columns), paper -> topic id,
        and the monthly (topic, month, source, n) counts and (month, source, n) totals behind the curves."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM topic_counts")
            conn.execute("DELETE FROM topic_totals")
            conn.execute("DELETE FROM paper_topics")
            conn.execute("DELETE FROM topics")
            cols = self._TOPIC_COLS
            conn.executemany(
                f"INSERT INTO topics ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",  # noqa: S608
                [_topic_db_row(t) for t in topics],
            )
            conn.executemany(
                "INSERT INTO paper_topics (paper_id, topic_id) VALUES (?, ?)", list(assignments.items())
            )
            conn.executemany("INSERT INTO topic_counts VALUES (?, ?, ?, ?)", list(counts))
            conn.executemany("INSERT INTO topic_totals VALUES (?, ?, ?)", list(totals))

    def add_topic_papers(
        self,
        assignments: dict[str, int],
        counts: Iterable[tuple[int, str, str, int]],
        totals: Iterable[tuple[str, str, int]],
        topics: list[dict],
    ) -> None:
        """Incremental step: assign new papers, add their monthly counts, rewrite the verdicts."""
        cols = [c for c in self._TOPIC_COLS if c not in ("id", "kind", "centroid", "built_as_of")]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO paper_topics (paper_id, topic_id) VALUES (?, ?)",
                list(assignments.items()),
            )
            conn.executemany(
                "INSERT INTO topic_counts VALUES (?, ?, ?, ?) "
                "ON CONFLICT(topic_id, month, source) DO UPDATE SET n = n + excluded.n",
                list(counts),
            )
            conn.executemany(
                "INSERT INTO topic_totals VALUES (?, ?, ?) "
                "ON CONFLICT(month, source) DO UPDATE SET n = n + excluded.n",
                list(totals),
            )
            conn.executemany(
                f"UPDATE topics SET {', '.join(c + ' = :' + c for c in cols)} WHERE id = :id",  # noqa: S608
                [_topic_db_row(t) for t in topics],
            )

    def topic_model(self) -> list[dict]:
        """Every topic with its kind and centroid (float32 vector or None), for incremental assignment."""
        cur = self.conn.execute("SELECT * FROM topics ORDER BY id")
        cols = [d[0] for d in cur.description]
        return [_topic_row(dict(zip(cols, r, strict=True)), centroid=True) for r in cur]

    def topic_counts(self) -> list[tuple[int, str, str, int]]:
        return self.conn.execute("SELECT topic_id, month, source, n FROM topic_counts").fetchall()

    def topic_totals(self) -> list[tuple[str, str, int]]:
        return self.conn.execute("SELECT month, source, n FROM topic_totals").fetchall()

    def papers_without_topic(self, until: str) -> list[Paper]:
        """Papers published up to `until` (inclusive) that no topic holds yet."""
        cols = self._columns("papers")
        cur = self.conn.execute(
            "SELECT p.* FROM papers p LEFT JOIN paper_topics pt ON pt.paper_id = p.id "
            "WHERE pt.paper_id IS NULL AND p.published <= ? ORDER BY p.published, p.id",
            (until,),
        )
        return [_row_paper(row, cols) for row in cur]

    def topics(self) -> list[dict]:
        """Every topic, youngest onset first; JSON columns decoded, hype as True/False/None."""
        cur = self.conn.execute("SELECT * FROM topics ORDER BY onset IS NULL, onset DESC, id")
        cols = [d[0] for d in cur.description]
        return [_topic_row(dict(zip(cols, r, strict=True))) for r in cur]

    def topic_for(self, paper_ids: list[str]) -> dict[str, dict]:
        """{paper_id: topic dict} for papers that have a topic."""
        out: dict[str, dict] = {}
        for chunk in _chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT pt.paper_id, t.* FROM paper_topics pt JOIN topics t ON t.id = pt.topic_id "
                f"WHERE pt.paper_id IN ({_marks(chunk)})",
                chunk,
            )
            cols = [d[0] for d in cur.description]
            for r in cur:
                d = dict(zip(cols, r, strict=True))
                out[d.pop("paper_id")] = _topic_row(d)
        return out

    # --- gate (30-39) ---------------------------------------------------------------------

    def latest_day(self) -> str | None:
        """The newest announcement day held (max published date)."""
        return self.conn.execute("SELECT max(published) FROM papers").fetchone()[0]

    def unlocked_ids(self, paper_ids: list[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT paper_id FROM unlocks WHERE paper_id IN ({_marks(chunk)})", chunk
            )
            out.update(r[0] for r in cur)
        return out

    def attempt_bottlenecks(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT bottleneck FROM attempts ORDER BY id")]

    def add_attempt(self, problem: str, tried: str, bottleneck: str, evidence: str | None) -> int:
        cur = self.conn.execute(
            "INSERT INTO attempts (problem, tried, bottleneck, evidence) VALUES (?, ?, ?, ?)",
            (problem, tried, bottleneck, evidence),
        )
        return cur.lastrowid

    def add_unlocks(self, attempt_id: int, unlocks: list[tuple[str, float, str]]) -> None:
        """Unlock papers for an attempt: [(paper_id, score, reason)] best first."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO unlocks (paper_id, attempt_id, rank, score, reason) VALUES (?, ?, ?, ?, ?)",
                [
                    (pid, attempt_id, r, float(score), reason)
                    for r, (pid, score, reason) in enumerate(unlocks)
                ],
            )

    def attempts(self, open_only: bool = False) -> list[dict]:
        sql = "SELECT * FROM attempts" + (" WHERE outcome IS NULL" if open_only else "") + " ORDER BY id DESC"
        cur = self.conn.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]

    def queue(self, state: str) -> list[dict]:
        """Unlocked papers joined with their paper record; state queued | read | all."""
        where = {"queued": "u.read_at IS NULL", "read": "u.read_at IS NOT NULL", "all": "1"}[state]
        cur = self.conn.execute(
            "SELECT u.paper_id, u.attempt_id, u.rank, u.score, u.reason, u.unlocked_at, u.read_at, u.note, "
            f"u.unblocked, a.bottleneck FROM unlocks u JOIN attempts a ON a.id = u.attempt_id WHERE {where} "
            "ORDER BY u.unlocked_at DESC, u.attempt_id DESC, u.rank"
        )
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur]
        for row in rows:
            row["paper"] = self.get_paper(row["paper_id"])
            row["unblocked"] = bool(row["unblocked"])
        return rows

    def mark_read(self, paper_id: str, note: str | None, unblocked: bool) -> bool:
        cur = self.conn.execute(
            "UPDATE unlocks SET read_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
            "read_day = coalesce(read_day, date('now', 'localtime')), note = ?, unblocked = ? WHERE paper_id = ?",
            (note, int(unblocked), paper_id),
        )
        return cur.rowcount == 1

    def close_attempt(self, attempt_id: int, outcome: str, note: str | None) -> bool:
        cur = self.conn.execute(
            "UPDATE attempts SET outcome = ?, outcome_note = ?, closed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
            "WHERE id = ? AND outcome IS NULL",
            (outcome, note, attempt_id),
        )
        return cur.rowcount == 1

    def read_count_on(self, day: str) -> int:
        return self.conn.execute("SELECT count(*) FROM unlocks WHERE read_day = ?", (day,)).fetchone()[0]

    def attempt_days(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT day FROM attempts ORDER BY day")]

    def get_attempt(self, attempt_id: int) -> dict | None:
        cur = self.conn.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def adjacent_days(self, day: str) -> tuple[str | None, str | None]:
        """The nearest days before and after `day` that hold papers."""
        before = self.conn.execute("SELECT max(published) FROM papers WHERE published < ?", (day,)).fetchone()
        after = self.conn.execute("SELECT min(published) FROM papers WHERE published > ?", (day,)).fetchone()
        return before[0], after[0]

    def count_day(self, day: str) -> int:
        return self.conn.execute("SELECT count(*) FROM papers WHERE published = ?", (day,)).fetchone()[0]

    def relevance_fresh(self, day: str, attempt_ids: list[int], papers: int) -> set[int]:
        """Attempts whose cached scores for `day` were computed over `papers` papers (still current)."""
        cur = self.conn.execute(
            f"SELECT attempt_id FROM relevance_days WHERE day = ? AND papers = ? "
            f"AND attempt_id IN ({_marks(attempt_ids)})",
            [day, papers, *attempt_ids],
        )
        return {r[0] for r in cur}

    def set_relevance(self, attempt_id: int, day: str, scores: list[tuple[str, float]], papers: int) -> None:
        """Cache an attempt's scores for `day` (only the relevant papers), computed over `papers` papers."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM relevance WHERE attempt_id = ? AND day = ?", (attempt_id, day))
            conn.executemany(
                "INSERT OR REPLACE INTO relevance (attempt_id, paper_id, day, score) VALUES (?, ?, ?, ?)",
                [(attempt_id, pid, day, float(score)) for pid, score in scores],
            )
            conn.execute(
                "INSERT OR REPLACE INTO relevance_days (attempt_id, day, papers) VALUES (?, ?, ?)",
                (attempt_id, day, papers),
            )

    def relevance(self, day: str, attempt_ids: list[int]) -> dict[str, tuple[float, int]]:
        """{paper_id: (best score, attempt id)} over the given attempts' cached scores for `day`."""
        out: dict[str, tuple[float, int]] = {}
        cur = self.conn.execute(
            f"SELECT paper_id, score, attempt_id FROM relevance WHERE day = ? "
            f"AND attempt_id IN ({_marks(attempt_ids)})",
            [day, *attempt_ids],
        )
        for pid, score, aid in cur:
            if pid not in out or score > out[pid][0]:
                out[pid] = (score, aid)
        return out

    def day_overview(self, day: str) -> list[tuple[str, bool | None]]:
        """(paper_id, hype) for every paper on `day`, in id order; hype None when unknown."""
        cur = self.conn.execute(
            "SELECT p.id, t.hype FROM papers p LEFT JOIN paper_topics pt ON pt.paper_id = p.id "
            "LEFT JOIN topics t ON t.id = pt.topic_id WHERE p.published = ? ORDER BY p.id",
            (day,),
        )
        return [(pid, None if hype is None else bool(hype)) for pid, hype in cur]

    def topic_badges_for(self, paper_ids: list[str]) -> dict[str, dict]:
        """{paper_id: {id, label, onset, age_days, hype, why, curve}}: topic_for without the JSON
        columns, for pages that list many papers; the curve only for hyped topics (their badge shows it)."""
        out: dict[str, dict] = {}
        for chunk in _chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT pt.paper_id, t.id, t.label, t.onset, t.age_days, t.hype, t.why, "
                f"CASE WHEN t.hype = 1 THEN t.curve END FROM paper_topics pt "
                f"JOIN topics t ON t.id = pt.topic_id WHERE pt.paper_id IN ({_marks(chunk)})",
                chunk,
            )
            for pid, tid, label, onset, age, hype, why, curve in cur:
                out[pid] = {
                    "id": tid,
                    "label": label,
                    "onset": onset,
                    "age_days": age,
                    "hype": None if hype is None else bool(hype),
                    "why": why,
                    "curve": json.loads(curve) if curve else None,
                }
        return out

    def get_papers(self, paper_ids: list[str]) -> dict[str, Paper]:
        cols = self._columns("papers")
        out: dict[str, Paper] = {}
        for chunk in _chunks(paper_ids):
            for row in self.conn.execute(f"SELECT * FROM papers WHERE id IN ({_marks(chunk)})", chunk):
                p = _row_paper(row, cols)
                out[p.id] = p
        return out

    def papers_for_fundamental(self, fundamental_id: str, limit: int) -> list[tuple[str, float]]:
        """(paper_id, score) of the papers linked to a fundamental, strongest first."""
        cur = self.conn.execute(
            "SELECT paper_id, score FROM paper_fundamentals WHERE fundamental_id = ? "
            "ORDER BY score DESC, paper_id LIMIT ?",
            (fundamental_id, limit),
        )
        return [(pid, score) for pid, score in cur]

    def meta_default(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (race-safe)."""
        self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    # --- web sessions (50-59) -------------------------------------------------------------

    def add_web_session(self, token_hash: str, created_at: float, not_before: float) -> None:
        """Record a login, dropping sessions that expired before `not_before`."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM web_sessions WHERE created_at < ?", (not_before,))
            conn.execute(
                "INSERT INTO web_sessions (token_hash, created_at) VALUES (?, ?)", (token_hash, created_at)
            )

    def web_session_alive(self, token_hash: str, not_before: float) -> bool:
        cur = self.conn.execute(
            "SELECT 1 FROM web_sessions WHERE token_hash = ? AND created_at >= ?", (token_hash, not_before)
        )
        return cur.fetchone() is not None

    def end_web_session(self, token_hash: str) -> None:
        self.conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))

    def end_web_sessions(self) -> None:
        """Log every session out (the password changed)."""
        self.conn.execute("DELETE FROM web_sessions")

    # The gate's ranking keeps a window's vectors, hype flags and word index in memory; these read
    # them in one query and say cheaply (indexed reads) when analyze or an import changed them.

    def window_stamp(self, since: str, until: str) -> tuple:
        """Changes when papers arrive in [since, until], analyze re-links any paper, or topics change."""
        return self.conn.execute(
            "SELECT (SELECT count(*) FROM papers WHERE published >= ? AND published <= ?), "
            "(SELECT max(rowid) FROM papers), (SELECT max(rowid) FROM paper_analysis), "
            "(SELECT max(rowid) FROM paper_topics), "
            "(SELECT count(*) || ':' || max(as_of) || ':' || total(hype) FROM topics)",
            (since, until),
        ).fetchone()

    def window_rows(self, since: str, until: str, model: str) -> list[tuple]:
        """(id, published, title, abstract, analysed text hash, vector blob, hype) per paper in
        [since, until], in published order; the hash and vector are None until analyze embedded it
        with `model`, hype None when unknown."""
        return self.conn.execute(
            "SELECT p.id, p.published, p.title, p.abstract, a.text_hash, e.vector, t.hype FROM papers p "
            "LEFT JOIN paper_analysis a ON a.paper_id = p.id AND a.model = ? "
            "LEFT JOIN embeddings e ON e.model = a.model AND e.text_hash = a.text_hash "
            "LEFT JOIN paper_topics pt ON pt.paper_id = p.id LEFT JOIN topics t ON t.id = pt.topic_id "
            "WHERE p.published >= ? AND p.published <= ? ORDER BY p.published, p.id",
            (model, since, until),
        ).fetchall()

    def unlocked_within(self, since: str, until: str) -> set[str]:
        """Ids of the unlocked papers published in [since, until]."""
        cur = self.conn.execute(
            "SELECT u.paper_id FROM unlocks u JOIN papers p ON p.id = u.paper_id "
            "WHERE p.published >= ? AND p.published <= ?",
            (since, until),
        )
        return {r[0] for r in cur}

    # --- digest (40-49) -------------------------------------------------------------------

    def digest_record(self, day: str) -> dict | None:
        """The digests row for a day (subject, tries, last_error, message_id, sent_at), if any."""
        cur = self.conn.execute("SELECT * FROM digests WHERE day = ?", (day,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def digest_failed(self, day: str, subject: str, error: str) -> None:
        """Count a failed send; the day stays unsent so the next run retries."""
        self.conn.execute(
            "INSERT INTO digests (day, subject, tries, last_error) VALUES (?, ?, 1, ?) "
            "ON CONFLICT(day) DO UPDATE SET subject = excluded.subject, tries = digests.tries + 1, "
            "last_error = excluded.last_error WHERE digests.sent_at IS NULL",
            (day, subject, error),
        )

    def digest_sent(self, day: str, subject: str, message_id: str, recipients: list[str]) -> None:
        """Mark the day sent, only after the SMTP server accepted the message."""
        self.conn.execute(
            "INSERT INTO digests (day, subject, tries, message_id, recipients, sent_at) "
            "VALUES (?, ?, 1, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
            "ON CONFLICT(day) DO UPDATE SET subject = excluded.subject, tries = digests.tries + 1, "
            "last_error = NULL, message_id = excluded.message_id, recipients = excluded.recipients, "
            "sent_at = excluded.sent_at",
            (day, subject, message_id, json.dumps(recipients)),
        )

    def start_job_run(self, job: str) -> int:
        return self.conn.execute("INSERT INTO job_runs (job) VALUES (?)", (job,)).lastrowid

    def finish_job_run(self, run_id: int, ok: bool, error: str | None, summary: str | None) -> None:
        self.conn.execute(
            "UPDATE job_runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ok = ?, error = ?, "
            "summary = ? WHERE id = ?",
            (int(ok), error, summary, run_id),
        )

    def close_unfinished_runs(self, job: str, error: str) -> int:
        """Mark failed the runs of `job` that never finished (their process died); the count closed."""
        cur = self.conn.execute(
            "UPDATE job_runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ok = 0, error = ? "
            "WHERE job = ? AND finished_at IS NULL",
            (error, job),
        )
        return cur.rowcount

    def job_runs(self, job: str | None = None, limit: int = 20) -> list[dict]:
        """Recent job runs, newest first (the web page shows the last error from here)."""
        cur = self.conn.execute(
            "SELECT * FROM job_runs WHERE ? IS NULL OR job = ? ORDER BY id DESC LIMIT ?", (job, job, limit)
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]

    # --- daily page and topic pages: full-text search, filters, topic lists (50-59) ----------

    _SEARCH_WORDS = 12  # a search is a few words; more only slow the index down

    def _index_text(self, conn, paper_ids: list[str]) -> None:
        """Re-index the titles and authors of the given papers (inside the caller's transaction)."""
        for chunk in _chunks(list(dict.fromkeys(paper_ids))):
            marks = _marks(chunk)
            conn.execute(
                f"DELETE FROM papers_fts WHERE rowid IN (SELECT rowid FROM papers WHERE id IN ({marks}))",
                chunk,
            )
            conn.execute(
                "INSERT INTO papers_fts (rowid, title, authors) SELECT rowid, title, "
                "(SELECT group_concat(value, ', ') FROM json_each(papers.authors)) "
                f"FROM papers WHERE id IN ({marks})",
                chunk,
            )

    def search_day(self, day: str, query: str) -> set[str]:
        """Ids of `day`'s papers whose title or authors hold every word of `query` (word prefixes
        match: 'transf' finds 'transformer'). Words are quoted, so no input is FTS5 syntax."""
        words = re.findall(r"\w+", query.lower())[: self._SEARCH_WORDS]
        if not words:
            return set()
        match = " ".join(f'"{w}"*' for w in words)
        # The index is searched only within the day's rowid span (a day's papers arrive together),
        # then checked against the day: joining it per paper instead re-runs the match 1,000 times.
        cur = self.conn.execute(
            "SELECT id FROM papers WHERE published = :day AND rowid IN ("
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH :match AND rowid BETWEEN "
            "(SELECT min(rowid) FROM papers WHERE published = :day) AND "
            "(SELECT max(rowid) FROM papers WHERE published = :day))",
            {"day": day, "match": match},
        )
        return {r[0] for r in cur}

    def day_facets(self, day: str) -> list[dict]:
        """Every paper of `day` with what the page filters on: topic id, hype, whether it was
        analysed and how many fundamentals it rests on; in id order."""
        cur = self.conn.execute(
            "SELECT p.id, t.id, t.hype, a.paper_id IS NOT NULL, "
            "(SELECT count(*) FROM paper_fundamentals pf WHERE pf.paper_id = p.id) "
            "FROM papers p LEFT JOIN paper_topics pt ON pt.paper_id = p.id "
            "LEFT JOIN topics t ON t.id = pt.topic_id LEFT JOIN paper_analysis a ON a.paper_id = p.id "
            "WHERE p.published = ? ORDER BY p.id",
            (day,),
        )
        return [
            {
                "id": pid,
                "topic_id": tid,
                "hype": None if hype is None else bool(hype),
                "analysed": bool(analysed),
                "fundamentals": n,
            }
            for pid, tid, hype, analysed, n in cur
        ]

    def day_categories(self, day: str) -> list[tuple[str, int]]:
        """(category, papers) of `day`, most papers first (JSON read by SQLite, not per row in Python)."""
        cur = self.conn.execute(
            "SELECT c.value, count(*) AS n FROM papers p, json_each(p.categories) c "
            "WHERE p.published = ? GROUP BY c.value ORDER BY n DESC, c.value",
            (day,),
        )
        return cur.fetchall()

    def day_in_category(self, day: str, category: str) -> set[str]:
        cur = self.conn.execute(
            "SELECT p.id FROM papers p, json_each(p.categories) c WHERE p.published = ? AND c.value = ?",
            (day, category),
        )
        return {r[0] for r in cur}

    def topic_labels(self, topic_ids: list[int]) -> dict[int, dict]:
        """{topic id: {id, label, onset, age_days, hype, active, why, as_of}} without the JSON columns."""
        out: dict[int, dict] = {}
        for chunk in _chunks(topic_ids):
            cur = self.conn.execute(
                "SELECT id, label, onset, age_days, hype, active, why, as_of FROM topics "
                f"WHERE id IN ({_marks(chunk)})",
                chunk,
            )
            cols = [d[0] for d in cur.description]
            for r in cur:
                d = dict(zip(cols, r, strict=True))
                d["hype"] = None if d["hype"] is None else bool(d["hype"])
                d["active"] = bool(d["active"])
                out[d["id"]] = d
        return out

    def count_topics(self) -> int:
        return self.conn.execute("SELECT count(*) FROM topics").fetchone()[0]

    def radar_page(self, offset: int, limit: int) -> list[dict]:
        """One page of the radar: young topics first, then by onset (newest first), then the rest."""
        cur = self.conn.execute(
            "SELECT id, label, onset, age_days, hype, active, why, curve, size, as_of FROM topics "
            "ORDER BY hype = 1 DESC, onset IS NULL, onset DESC, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        cols = [d[0] for d in cur.description]
        rows = []
        for r in cur:
            d = dict(zip(cols, r, strict=True))
            d["curve"] = json.loads(d["curve"])
            d["hype"] = None if d["hype"] is None else bool(d["hype"])
            d["active"] = bool(d["active"])
            rows.append(d)
        return rows

    def get_topic(self, topic_id: int) -> dict | None:
        cur = self.conn.execute("SELECT * FROM topics WHERE id = ?", (topic_id,))
        row = cur.fetchone()
        return _topic_row(dict(zip([d[0] for d in cur.description], row, strict=True))) if row else None

    def topic_papers_since(self, topic_id: int, since: str, limit: int) -> tuple[list[str], int]:
        """The newest `limit` ids of a topic's papers published on or after `since`, and how many there are.

        Walks the window's papers by date (CROSS JOIN fixes that order): a window holds a few thousand
        papers at most, while a big topic holds a tenth of the whole history."""
        cur = self.conn.execute(
            "SELECT p.id FROM papers p CROSS JOIN paper_topics pt ON pt.paper_id = p.id "
            "WHERE p.published >= ? AND pt.topic_id = ? ORDER BY p.published DESC, p.id",
            (since, topic_id),
        )
        ids = [r[0] for r in cur]
        return ids[:limit], len(ids)

    def attempt_unlock_count(self, attempt_id: int) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM unlocks WHERE attempt_id = ?", (attempt_id,)
        ).fetchone()[0]

    def unlock_one(self, attempt_id: int, paper_id: str, score: float, reason: str) -> bool:
        """Unlock one more paper for an attempt, ranked after its others; False if already unlocked."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO unlocks (paper_id, attempt_id, rank, score, reason) "
            "SELECT ?, ?, count(*), ?, ? FROM unlocks WHERE attempt_id = ?",
            (paper_id, attempt_id, float(score), reason, attempt_id),
        )
        return cur.rowcount == 1


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _marks(chunk: list) -> str:
    return ",".join("?" * len(chunk))


def _topic_row(d: dict, centroid: bool = False) -> dict:
    for c in ("terms", "curve", "earliest"):
        d[c] = json.loads(d[c])
    d["hype"] = None if d["hype"] is None else bool(d["hype"])
    d["active"] = bool(d["active"])
    blob = d.pop("centroid", None)
    if centroid:
        d["centroid"] = None if blob is None else np.frombuffer(blob, dtype=np.float32)
    return d


def _topic_db_row(t: dict) -> dict:
    row = {c: t.get(c) for c in Store._TOPIC_COLS}
    for c in ("terms", "curve", "earliest"):
        row[c] = json.dumps(t.get(c) or [])
    row["hype"] = None if t.get("hype") is None else int(bool(t["hype"]))
    row["active"] = int(bool(t.get("active")))
    row["size"] = int(t.get("size") or 0)
    row["kind"] = t.get("kind") or "cluster"
    c = t.get("centroid")
    row["centroid"] = None if c is None else np.asarray(c, dtype=np.float32).tobytes()
    return row


def _paper_row(p: Paper) -> dict:
    d = p.to_dict()
    d["authors"] = json.dumps(p.authors, ensure_ascii=False)
    d["categories"] = json.dumps(p.categories)
    return d


def _row_paper(row: tuple, cols: list[str]) -> Paper:
    d = dict(zip(cols, row, strict=True))
    return Paper(
        id=d["id"],
        version=d["version"],
        title=d["title"],
        abstract=d["abstract"],
        authors=json.loads(d["authors"]),
        categories=json.loads(d["categories"]),
        primary_category=d["primary_category"],
        published=d["published"],
        updated=d["updated"],
        announce_type=d["announce_type"],
        source=d["source"],
    )
