"""BM25 over a window of papers (bm25s): finds the paper by the words a reader uses for their problem.

Embeddings find the area; words find the paper in a crowded area. Texts are tokenised once and
kept by text hash, so re-indexing a window that gained a day of papers tokenises only the new ones.
"""

from __future__ import annotations

import re

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOP = frozenset(STOPWORDS_EN)


def tokens(text: str) -> list[str]:
    """Lower-cased words of two or more characters, English stopwords dropped (bm25s's own rule)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]


class LexicalIndex:
    """BM25 scores of a fixed list of documents (in the caller's order) for a query's words."""

    def __init__(self, docs: list[list[str]]):
        self.size = len(docs)
        self._bm25 = bm25s.BM25()
        self._vocab: dict[str, int] = {}
        if any(docs):  # bm25s cannot index documents without a single word
            self._bm25.index(docs, show_progress=False)
            self._vocab = self._bm25.vocab_dict

    def scores(self, words: list[str]) -> np.ndarray:
        """BM25 of every document for the query words (a word counts once per occurrence)."""
        ids = [self._vocab[w] for w in words if w in self._vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)

    def top_words(self, words: list[str], docs: list[int], k: int = 4) -> list[list[str]]:
        """For each of `docs`, the query words that add most to its score (the why of a word match)."""
        vocab = [w for w in dict.fromkeys(words) if w in self._vocab]
        if not vocab or not docs:
            return [[] for _ in docs]
        per_word = np.stack([self._bm25.get_scores([self._vocab[w]])[docs] for w in vocab])
        out = []
        for j in range(len(docs)):
            best = sorted((s, w) for s, w in zip(per_word[:, j], vocab, strict=True) if s > 0)
            out.append([w for _, w in reversed(best[-k:])])
        return out
