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

    def analysis_state(self) -> dict[str, tuple[str, str, str]]:
        """{paper_id: (model, text_hash, linker)} as of each paper's last analysis."""
        cur = self.conn.execute("SELECT paper_id, model, text_hash, linker FROM paper_analysis")
        return {pid: (model, h, linker) for pid, model, h, linker in cur}

    def record_analysis(self, model: str, linker: str, results: dict[str, tuple[str, list[tuple]]]) -> None:
        """Store links and the analysis key of each paper at once: {paper_id: (text_hash, links)},
        links [(fundamental_id, score, why), ...] best first. The only write path of links."""
        with self.transaction() as conn:
            conn.executemany("DELETE FROM paper_fundamentals WHERE paper_id = ?", [(p,) for p in results])
            conn.executemany(
                "INSERT INTO paper_fundamentals (paper_id, fundamental_id, score, rank, why) VALUES (?, ?, ?, ?, ?)",
                [
                    (p, fid, float(score), rank, why)
                    for p, (_, links) in results.items()
                    for rank, (fid, score, why) in enumerate(links)
                ],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO paper_analysis (paper_id, model, text_hash, linker) VALUES (?, ?, ?, ?)",
                [(p, model, h, linker) for p, (h, _) in results.items()],
            )

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
