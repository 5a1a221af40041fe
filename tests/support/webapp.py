"""Web fixtures: a database seeded once per session from real corpus papers (with fundamentals
links, topics and cached embeddings), copied per test; the Flask app and its test client."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from triage import config, fundamentals
from triage.embed import Embedder, paper_text
from triage.papers import Paper
from triage.sources.files import jsonl_paper
from triage.store import Store

DAY = "2026-03-31"
EARLIER = "2026-03-30"
# Real papers of the two newest corpus days: a spread of topics the tests' bottlenecks can tell apart.
PAPER_IDS = [
    "2603.27981",  # pruning Whisper and LoRA fine-tuning
    "2603.28050",  # object detection with distributed CNNs
    "2603.28149",  # early-exit object detection on nano-drones
    "2603.27226",  # curriculum learning in post-training
    "2603.27008",  # prompt refinement for reasoning models
    "2603.27116",  # why semantic memory systems forget
    "2603.26996",  # formally verified math proofs benchmark
    "2603.28033",  # dependency parsing for an endangered language
    "2603.27518",  # over-refusal and representation subspaces
    "2603.28046",  # swarm optimisation
    "2603.28458",  # sparse attention indexing (previous day)
    "2603.26510",  # clinical NER in Portuguese (previous day)
]


WEB_PAPERS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "web_papers.jsonl"


def corpus_papers(ids: list[str]) -> list[Paper]:
    """The papers `ids`, in that order, from the vendored slice of the corpus (tests/data/README.md)."""
    with open(WEB_PAPERS, encoding="utf-8") as fh:
        found = {d["id"]: jsonl_paper(d) for d in map(json.loads, fh)}
    return [found[i] for i in ids]


def seed(path: str, papers: list[Paper]) -> None:
    """Papers, fundamentals links, two topics (one young), and every paper's and catalogue text's
    embedding cached."""
    store = Store(path)
    store.init()
    store.upsert_papers(papers)
    store.record_analysis(
        "seed",
        "seed",
        {"2603.27981": ("", [("svd_low_rank", 0.71, "")]), "2603.27226": ("", [("cross_entropy", 0.55, "")])},
    )
    young = {
        "id": 1,
        "label": "reasoning models, post-training",
        "onset": "2025-12",
        "age_days": 120,
        "hype": True,
        "active": True,
        "why": "Rose from about zero in 2025-10, popular (>= 0.25 of its peak share) since 2025-12: "
        "3 months old at 2026-03-31, active now.",
        "curve": [
            ["2025-09", 0.002],
            ["2025-10", 0.002],
            ["2025-11", 0.003],
            ["2025-12", 0.011],
            ["2026-01", 0.016],
            ["2026-02", 0.019],
            ["2026-03", 0.021],
        ],
        "earliest": ["2603.27226"],
        "size": 3,
        "as_of": DAY,
    }
    old = {
        "id": 2,
        "label": "object detection, convolutional",
        "onset": "2014-06",
        "age_days": 4300,
        "hype": False,
        "active": True,
        "why": "Rose from about zero in 2014-02, popular (>= 0.25 of its peak share) since 2014-06: "
        "141 months old at 2026-03-31, active now.",
        "curve": [["2025-10", 0.05], ["2025-11", 0.048], ["2025-12", 0.051], ["2026-01", 0.05]],
        "earliest": ["2603.28050"],
        "size": 2,
        "as_of": DAY,
    }
    store.replace_topics(
        [young, old],
        {"2603.27226": 1, "2603.27008": 1, "2603.26996": 1, "2603.28050": 2, "2603.28149": 2},
    )
    # The catalogue's texts too: a served app's first attempt then finds them cached, not encoded.
    catalogue = [t for f in fundamentals.catalogue() for t in [*f.texts(), *f.usage]] + list(
        fundamentals.background()
    )
    Embedder(config.EmbeddingsConfig(), store).embed(
        [paper_text(p.title, p.abstract) for p in papers] + catalogue
    )
    store.close()


@pytest.fixture(scope="session")
def web_template_db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("webseed") / "seed.db")
    seed(path, corpus_papers(PAPER_IDS))
    return path


@pytest.fixture
def web_db(tmp_path, web_template_db) -> str:
    path = str(tmp_path / "web.db")
    shutil.copy(web_template_db, path)
    return path


@pytest.fixture
def app(web_db, tmp_path, monkeypatch):
    from web import create_app

    monkeypatch.delenv("TRIAGE_WEB_PASSWORD", raising=False)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = config.load(None, web_db)
    settings.gate.unlock_per_attempt = 3
    # The seed holds 12 papers on mixed topics; the queue tests need three unlocks, so every
    # held paper counts as close enough here (test_gate checks the relevance floor itself).
    settings.gate.min_similarity = 0.0
    settings.gate.min_match = 0.0
    settings.gate.daily_read_budget = 2
    return create_app({"SETTINGS": settings, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client) -> str:
    """The session's CSRF token, as a form or an API client gets it."""
    return client.get("/api/csrf").get_json()["csrf_token"]
