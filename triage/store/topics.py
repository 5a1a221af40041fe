"""Topics: the topic model swapped in whole or stepped incrementally, and the reads behind badges,
the radar and topic pages."""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np

from triage.papers import Paper
from triage.store.base import StoreBase, chunks, marks
from triage.store.papers import paper_from_row

# The topics table's columns as replace_topics writes them.
TOPIC_COLUMNS = (
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


class TopicsStore(StoreBase):
    """The topic model and what pages read of it."""

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
            cols = TOPIC_COLUMNS
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
        cols = [c for c in TOPIC_COLUMNS if c not in ("id", "kind", "centroid", "built_as_of")]
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
        return [paper_from_row(row, cols) for row in cur]

    def topics(self) -> list[dict]:
        """Every topic, youngest onset first; JSON columns decoded, hype as True/False/None."""
        cur = self.conn.execute("SELECT * FROM topics ORDER BY onset IS NULL, onset DESC, id")
        cols = [d[0] for d in cur.description]
        return [_topic_row(dict(zip(cols, r, strict=True))) for r in cur]

    def topic_for(self, paper_ids: list[str]) -> dict[str, dict]:
        """{paper_id: topic dict} for papers that have a topic."""
        out: dict[str, dict] = {}
        for chunk in chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT pt.paper_id, t.* FROM paper_topics pt JOIN topics t ON t.id = pt.topic_id "
                f"WHERE pt.paper_id IN ({marks(chunk)})",
                chunk,
            )
            cols = [d[0] for d in cur.description]
            for r in cur:
                d = dict(zip(cols, r, strict=True))
                out[d.pop("paper_id")] = _topic_row(d)
        return out

    def topic_badges_for(self, paper_ids: list[str]) -> dict[str, dict]:
        """{paper_id: {id, label, onset, age_days, hype, why, curve}}: topic_for without the JSON
        columns, for pages that list many papers; the curve only for hyped topics (their badge shows it)."""
        out: dict[str, dict] = {}
        for chunk in chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT pt.paper_id, t.id, t.label, t.onset, t.age_days, t.hype, t.why, "
                f"CASE WHEN t.hype = 1 THEN t.curve END FROM paper_topics pt "
                f"JOIN topics t ON t.id = pt.topic_id WHERE pt.paper_id IN ({marks(chunk)})",
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

    def topic_labels(self, topic_ids: list[int]) -> dict[int, dict]:
        """{topic id: {id, label, onset, age_days, hype, active, why, as_of}} without the JSON columns."""
        out: dict[int, dict] = {}
        for chunk in chunks(topic_ids):
            cur = self.conn.execute(
                "SELECT id, label, onset, age_days, hype, active, why, as_of FROM topics "
                f"WHERE id IN ({marks(chunk)})",
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
    row = {c: t.get(c) for c in TOPIC_COLUMNS}
    for c in ("terms", "curve", "earliest"):
        row[c] = json.dumps(t.get(c) or [])
    row["hype"] = None if t.get("hype") is None else int(bool(t["hype"]))
    row["active"] = int(bool(t.get("active")))
    row["size"] = int(t.get("size") or 0)
    row["kind"] = t.get("kind") or "cluster"
    c = t.get("centroid")
    row["centroid"] = None if c is None else np.asarray(c, dtype=np.float32).tobytes()
    return row
