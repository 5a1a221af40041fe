"""Analysis: cached embeddings and each paper's links to fundamentals, with the key they were made under."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from triage.store.base import StoreBase, chunks, marks


class AnalysisStore(StoreBase):
    """Vectors by text hash, and links by paper."""

    def get_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """Cached float32 vectors for the given text hashes (missing ones are absent)."""
        found: dict[str, np.ndarray] = {}
        for chunk in chunks(list(dict.fromkeys(hashes))):
            cur = self.conn.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks(chunk)})",
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
        for chunk in chunks(paper_ids):
            cur = self.conn.execute(
                f"SELECT paper_id, fundamental_id, score FROM paper_fundamentals "
                f"WHERE paper_id IN ({marks(chunk)}) ORDER BY paper_id, rank",
                chunk,
            )
            for pid, fid, score in cur:
                out.setdefault(pid, []).append((fid, score))
        return out

    def fundamentals_detail(self, paper_ids: list[str]) -> dict[str, list[tuple[str, float, str]] | None]:
        """{paper_id: [(fundamental_id, score, why), ...] best first}: [] when analysed and linked to
        none, None when never analysed (no analysis recorded and no links)."""
        out: dict[str, list[tuple[str, float, str]] | None] = dict.fromkeys(paper_ids)
        for chunk in chunks(paper_ids):
            for (pid,) in self.conn.execute(
                f"SELECT paper_id FROM paper_analysis WHERE paper_id IN ({marks(chunk)})", chunk
            ):
                out[pid] = []
            cur = self.conn.execute(
                f"SELECT paper_id, fundamental_id, score, why FROM paper_fundamentals "
                f"WHERE paper_id IN ({marks(chunk)}) ORDER BY paper_id, rank",
                chunk,
            )
            for pid, fid, score, why in cur:
                out[pid] = (out[pid] or []) + [(fid, score, why)]
        return out

    def papers_for_fundamental(self, fundamental_id: str, limit: int) -> list[tuple[str, float]]:
        """(paper_id, score) of the papers linked to a fundamental, strongest first."""
        cur = self.conn.execute(
            "SELECT paper_id, score FROM paper_fundamentals WHERE fundamental_id = ? "
            "ORDER BY score DESC, paper_id LIMIT ?",
            (fundamental_id, limit),
        )
        return [(pid, score) for pid, score in cur]
