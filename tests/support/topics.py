"""A small real slice of the dev corpus holding a young topic (GRPO, rising early 2025)."""

import json
import os
import random
from pathlib import Path

import pytest

from triage.papers import Paper

SOURCE = "2404589803/hf-daily-paper-newsletter-chinese"


def _corpus_path() -> Path:
    """The dev corpus in shared/data (TRIAGE_SHARED_DATA, as for the other fixtures)."""
    repo = Path(__file__).resolve().parents[2]
    path = (
        Path(os.environ.get("TRIAGE_SHARED_DATA") or repo.parent / "shared" / "data")
        / "corpus"
        / "papers.jsonl"
    )
    if not path.exists():
        pytest.fail(f"dev corpus not found at {path}; set TRIAGE_SHARED_DATA to shared/data.")
    return path


@pytest.fixture(scope="session")
def grpo_slice() -> list[Paper]:
    """HF Daily Papers 2024-06..2025-05: 14 random papers a month plus every one naming GRPO."""
    rows = [json.loads(line) for line in _corpus_path().open()]
    rows = [r for r in rows if r["source"] == SOURCE and "2024-06" <= r["published"][:7] <= "2025-05"]
    rng = random.Random(7)
    by_month: dict[str, list] = {}
    for r in rows:
        by_month.setdefault(r["published"][:7], []).append(r)
    picked = {r["id"]: r for r in rows if "GRPO" in r["title"] + r["abstract"]}
    for month in sorted(by_month):
        for r in rng.sample(by_month[month], 14):
            picked[r["id"]] = r
    return [
        Paper(
            id=r["id"], title=r["title"], abstract=r["abstract"], published=r["published"], source=r["source"]
        )
        for r in sorted(picked.values(), key=lambda r: r["published"])
    ]
