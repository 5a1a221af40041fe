"""The gate with the real packaged model: locked by default, a specific bottleneck unlocks what fits."""

import datetime as dt

import pytest

from triage import gate
from triage.embed import Embedder
from triage.errors import UserError
from triage.papers import Paper

PAPERS = [
    (
        "2603.00001",
        "Variance reduction for REINFORCE policy gradients",
        "We reduce the variance of the REINFORCE policy gradient estimator with learned baselines for reinforcement learning.",
    ),
    (
        "2603.00002",
        "Low-rank adapters for efficient fine-tuning",
        "We fine-tune large language models by learning low-rank updates of weight matrices, cutting memory.",
    ),
    (
        "2603.00003",
        "A benchmark of multilingual question answering",
        "We release a benchmark of questions in 40 languages and evaluate existing models.",
    ),
    (
        "2603.00004",
        "Convolutional networks for medical images",
        "A convolutional neural network segments tumours in MRI scans.",
    ),
]


@pytest.fixture
def seeded(store, settings):
    store.upsert_papers(
        Paper(id=i, title=t, abstract=a, published="2026-03-20", source="test") for i, t, a in PAPERS
    )
    settings.gate.unlock_per_attempt = 2
    return store, Embedder(settings.embeddings, store), settings


def test_papers_start_locked(seeded):
    store, _, _ = seeded
    assert store.unlocked_ids([p[0] for p in PAPERS]) == set()
    assert gate.queue(store) == []


def test_bottleneck_unlocks_the_fitting_papers(seeded):
    store, emb, settings = seeded
    result = gate.log_attempt(
        store,
        emb,
        settings,
        problem="Training a robot arm controller with reinforcement learning",
        tried="Plain REINFORCE with a moving-average baseline",
        bottleneck="My policy gradient estimates are so noisy that training diverges after a few hundred episodes",
    )
    ids = [u.paper.id for u in result.unlocked]
    # Room for two, but only the REINFORCE paper is close enough: unrelated papers stay locked.
    assert ids == ["2603.00001"]
    assert "similarity" in result.unlocked[0].reason
    assert store.unlocked_ids([p[0] for p in PAPERS]) == set(ids)
    assert [r["paper_id"] for r in gate.queue(store)][0] == "2603.00001"
    assert result.revisit[0][0].id == "policy_gradient"
    closeness = [c for _, c in result.revisit]
    assert len(closeness) == 3 and closeness == sorted(closeness, reverse=True)


def test_vague_and_repeated_attempts_refused(seeded):
    store, emb, settings = seeded
    with pytest.raises(UserError, match="too vague"):
        gate.log_attempt(store, emb, settings, "p", "t", "I am stuck")
    b = "The low-rank update does not fit in GPU memory when the rank goes above sixty four"
    gate.log_attempt(store, emb, settings, "Fine-tune an LLM", "LoRA rank 128", b)
    with pytest.raises(UserError, match="repeats an earlier attempt"):
        gate.log_attempt(store, emb, settings, "Fine-tune an LLM", "LoRA rank 128", b + " ")
    with pytest.raises(UserError, match="same as an earlier attempt"):
        gate.log_attempt(store, emb, settings, "Fine-tune an LLM", "LoRA", b.replace("sixty four", "64"))


def test_read_budget_and_streak(seeded):
    store, emb, settings = seeded
    settings.gate.daily_read_budget = 1
    r = gate.log_attempt(
        store,
        emb,
        settings,
        "Segment tumours",
        "A U-Net",
        "The convolutional segmentation network misses small tumours under five millimetres in MRI",
    )
    assert gate.budget(store, settings)["enough"] is False
    gate.mark_read(store, r.unlocked[0].paper.id, note="Dilated convolutions", unblocked=True)
    assert gate.budget(store, settings) == {"read": 1, "budget": 1, "left": 0, "enough": True}
    assert gate.queue(store, "read")[0]["unblocked"] is True
    assert gate.streak(store) == 1
    assert gate.streak(store, dt.date.today() + dt.timedelta(days=3)) == 0
    gate.close_attempt(store, r.attempt_id, "paper", "the dilated conv paper")
    with pytest.raises(UserError, match="already closed"):
        gate.close_attempt(store, r.attempt_id, "myself")


def test_cli_attempt_and_queue(runner, seeded):
    result = runner.invoke(
        runner.cli,
        [
            "attempt",
            "--problem",
            "Fine-tune a 7B model on one GPU",
            "--tried",
            "Full fine-tuning",
            "--bottleneck",
            "Full fine-tuning of all weight matrices runs out of memory; I need fewer trainable parameters",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2603.00002" in result.output and "why:" in result.output
    out = runner.invoke(runner.cli, ["queue"]).output
    assert "2603.00002" in out and "Read today: 0 of" in out
    bad = runner.invoke(runner.cli, ["attempt", "--problem", "x", "--tried", "y", "--bottleneck", "stuck"])
    assert bad.exit_code == 2 and "too vague" in bad.output


def test_day_relevance_is_cached_until_the_day_gains_papers(seeded):
    store, emb, settings = seeded
    bottleneck = (
        "My policy gradient estimates are so noisy that training diverges after a few hundred episodes"
    )
    gate.log_attempt(store, emb, settings, "Robot arm RL", "REINFORCE with a baseline", bottleneck)
    (attempt,) = store.attempts(open_only=True)
    day = "2026-03-20"
    first = gate.day_relevance(store, emb, settings, day)
    assert list(first) == ["2603.00001"]  # only the close paper counts as relevant
    assert store.relevance_fresh(day, [attempt["id"]], store.count_day(day)) == {attempt["id"]}
    store.upsert_papers(
        [
            Paper(
                id="2603.00005",
                title="Control variates for policy gradient variance",
                abstract="Lower-variance policy gradient estimates stabilise reinforcement learning.",
                published=day,
                source="test",
            )
        ]
    )
    assert store.relevance_fresh(day, [attempt["id"]], store.count_day(day)) == set()
    assert "2603.00005" in gate.day_relevance(store, emb, settings, day)
