"""The gate with the real packaged model: locked by default, a specific attempt unlocks what fits."""

import datetime as dt
import functools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from triage import config, gate
from triage.embed import Embedder, paper_text
from triage.errors import UserError
from triage.lexical import LexicalIndex, tokens
from triage.papers import Paper
from triage.store import Store

DAY = "2026-03-20"
# The corpus papers of 2026-03-02 (tests/data/README.md).
BACKGROUND = Path(__file__).resolve().parent / "data" / "corpus" / "gate_background.jsonl"
PAPERS = [
    (
        "2603.00001",
        "Variance reduction for REINFORCE policy gradients",
        "We reduce the variance of the REINFORCE policy gradient estimator with learned baselines for "
        "reinforcement learning of robot controllers.",
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
    (
        "2603.00005",
        "Clipping noisy per-example gradients under differential privacy",
        "Private training adds Gaussian noise to clipped per-example gradients; we adapt the clipping "
        "norm so the noise no longer swamps the signal and training stays stable.",
    ),
]


@functools.cache
def background() -> tuple[Paper, ...]:
    """The 47 real titles of one corpus day: a window with a realistic spread for the relevance floor."""
    with open(BACKGROUND, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return tuple(Paper(id=d["id"], title=d["title"], abstract="", published=DAY, source="test") for d in rows)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> str:
    """The seeded database with every paper's vector cached: built once, copied per test."""
    path = str(tmp_path_factory.mktemp("gate") / "seed.db")
    store = Store(path)
    store.init()
    papers = [*background(), *(Paper(i, t, a, DAY, source="test") for i, t, a in PAPERS)]
    store.upsert_papers(papers)
    Embedder(config.load(None, path).embeddings, store).embed(
        [paper_text(p.title, p.abstract) for p in papers]
    )
    store.close()
    return path


@pytest.fixture
def seeded(seeded_template, settings, db_path):
    shutil.copy(seeded_template, db_path)
    store = Store(db_path)
    settings.gate.unlock_per_attempt = 2
    yield store, Embedder(settings.embeddings, store), settings
    store.close()


RL = dict(
    problem="Training a robot arm controller with reinforcement learning in simulation",
    tried="Plain REINFORCE with a moving-average baseline",
    bottleneck="My gradient estimates are so noisy that training diverges after a few hundred episodes",
)


def test_papers_start_locked(seeded):
    store, _, _ = seeded
    assert store.unlocked_ids([p[0] for p in PAPERS]) == set()
    assert gate.queue(store) == []


def test_the_whole_attempt_decides_what_unlocks(seeded):
    store, emb, settings = seeded
    # The bottleneck alone fits private training's noisy gradients as well; the problem says robots and RL.
    result = gate.log_attempt(store, emb, settings, **RL)
    ids = [u.paper.id for u in result.unlocked]
    assert ids[0] == "2603.00001"
    assert not result.weak and "match" in result.unlocked[0].reason
    assert store.unlocked_ids([p[0] for p in PAPERS]) == set(ids)
    assert [r["paper_id"] for r in gate.queue(store)][0] == "2603.00001"
    closeness = [c for _, c in result.revisit]
    assert len(closeness) == 3 and closeness == sorted(closeness, reverse=True)


def test_the_readers_words_rank_a_paper_and_show_in_the_why(seeded):
    store, emb, settings = seeded
    (top,) = gate.rank(
        store,
        emb,
        settings,
        gate.Attempt(
            "Private training of a text classifier on hospital notes",
            "Per-example clipping at a fixed norm of 1.0",
            "The added noise swamps the clipped gradients and accuracy collapses at epsilon 3",
        ),
        limit=1,
    )
    assert top.paper.id == "2603.00005"
    assert top.lexical_rank == 1 and {"clipped", "noise"} & set(top.words)
    assert f"by words #{top.lexical_rank}" in top.reason


def test_an_attempt_nothing_fits_shows_the_closest_as_weak_matches(seeded, runner):
    store, emb, settings = seeded
    settings.gate.weak_matches = 2
    result = gate.log_attempt(
        store,
        emb,
        settings,
        "Baking sourdough bread at home in a cold kitchen",
        "A longer proof overnight in the fridge",
        "The crumb stays dense and gummy whatever hydration I use for the dough",
    )
    assert result.weak and len(result.unlocked) == 2
    assert all(u.weak and u.reason.startswith("weak match") for u in result.unlocked)
    assert all(r["reason"].startswith("weak match") for r in gate.queue(store))


def test_unrelated_papers_are_not_relevant_to_an_open_attempt(seeded):
    store, emb, settings = seeded
    gate.log_attempt(store, emb, settings, **RL)
    relevant = gate.day_relevance(store, emb, settings, DAY)
    assert "2603.00001" in relevant
    assert not {"2603.00003", "2603.00004"} & set(relevant)
    assert len(relevant) < len(background()) // 10


def test_a_bottleneck_needs_the_configured_number_of_different_words(store, settings):
    few = "gradient gradient gradient noise noise noise swamps swamps everything"  # 4 different words
    with pytest.raises(UserError, match="at least 6 different words"):
        gate.validate_attempt(store, settings, "p", "t", few)
    settings.gate.min_bottleneck_words = 4
    gate.validate_attempt(store, settings, "p", "t", few)


def test_vague_oversized_and_repeated_attempts_refused(seeded):
    store, emb, settings = seeded
    with pytest.raises(UserError, match="too vague"):
        gate.log_attempt(store, emb, settings, "p", "t", "I am stuck")
    settings.gate.max_field_chars = 300
    with pytest.raises(
        UserError, match=r"what you tried is too long \(301 characters; at most 300, \[gate\] max_field_chars"
    ):
        gate.log_attempt(store, emb, settings, "Fine-tune an LLM", "x" * 301, "a b c d e f g " * 4)
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
    long = runner.invoke(
        runner.cli, ["attempt", "--problem", "x" * 2001, "--tried", "y", "--bottleneck", "stuck " * 10]
    )
    assert long.exit_code == 2 and "max_field_chars" in long.output and "Traceback" not in long.output


def test_day_relevance_is_cached_until_the_day_gains_papers(seeded):
    store, emb, settings = seeded
    gate.log_attempt(store, emb, settings, **RL)
    (attempt,) = store.attempts(open_only=True)
    first = gate.day_relevance(store, emb, settings, DAY)
    assert "2603.00001" in first
    assert store.relevance_fresh(DAY, [attempt["id"]], store.count_day(DAY)) == {attempt["id"]}
    store.upsert_papers(
        [
            Paper(
                id="2603.00006",
                title="Control variates for policy gradient variance in robot learning",
                abstract="Lower-variance policy gradient estimates stabilise reinforcement learning of robot arms.",
                published=DAY,
                source="test",
            )
        ]
    )
    assert store.relevance_fresh(DAY, [attempt["id"]], store.count_day(DAY)) == set()
    assert "2603.00006" in gate.day_relevance(store, emb, settings, DAY)


@hsettings(max_examples=200, deadline=None)
@given(docs=st.lists(st.text(max_size=80), max_size=8), query=st.text(max_size=80))
def test_word_index_takes_any_text(docs, query):
    index = LexicalIndex([tokens(d) for d in docs])
    scores = index.scores(tokens(query))
    assert scores.shape == (len(docs),) and (scores >= 0).all()
    assert all(len(w) <= 4 for w in index.top_words(tokens(query), list(range(len(docs)))))


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.lists(st.text(max_size=2100), min_size=3, max_size=3))
def test_any_attempt_text_is_accepted_or_refused_with_a_sentence(store, settings, fields):
    try:
        gate.validate_attempt(store, settings, *fields)
    except UserError as e:
        assert str(e).endswith(".") and "\n" not in str(e)
    else:
        assert all(f.strip() and len(f.strip()) <= settings.gate.max_field_chars for f in fields)


def test_revisit_first_names_the_fundamental_a_retrieval_bottleneck_rests_on(seeded):
    store, embedder, settings = seeded
    result = gate.log_attempt(
        store,
        embedder,
        settings,
        problem="Answering questions that need facts from two documents of our wiki.",
        tried="Dense retrieval of the top 20 passages, then a reader model over them.",
        bottleneck="The retriever finds the first passage but misses the second-hop passage the "
        "answer depends on, so the ranking of documents for the follow-up query is the problem.",
        today=DAY,
    )
    assert result.revisit[0][0].id == "information_retrieval"
