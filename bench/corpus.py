"""Load papers from the shared dev corpus (<repo>/../shared/data/corpus/papers.jsonl) for benches and evals."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# <repo root>/../shared/data, or TRIAGE_SHARED_DATA (as for the test fixtures).
SHARED = Path(os.environ.get("TRIAGE_SHARED_DATA") or REPO.parent / "shared" / "data")
CORPUS = str(SHARED / "corpus" / "papers.jsonl")
RESULTS = REPO / "bench" / "results"  # benches' stores, caches and reports (git-ignored)


def scratch(name: str) -> str:
    """A path under RESULTS for a bench's store, cache or report, its folder made (a fresh clone has none)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return str(RESULTS / name)


def iter_corpus(path: str = CORPUS) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)
