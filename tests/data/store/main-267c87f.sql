-- A database made and filled by triage.store at main 267c87f (migrations 1-51 applied),
-- before the store became a package; rows added through that Store's own methods. Dumped
-- as SQL: its schema as SQLite holds it, then its rows (the search index's rows re-inserted).

CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY);
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
CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID
    ;
CREATE TABLE paper_fundamentals (
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        fundamental_id TEXT NOT NULL,
        score REAL NOT NULL,
        rank INTEGER NOT NULL, why TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (paper_id, fundamental_id)
    );
CREATE INDEX paper_fundamentals_fid ON paper_fundamentals(fundamental_id, score);
CREATE TABLE paper_analysis (
        paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        linked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    , linker TEXT NOT NULL DEFAULT '');
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
    , kind TEXT NOT NULL DEFAULT 'cluster', centroid BLOB, built_as_of TEXT);
CREATE TABLE paper_topics (
        paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE
    );
CREATE INDEX paper_topics_topic ON paper_topics(topic_id)
    ;
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
    ;
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
    ;
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
    );
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
CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        created_at REAL NOT NULL
    ) WITHOUT ROWID
    ;
CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO schema_migrations VALUES (1);
INSERT INTO schema_migrations VALUES (2);
INSERT INTO schema_migrations VALUES (10);
INSERT INTO schema_migrations VALUES (11);
INSERT INTO schema_migrations VALUES (12);
INSERT INTO schema_migrations VALUES (13);
INSERT INTO schema_migrations VALUES (20);
INSERT INTO schema_migrations VALUES (21);
INSERT INTO schema_migrations VALUES (22);
INSERT INTO schema_migrations VALUES (30);
INSERT INTO schema_migrations VALUES (31);
INSERT INTO schema_migrations VALUES (40);
INSERT INTO schema_migrations VALUES (41);
INSERT INTO schema_migrations VALUES (50);
INSERT INTO schema_migrations VALUES (51);
INSERT INTO papers VALUES ('2603.00001', 2, 'Sparse autoencoders for feature discovery', 'We train sparse autoencoders.', '["Ada Lovelace", "Émile Zola"]', '["cs.LG", "cs.AI"]', 'cs.LG', '2026-03-02', NULL, 'new', 'arxiv', '2026-12-07T13:59:15Z');
INSERT INTO papers VALUES ('2603.00002', 1, 'Policy gradients with group baselines', 'Group relative policy optimisation.', '["Alan Turing"]', '["cs.LG"]', 'cs.LG', '2026-03-02', NULL, 'cross', 'arxiv', '2026-12-07T13:59:15Z');
INSERT INTO papers VALUES ('2603.00003', 1, 'Retrieval over long contexts', 'Retrieval augmented generation.', '["Grace Hopper"]', '["cs.CL"]', 'cs.CL', '2026-03-03', NULL, NULL, 'hf-daily', '2026-12-07T13:59:15Z');
INSERT INTO fetch_progress VALUES ('cs.LG:2026-03-02', '2026-12-07T13:59:15Z');
INSERT INTO embeddings VALUES ('packaged', 'h1', X'000000000000803f0000004000004040');
INSERT INTO embeddings VALUES ('packaged', 'h2', X'0000803f0000803f0000803f0000803f');
INSERT INTO paper_fundamentals VALUES ('2603.00001', 'backpropagation', 0.61, 0, 'gradient');
INSERT INTO paper_fundamentals VALUES ('2603.00001', 'pca', 0.4, 1, '');
INSERT INTO paper_analysis VALUES ('2603.00001', 'packaged', 'h1', '2026-12-07T13:59:15Z', 'linker-v1');
INSERT INTO paper_analysis VALUES ('2603.00002', 'packaged', 'h2', '2026-12-07T13:59:15Z', 'linker-v1');
INSERT INTO topics VALUES (1, 'sparse autoencoders', '["sae"]', '2025-11-01', 120, 1, 1, 'Rose from about zero in 2025-11', '[["2025-11", 0.01]]', '["2603.00001"]', 1, '2026-03-03', 'phrase', X'0000803f0000803f0000803f0000803f', '2026-03-03');
INSERT INTO topics VALUES (2, 'policy gradients', '[]', NULL, NULL, 0, 0, NULL, '[]', '[]', 0, '2026-03-03', 'cluster', NULL, NULL);
INSERT INTO paper_topics VALUES ('2603.00001', 1);
INSERT INTO paper_topics VALUES ('2603.00002', 2);
INSERT INTO topic_counts VALUES (1, '2026-03', 'arxiv', 1);
INSERT INTO topic_totals VALUES ('2026-03', 'arxiv', 3);
INSERT INTO attempts VALUES (1, '2026-12-07T13:59:15Z', '2026-12-07', 'Interpretability of a small model', 'Probing', 'I cannot tell which features the probe picks up at all', NULL, NULL, NULL, NULL);
INSERT INTO attempts VALUES (2, '2026-12-07T13:59:15Z', '2026-12-07', 'RL fine-tuning', 'PPO', 'The value baseline is too noisy for long reasoning traces', 'logs', 'paper', 'solved', '2026-12-07T13:59:15Z');
INSERT INTO unlocks VALUES ('2603.00001', 1, 0, 0.9, 'match 0.99', '2026-12-07T13:59:15Z', NULL, NULL, NULL, 0);
INSERT INTO unlocks VALUES ('2603.00003', 1, 1, 0.5, 'weak match', '2026-12-07T13:59:15Z', '2026-12-07T13:59:15Z', '2026-12-07', 'learned a thing', 1);
INSERT INTO unlocks VALUES ('2603.00002', 2, 0, 0.8, 'match 0.98', '2026-12-07T13:59:15Z', NULL, NULL, NULL, 0);
INSERT INTO relevance VALUES (1, '2603.00001', '2026-03-02', 0.99);
INSERT INTO relevance_days VALUES (1, '2026-03-02', 2);
INSERT INTO meta VALUES ('secret_key', '0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO digests VALUES ('2026-03-02', 'paper-triage 2026-03-02', 1, NULL, '<id@x>', '["a@example.org"]', '2026-12-07T13:59:15Z');
INSERT INTO digests VALUES ('2026-03-03', 'paper-triage 2026-03-03', 1, 'refused', NULL, NULL, NULL);
INSERT INTO job_runs VALUES (1, 'daily', '2026-12-07T13:59:15Z', '2026-12-07T13:59:15Z', 1, NULL, 'ok');
INSERT INTO web_sessions VALUES ('abababababababababababababababababababababababababababababababab', 1800000000.0);
INSERT INTO papers_fts (rowid, title, authors) VALUES (1, 'Sparse autoencoders for feature discovery', 'Ada Lovelace, Émile Zola');
INSERT INTO papers_fts (rowid, title, authors) VALUES (2, 'Policy gradients with group baselines', 'Alan Turing');
INSERT INTO papers_fts (rowid, title, authors) VALUES (3, 'Retrieval over long contexts', 'Grace Hopper');
