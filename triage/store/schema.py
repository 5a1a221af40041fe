"""The schema: versioned migrations, applied by number; each feature owns a range of numbers."""

from __future__ import annotations

from triage.store.base import StoreBase

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


class SchemaStore(StoreBase):
    """Creates or upgrades the database: the set of migrations applied is recorded number by number."""

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
