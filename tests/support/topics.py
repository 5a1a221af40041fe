"""A small real slice of the dev corpus holding a young topic (GRPO, rising early 2025), vendored
in tests/data/corpus (see its README for the provenance)."""

import json
from pathlib import Path

import pytest

from triage.papers import Paper

SOURCE = "2404589803/hf-daily-paper-newsletter-chinese"
SLICE = Path(__file__).resolve().parents[1] / "data" / "corpus" / "topics_grpo_slice.jsonl"


@pytest.fixture(scope="session")
def grpo_slice() -> list[Paper]:
    """HF Daily Papers 2024-06..2025-05: 14 random papers a month plus every one naming GRPO."""
    rows = [json.loads(line) for line in SLICE.open(encoding="utf-8")]
    return [
        Paper(
            id=r["id"], title=r["title"], abstract=r["abstract"], published=r["published"], source=r["source"]
        )
        for r in rows
    ]
