"""The gate: attempts, unlocks and the reading queue, cached relevance, and the window reads ranking uses."""

from __future__ import annotations

from triage.store.base import StoreBase, chunks, marks
from triage.store.papers import paper_from_row


class GateStore(StoreBase):
    """Attempts, what they unlocked, and what was read."""

    def unlocked_ids(self, paper_ids: list[str]) -> set[str]:
        out: set[str] = set()
        for chunk in chunks(paper_ids):
            cur = self.conn.execute(f"SELECT paper_id FROM unlocks WHERE paper_id IN ({marks(chunk)})", chunk)
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
        """Unlocked papers joined with their paper record; state queued | read | all. One query,
        whatever the queue's length."""
        where = {"queued": "u.read_at IS NULL", "read": "u.read_at IS NOT NULL", "all": "1"}[state]
        cur = self.conn.execute(
            "SELECT u.paper_id, u.attempt_id, u.rank, u.score, u.reason, u.unlocked_at, u.read_at, u.note, "
            "u.unblocked, a.bottleneck, p.* FROM unlocks u JOIN attempts a ON a.id = u.attempt_id "
            f"LEFT JOIN papers p ON p.id = u.paper_id WHERE {where} "
            "ORDER BY u.unlocked_at DESC, u.attempt_id DESC, u.rank"
        )
        cols = [d[0] for d in cur.description]
        split = cols.index("bottleneck") + 1  # the unlock's columns, then the paper's
        rows = []
        for r in cur:
            row = dict(zip(cols[:split], r[:split], strict=True))
            row["paper"] = paper_from_row(r[split:], cols[split:]) if r[split] is not None else None
            row["unblocked"] = bool(row["unblocked"])
            rows.append(row)
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

    def relevance_fresh(self, day: str, attempt_ids: list[int], papers: int) -> set[int]:
        """Attempts whose cached scores for `day` were computed over `papers` papers (still current)."""
        cur = self.conn.execute(
            f"SELECT attempt_id FROM relevance_days WHERE day = ? AND papers = ? "
            f"AND attempt_id IN ({marks(attempt_ids)})",
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
            f"AND attempt_id IN ({marks(attempt_ids)})",
            [day, *attempt_ids],
        )
        for pid, score, aid in cur:
            if pid not in out or score > out[pid][0]:
                out[pid] = (score, aid)
        return out

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
