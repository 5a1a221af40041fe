"""Papers: the upsert that is their only write path, reads by id and by day, fetch progress and the
daily page's full-text search and filters."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from triage.papers import Paper
from triage.store.base import StoreBase, chunks, marks


class PapersStore(StoreBase):
    """Papers and the day they were announced."""

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
        return paper_from_row(row, self._columns("papers")) if row else None

    def iter_papers(self, since: str | None = None, until: str | None = None) -> Iterator[Paper]:
        """Papers in published order, optionally within [since, until] (ISO dates, inclusive)."""
        cols = self._columns("papers")
        cur = self.conn.execute(
            "SELECT * FROM papers WHERE published >= ? AND published <= ? ORDER BY published, id",
            (since or "0000", until or "9999"),
        )
        for row in cur:
            yield paper_from_row(row, cols)

    # --- fetch progress (resumable backfill) ----------------------------------------------

    def fetch_done(self, key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM fetch_progress WHERE key = ?", (key,)).fetchone() is not None

    def mark_fetch_done(self, key: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO fetch_progress (key) VALUES (?)", (key,))

    def latest_day(self) -> str | None:
        """The newest announcement day held (max published date)."""
        return self.conn.execute("SELECT max(published) FROM papers").fetchone()[0]

    def adjacent_days(self, day: str) -> tuple[str | None, str | None]:
        """The nearest days before and after `day` that hold papers."""
        before = self.conn.execute("SELECT max(published) FROM papers WHERE published < ?", (day,)).fetchone()
        after = self.conn.execute("SELECT min(published) FROM papers WHERE published > ?", (day,)).fetchone()
        return before[0], after[0]

    def count_day(self, day: str) -> int:
        return self.conn.execute("SELECT count(*) FROM papers WHERE published = ?", (day,)).fetchone()[0]

    def get_papers(self, paper_ids: list[str]) -> dict[str, Paper]:
        cols = self._columns("papers")
        out: dict[str, Paper] = {}
        for chunk in chunks(paper_ids):
            for row in self.conn.execute(f"SELECT * FROM papers WHERE id IN ({marks(chunk)})", chunk):
                p = paper_from_row(row, cols)
                out[p.id] = p
        return out

    # --- the daily page: full-text search and filters (50-59) ------------------------------

    _SEARCH_WORDS = 12  # a search is a few words; more only slow the index down

    def _index_text(self, conn, paper_ids: list[str]) -> None:
        """Re-index the titles and authors of the given papers (inside the caller's transaction)."""
        for chunk in chunks(list(dict.fromkeys(paper_ids))):
            held = marks(chunk)
            conn.execute(
                f"DELETE FROM papers_fts WHERE rowid IN (SELECT rowid FROM papers WHERE id IN ({held}))",
                chunk,
            )
            conn.execute(
                "INSERT INTO papers_fts (rowid, title, authors) SELECT rowid, title, "
                "(SELECT group_concat(value, ', ') FROM json_each(papers.authors)) "
                f"FROM papers WHERE id IN ({held})",
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


def _paper_row(p: Paper) -> dict:
    d = p.to_dict()
    d["authors"] = json.dumps(p.authors, ensure_ascii=False)
    d["categories"] = json.dumps(p.categories)
    return d


def paper_from_row(row: tuple, cols: list[str]) -> Paper:
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
