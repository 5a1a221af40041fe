"""Topics and hype on a real slice of the dev corpus, with the real model (titles only)."""

import re
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy import sparse

from triage.embed import Embedder
from triage.papers import Paper
from triage.topics import (
    age_text,
    assign_papers,
    build_grid,
    context_pairs,
    grid_of,
    history_months,
    join_spellings,
    label_of,
    month_index,
    month_name,
    month_totals,
    name_share,
    onsets,
    phrase_vectorizer,
    phrases_of,
    rising_phrases,
    split_broad_clusters,
    topic_age,
    topic_rows,
    update_topics,
    verdicts,
    words_of,
)


@pytest.fixture
def small(settings):
    """The slice has 14-60 papers a month, so a source's month counts from 10 papers."""
    return replace(settings, hype=replace(settings.hype, min_month_papers=10))


@pytest.fixture
def loaded(store, small, grpo_slice):
    store.upsert_papers(grpo_slice)
    return store, small, Embedder(small.embeddings, store)


def _grpo_ids(papers):
    return [p.id for p in papers if "GRPO" in p.title and p.published >= "2025-04"]


def test_young_topic_is_hype_with_evidence(loaded, grpo_slice):
    store, settings, embedder = loaded
    summary = update_topics(store, settings, embedder, as_of=date(2025, 6, 1))
    assert summary["mode"] == "rebuild" and summary["papers"] == len(grpo_slice)
    got = store.topic_for(_grpo_ids(grpo_slice))
    assert got
    for t in got.values():
        assert t["hype"] is True, t["why"]
        assert "2025-01" <= t["onset"] <= "2025-05"
        assert 0 <= t["age_days"] < 183
        assert t["earliest"] and t["curve"][-1][0] == "2025-05"
    grpo = [t for t in store.topics() if "grpo" in t["terms"]]
    assert grpo and grpo[0]["hype"] is True and grpo[0]["kind"] == "phrase"
    old = [p.id for p in grpo_slice if "GRPO" not in p.title + p.abstract and p.published < "2024-09"]
    verdicts = [t["hype"] for t in store.topic_for(old).values()]
    # The slice over-samples GRPO papers, so generic RL words rise with them and catch a few
    # older RL papers; most old papers must still be judged not young.
    assert verdicts.count(False) / len(verdicts) >= 0.8


def test_a_risen_topics_earliest_papers_are_those_of_its_rise_not_the_trickle_before(settings):
    # One paper named the idea in 2024-01, a year before it rose from about zero (2025-01,
    # built up from 2024-10): the radar's "earliest papers" are the ones it rose with.
    totals = np.full((1, 18), 300.0)
    grid = grid_of(month_index("2024-01"), month_index("2025-06"), ["a"], totals, settings.hype)
    dates = ["2024-01-15"] + [f"2025-0{m}-{d:02d}" for m in range(1, 6) for d in range(1, 11)]
    papers = [
        Paper(id=f"p{i}", title="t", abstract="a", published=d, source="a") for i, d in enumerate(dates)
    ]
    member = sparse.csr_matrix(np.ones((len(papers), 1)))
    rows, _ = topic_rows(
        papers, member, [["idea"]], ["phrase"], [None], grid, date(2025, 6, 15), settings.hype
    )
    assert "Rose from about zero in 2025-01" in rows[0]["why"]
    assert rows[0]["earliest"] == ["p1", "p2", "p3", "p4", "p5"]


def test_short_history_is_unknown_not_a_guess(loaded, grpo_slice):
    store, settings, embedder = loaded
    update_topics(store, settings, embedder, as_of=date(2025, 1, 31))
    topics = store.topics()
    assert topics and all(t["hype"] is None for t in topics)
    assert "too short" in topics[0]["why"]


def test_as_of_ignores_later_papers(loaded, grpo_slice):
    store, settings, embedder = loaded
    update_topics(store, settings, embedder, as_of=date(2024, 12, 31))
    later = [p.id for p in grpo_slice if p.published > "2024-12-31"]
    assert store.topic_for(later) == {}
    for t in store.topics():
        assert t["onset"] is None or t["onset"] <= "2024-12"
        assert all(month <= "2024-12" for month, _ in t["curve"])
        assert "grpo" not in t["terms"]


def test_labels_are_readable_terms(loaded):
    """Names of at most four words (labels.MAX_WORDS), separated by " / "; a word may hold a
    version ("qwen2.5")."""
    store, settings, embedder = loaded
    update_topics(store, settings, embedder, as_of=date(2025, 6, 1))
    word = r"[a-z](?:[a-z0-9]|(?<=[0-9])\.(?=[0-9]))*"
    name = rf"{word}( {word}){{0,3}}"
    for t in store.topics():
        assert re.fullmatch(rf"{name}( / {name})*", t["label"]), t["label"]


def test_new_papers_join_existing_topics_without_rebuild(loaded):
    store, settings, embedder = loaded
    update_topics(store, settings, embedder, as_of=date(2025, 6, 1))
    before = {t["id"] for t in store.topics()}
    store.upsert_papers(
        [
            Paper(
                id="2505.99999",
                title="Scaling GRPO for math reasoning",
                abstract="We train with GRPO on verifiable math rewards.",
                published="2025-06-02",
                source="2404589803/hf-daily-paper-newsletter-chinese",
            )
        ]
    )
    summary = update_topics(store, settings, embedder, as_of=date(2025, 6, 5))
    assert summary["mode"] == "incremental" and summary["papers"] == 1
    assert {t["id"] for t in store.topics()} == before
    topic = store.topic_for(["2505.99999"])["2505.99999"]
    assert topic["hype"] is True and "grpo" in topic["terms"]


def test_topics_command_prints_the_radar(loaded, runner):
    store, settings, embedder = loaded
    update_topics(store, settings, embedder, as_of=date(2025, 6, 1))
    result = runner.invoke(runner.cli, ["topics"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["hype", "onset", "age"]
    assert any(line.startswith("HYPE") and "grpo" in line for line in lines[1:])


def _series(*months: list[int]) -> np.ndarray:
    """(1, S, M) counts of one topic from one list of monthly counts per source."""
    return np.array([list(m) for m in months], dtype=np.float64)[None]


def _onset(counts, totals, cfg) -> str | None:
    grid = grid_of(
        month_index("2024-01"),
        month_index("2024-01") + totals.shape[1] - 1,
        ["a", "b"][: len(totals)],
        totals,
        cfg,
    )
    found = int(onsets(counts, grid, cfg)[0])
    return month_name(found) if found >= 0 else None


def test_a_young_topics_own_build_up_does_not_make_it_old(settings):
    # 300 papers a month; nothing for a year, a few papers (4, 2, 1) while it builds up, then a
    # clear rise: the build-up is as large as a quarter of the rise, and it is the same topic.
    totals = np.full((1, 18), 300.0)
    topic = [0] * 12 + [4, 2, 1] + [5, 7, 5]
    onset = _onset(_series(topic), totals, settings.hype)
    assert onset is not None and "2025-01" <= onset <= "2025-04"


def test_one_paper_in_a_sources_partial_first_month_does_not_make_a_topic_old(settings):
    # The source began mid-month: 60 papers, one of them on the topic (1.7%), then 300 a month
    # with none for eight months, then the rise in 2024-10. The thin first month is no baseline.
    totals = np.array([[60.0] + [300.0] * 17])
    topic = [1] + [0] * 8 + [15, 20, 25, 25, 25, 25, 25, 25, 25]
    assert _onset(_series(topic), totals, settings.hype) == "2024-10"


def test_a_thin_month_is_left_out_unless_it_has_papers_enough(settings):
    # The as-of month's first days: 40 papers of a 300-paper list are noise (one paper is 2.5%),
    # 1,000 papers of a 10,000-paper listing are not (one paper is 0.1%, under min_share).
    thin = grid_of(0, 12, ["list"], np.array([[300.0] * 12 + [40.0]]), settings.hype)
    big = grid_of(0, 12, ["listing"], np.array([[10000.0] * 12 + [1000.0]]), settings.hype)
    assert thin.valid[0].tolist() == [True] * 12 + [False]
    assert big.valid[0].all()


def test_a_phrase_that_was_already_common_and_grew_is_not_new(settings):
    # "long horizon": in 1.3% of papers for 18 months, then 6.7%: it grew, it did not appear.
    totals = np.full((1, 24), 300.0)
    assert _onset(_series([4] * 18 + [20] * 6), totals, settings.hype) is None


def test_papers_in_every_source_count_as_evidence_of_a_rise(settings):
    # 7 papers in the rising months of the old source alone are too few; the young source
    # (too short a history to show a rise itself) holds 7 more of the same months.
    totals = np.concatenate([np.full((1, 18), 300.0), np.array([[0.0] * 12 + [700.0] * 6])])
    old = [0] * 15 + [2, 2, 3]
    young = [0] * 12 + [0, 0, 0, 2, 2, 3]
    assert _onset(_series(old, young), totals, settings.hype) == "2025-04"
    assert _onset(_series(old), totals[:1], settings.hype) is None


def _phrase_topics(settings, steady, new, older=(), new_from=12, last=()) -> list[list[str]]:
    """Phrase topics over 2024-01..2025-06 of one source: `steady` (title, abstract) rows every
    month, `older` ones from 2024-07 on, `new` ones from month `new_from` (12: 2025-01), `last`
    ones in 2025-06 only; identical vectors, so every group coheres."""
    papers = []
    for m in range(18):
        month = f"{2024 + m // 12}-{m % 12 + 1:02d}"
        rows = steady + (list(older) if m >= 6 else []) + (new if m >= new_from else [])
        rows += list(last) if m == 17 else []
        papers += [
            Paper(id=f"{m}.{i}", title=t, abstract=a, published=f"{month}-15", source="s")
            for i, (t, a) in enumerate(rows)
        ]
    cfg = settings.hype
    grid = build_grid(month_totals(papers), month_index("2025-06"), cfg)
    terms, _ = rising_phrases(papers, np.ones((len(papers), 4), dtype=np.float32) / 2, grid, cfg)
    return terms


def test_a_phrase_rising_inside_an_older_topic_is_a_facet_not_a_topic(settings):
    """'libero' rises in 2025 because vision-language-action papers use that benchmark; 'grpo'
    rises at the same time in papers of its own: only grpo is a young topic."""
    steady = [("A study of general methods for data", "")] * 500
    steady += [("Vision language action model for robot manipulation", "")] * 3
    new = [("Vision language action model evaluated on the LIBERO benchmark", "")] * 6
    new += [("GRPO training for math reasoning", "")] * 6
    terms = _phrase_topics(settings, steady, new)
    words = {w for group in terms for phrase in group for w in phrase.split()}
    assert "grpo" in words
    assert "libero" not in words


def test_a_collocation_of_old_words_is_not_a_topic(settings):
    """From 2025 on four phrases rise from zero: "experiment mathematical" (old words, only in
    abstracts), "grpo" (named in titles), "qwq" (a new word, named in one title in eight) and
    "aime25" (a new word no title names: a benchmark the papers report, not their topic)."""
    old = "A study of general reasoning methods"
    new = [(old, "Our experiments on mathematical tools")] * 8
    new += [("GRPO training for reasoning", "Tools and experiments")] * 8
    new += [(old, "Mathematical tools compared with QwQ")] * 7 + [("QwQ as a judge", "")]
    new += [(old, "Accuracy on AIME25 rises")] * 8
    terms = _phrase_topics(settings, [(old, "Mathematical tools and experiments")] * 500, new)
    phrases = {phrase for group in terms for phrase in group}
    assert "grpo" in phrases and "qwq" in phrases
    assert not [p for p in phrases if "mathematical" in p or "aime25" in p], phrases


def test_a_name_papers_gave_to_different_things_is_not_a_topic(settings):
    """From 2025 papers call their methods SAGE, each spelling it out differently: a rising word
    named in titles, but no one topic. GRPO, one name with one meaning, rises beside it."""
    steady = [("A study of general methods for data", "")] * 500
    new = [
        ("SAGE for explanations", "Shapley additive global importance (SAGE) explains models."),
        ("SAGE as a judge", "We propose a sentient agent as a judge (SAGE)."),
        ("SAGE agents", "Skill augmented GRPO for self evolution (SAGE) trains agents."),
    ] * 3
    new += [("GRPO training for reasoning", "We use group relative policy optimization (GRPO).")] * 8
    phrases = {p for group in _phrase_topics(settings, steady, new) for p in group}
    assert "grpo" in phrases
    assert "sage" not in phrases, phrases


def test_a_new_release_of_a_model_line_is_a_new_name(settings):
    """From 2024-07 papers report results with Qwen2; from 2025-01 with Qwen3, named in one title
    in twelve: a new word that rose, so it vouches for itself as the new name "QwQ" does (the
    removal test kept no rule against versioned names: docs/decisions/hype.md)."""
    steady = [("A study of general methods for data", "Results on the data.")] * 500
    older = [("A study of general methods for data", "Results with Qwen2 on the data.")] * 8
    new = [("A study of general methods for data", "Results with Qwen3 on the data.")] * 11
    new += [("Qwen3 technical report", "")]
    new += [("A study of general methods for data", "Results with QwQ on the data.")] * 11
    new += [("QwQ as a judge", "")]
    phrases = {p for group in _phrase_topics(settings, steady, new, older) for p in group}
    assert "qwq" in phrases
    assert [p for p in phrases if "qwen3" in p], phrases


def test_an_ordinary_word_that_grew_does_not_vouch_for_itself(settings):
    """An ordinary word, "reframe", in one paper a month for a year, then in twelve, named in one
    title a month: it rose, but it is no new word, so like a collocation it needs titles that name
    it. "QwQ" had no paper before: a new name vouches for itself."""
    steady = [("A study of general methods for data", "Results on the task of search.")] * 600
    steady += [("A study of general methods for data", "We reframe the problem.")]
    new = [("A study of general methods for data", "We reframe the task of search.")] * 11
    new += [("Reframe search as planning", "")]
    new += [("A study of general methods for data", "Results with QwQ on the data.")] * 11
    new += [("QwQ as a judge", "")]
    phrases = {p for group in _phrase_topics(settings, steady, new) for p in group}
    assert "qwq" in phrases
    assert "reframe" not in phrases, phrases


def test_a_word_a_short_history_had_not_yet_seen_is_not_thereby_new(settings):
    """A new user's history: 100 papers a month, three months of them before the ramp. From
    2024-07 an ordinary word, "proactively", is in 3 papers a month, and the name "QwQ" in 12;
    each is named in one title only. Neither was written before, but 300 papers could well miss
    a word at "proactively"'s rate: only the name (`written_as_name`) is a topic."""
    steady = [("A study of general methods for data", "Results on the task of search.")] * 100
    new = [("A study of general methods for data", "Agents proactively ask for help.")] * 3
    new += [("A study of general methods for data", "Results with QwQ on the data.")] * 12
    last = [("Proactively asking agents", ""), ("QwQ as a judge", "")]
    phrases = {p for group in _phrase_topics(settings, steady, new, new_from=6, last=last) for p in group}
    assert "qwq" in phrases
    assert not [p for p in phrases if "proactively" in p], phrases


def test_a_one_word_topic_is_labelled_with_the_pairing_its_papers_write():
    """The word "shaping" alone does not say what the papers are about; "reward shaping", written
    by half of them, does. A topic already named by a two-word phrase keeps its label."""
    texts = ["Reward shaping for agents", "Reward shaping in games", "Shaping the policy", "Shaping works"]
    vec = phrase_vectorizer()
    x = vec.fit_transform(texts).tocsc()
    member = sparse.csc_matrix(np.ones((4, 2), dtype=np.int32))
    pairs = context_pairs(x, vec.get_feature_names_out(), member, [["shaping"], ["reward shaping"]])
    assert pairs == ["reward shaping", None]


def test_a_phrase_of_an_older_fashion_word_is_a_collocation(settings):
    """'agentic' rose in 2024-07 and is named in titles; from 2025-03 abstracts say "agentic
    framework", titles do not: an older fashion's word does not make a new topic of it."""
    steady = [("A study of general methods for data", "We build a framework for tools")] * 500
    older = [("Agentic systems for planning", "")] * 6
    new = [("A study of general methods for data", "We build an agentic framework for tools")] * 8
    new += [("GRPO training for reasoning", "")] * 8
    phrases = {p for group in _phrase_topics(settings, steady, new, older, new_from=14) for p in group}
    assert "grpo" in phrases
    assert "agentic framework" not in phrases, phrases


def test_a_phrase_risen_only_because_its_word_spread_is_not_a_new_topic(settings):
    """Papers on "agentic", one in nine of them "agentic framework" ones, are steady through 2024
    and six times as many from 2025-01: "agentic framework" rises from about zero and is named
    in titles, but among "agentic" papers it is as common as before. "diffusion language", a
    pairing new among the steady "diffusion" papers, is a young topic."""
    steady = [("A general framework for planning with data", "")] * 1000
    steady += [("Diffusion models for image synthesis", "")] * 10
    steady += [("Agentic systems for tools", "")] * 8 + [("An agentic framework for planning", "")]
    new = [("Agentic systems for tools", "")] * 40 + [("An agentic framework for planning", "")] * 5
    new += [("Diffusion language models for text", "")] * 8
    phrases = {p for group in _phrase_topics(settings, steady, new) for p in group}
    assert "diffusion language" in phrases, phrases
    assert "agentic framework" not in phrases, phrases


def test_two_spellings_of_a_young_idea_are_one_topic(settings):
    """From 2025-01 some titles write "Agentic RL", others "Agentic reinforcement learning"; the
    papers define "reinforcement learning (RL)", so both phrases are one topic."""
    steady = [("A general framework for planning with data", "")] * 500
    steady += [("Agentic systems for planning", "")] * 10
    steady += [("Policy learning for control", "We use reinforcement learning (RL) for control.")] * 10
    new = [("Agentic RL", ""), ("Agentic reinforcement learning", "")] * 5
    groups = [set(group) for group in _phrase_topics(settings, steady, new)]
    assert {"agentic rl", "agentic reinforcement"} in groups, groups


def test_spellings_join_across_the_short_form_not_inside_it():
    phrases = ["agentic rl", "agentic reinforcement", "reinforcement learning", "reasoning mllm"]
    phrases += ["multimodal large", "dllm", "diffusion large"]
    short_forms = {
        "rl": ["reinforcement", "learning"],
        "mllm": ["multimodal", "large", "language", "model"],
        "dllm": ["diffusion", "large", "language", "model"],
    }
    groups = join_spellings(
        [[i] for i in range(7)], phrases, short_forms, phrase_vectorizer().build_analyzer()
    )
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2], [3], [4], [5, 6]]


def test_plural_and_singular_are_one_phrase():
    analyse = phrase_vectorizer().build_analyzer()
    assert analyse("VLAs") == analyse("VLA") == ["vla"]
    assert analyse("agents") == ["agent"]
    assert analyse("queries") == analyse("query") == ["query"]
    assert analyse("process analysis bias") == [
        "process",
        "analysis",
        "bias",
        "process analysis",
        "analysis bias",
    ]


def test_age_counts_from_when_a_topic_became_popular_not_its_first_trickle(settings):
    # 1% of papers for three months after a year of nothing, then 5-8%: the age counts from 2025-04.
    totals = np.full((1, 19), 300.0)
    counts = _series([0] * 12 + [3, 3, 3] + [15, 20, 25, 25])
    grid = grid_of(month_index("2024-01"), month_index("2025-07"), ["a"], totals, settings.hype)
    (v,) = verdicts(counts, grid, date(2025, 7, 15), settings.hype)
    assert v["onset"] == "2025-04" and v["hype"] is True
    assert "2025-01" in v["why"] and "since 2025-04" in v["why"]


def test_a_topic_is_dated_by_the_first_source_where_it_became_popular(settings):
    # Agentic RL in the dev corpus: a 300-paper trending list carries it from 2025-07, the
    # 750-paper listing only from 2025-12. At 2026-03-31 it has been a fashion for 8 months, not 3.
    totals = np.array([[300.0] * 27, [750.0] * 27])
    counts = _series([0] * 18 + [8] * 9, [0] * 18 + [1] * 5 + [20] * 4)
    grid = grid_of(
        month_index("2024-01"), month_index("2026-03"), ["trending", "listing"], totals, settings.hype
    )
    (v,) = verdicts(counts, grid, date(2026, 3, 31), settings.hype)
    assert v["onset"] == "2025-07" and v["hype"] is False, v["why"]
    assert "since 2025-07, first in any source (trending: 2025-07; listing: 2025-12)" in v["why"]
    assert "8 months old" in v["why"]


def test_a_young_phrase_in_a_few_papers_a_month_is_a_niche_not_a_fashion(settings):
    # Both rose from zero in 2025-12 in a 1,500-paper listing: "sudoku" in 4 papers a month
    # (0.27%), "qwen3 vl" in 15 (1%). Only the second is many papers' topic.
    totals = np.array([[1500.0] * 22])
    counts = np.concatenate([_series([0] * 18 + [4] * 4), _series([0] * 18 + [15] * 4)])
    grid = grid_of(month_index("2024-06"), month_index("2026-03"), ["listing"], totals, settings.hype)
    niche, fashion = verdicts(counts, grid, date(2026, 3, 31), settings.hype)
    assert niche["onset"] == fashion["onset"] == "2025-12"
    assert fashion["hype"] is True and niche["hype"] is False, niche["why"]
    assert "in only 0.27% of papers since (under 0.30%): a niche" in niche["why"]


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rise=st.tuples(st.integers(17, 22), st.integers(12, 22)),
    # Sized so both verdicts occur: about 1 in 7 draws is a niche and 1 in 10 hype.
    level=st.tuples(st.integers(0, 12), st.integers(0, 4)),
    noise=st.lists(st.integers(0, 1), min_size=48, max_size=48),
    sizes=st.tuples(st.integers(1000, 3000), st.integers(300, 600)),
)
# A young, active topic at 0.23% of the papers since it became popular: a niche.
@example(
    rise=(21, 22),
    level=(2, 3),
    noise=[int(c) for c in "110010111101101110010110101001001100100101110111"],
    sizes=(2496, 310),
)
def test_no_curve_makes_a_niche_or_an_old_topic_hype(settings, rise, level, noise, sizes):
    # Whatever a topic's monthly counts in two sources (a trickle, then a rise of any size in any
    # month), a HYPE verdict means a young, active topic holding at least min_popular_share of the
    # papers since it became popular; a niche is never hype.
    totals = np.array([[float(sizes[0])] * 24, [float(sizes[1])] * 24])
    listing, trending = (
        [noise[s * 24 + m] + (level[s] if m >= rise[s] else 0) for m in range(24)] for s in range(2)
    )
    counts = _series(listing, trending)
    grid = grid_of(
        month_index("2024-04"), month_index("2026-03"), ["listing", "trending"], totals, settings.hype
    )
    (v,) = verdicts(counts, grid, date(2026, 3, 31), settings.hype)
    if "a niche" in v["why"]:
        assert v["hype"] is False
    if v["hype"]:
        assert (
            v["active"] and topic_age(v["onset"], v["age_days"]).months < settings.hype.max_topic_age_months
        )
        shares = {m: s for m, s in v["curve"] if m >= v["onset"]}
        assert shares and np.mean(list(shares.values())) >= settings.hype.min_popular_share


def test_a_source_begun_long_after_the_rise_does_not_date_an_old_topic(settings):
    # An archive saw the topic rise in 2023-09 (5% since). A 5x larger listing begins in 2025-03
    # with it at 0.5%, then 3%: the listing's own "popular from 2025-04" only says when it began.
    totals = np.array([[200.0] * 32, [0.0] * 26 + [1000.0] * 6])
    counts = _series([0] * 8 + [10] * 24, [0] * 26 + [5] + [30] * 5)
    grid = grid_of(
        month_index("2023-01"), month_index("2025-08"), ["archive", "listing"], totals, settings.hype
    )
    (v,) = verdicts(counts, grid, date(2025, 8, 15), settings.hype)
    assert v["onset"] == "2023-09" and v["hype"] is False, v["why"]
    assert "listing: began after the rise, with the topic already there" in v["why"]


def test_the_why_says_which_source_was_too_thin_to_date_a_topic(settings):
    # 3% of a 300-paper trending list since 2025-01, 5 papers in a 750-paper listing since: the
    # list dates it alone, and the reader is told the listing could not.
    totals = np.array([[300.0] * 21, [750.0] * 21])
    counts = _series([0] * 12 + [9] * 9, [0] * 12 + [1, 0] * 4 + [1])
    grid = grid_of(
        month_index("2024-01"), month_index("2025-09"), ["trending", "listing"], totals, settings.hype
    )
    (v,) = verdicts(counts, grid, date(2025, 9, 15), settings.hype)
    assert v["onset"] == "2025-01" and v["hype"] is False
    assert "(trending: 2025-01; listing: 5 papers since, too few to date)" in v["why"]


def test_a_source_joining_later_does_not_make_the_months_before_it_look_popular(settings):
    # The trending list alone until 2025-03: 1% in 2025-01/02, then 8%. The listing (10x larger,
    # a lower share of every fashion) joins in 2025-03 at 2%. Against the joined curve's peak
    # (~2.5%) the list's 1% would look popular; against its own 8% it is the trickle before.
    totals = np.array([[100.0] * 18, [0.0] * 14 + [1000.0] * 4])
    counts = _series([0] * 12 + [1, 1] + [8] * 4, [0] * 14 + [20] * 4)
    grid = grid_of(
        month_index("2024-01"), month_index("2025-06"), ["trending", "listing"], totals, settings.hype
    )
    (v,) = verdicts(counts, grid, date(2025, 6, 15), settings.hype)
    assert v["onset"] == "2025-03", v["why"]


def test_a_fading_younger_topic_does_not_hide_a_young_active_one():
    # A paper in an old cluster, a young active phrase topic and a younger one already fading:
    # its verdict is the young active topic's, not the youngest's.
    rows = [
        {"id": 1, "onset": None, "hype": False},
        {"id": 2, "onset": "2025-03", "hype": True},
        {"id": 3, "onset": "2025-06", "hype": False},
    ]
    papers = [Paper(id="p", title="t", abstract="a", published="2025-07-01")]
    member = sparse.csr_matrix(np.array([[1, 1, 1]]))
    assert assign_papers(papers, np.array([0]), member, rows, 1) == {"p": 2}
    rows[1]["hype"] = False
    assert assign_papers(papers, np.array([0]), member, rows, 1) == {"p": 3}


def test_many_small_sources_are_pooled_not_lost(settings):
    # A file whose records name 40 small lists (5 papers each a month): no list fills a month on
    # its own, but together they are 18 months of history, not a history too short to tell.
    rows = [
        (f"2024-{m:02d}" if m <= 12 else f"2025-{m - 12:02d}", f"list {k}", 5)
        for m in range(1, 19)
        for k in range(40)
    ]
    rows += [("2025-06", "listing", 500)]
    grid = build_grid(rows, month_index("2025-06"), settings.hype)
    assert history_months(grid) == 17
    assert grid.cell("list 3", month_index("2024-05")) == grid.cell("list 9", month_index("2024-05"))
    assert grid.totals[:, 4].sum() == 200


def test_a_phrase_is_words_the_text_writes_next_to_each_other():
    # "model of the llm" holds no phrase "model llm"; a clause break ends a phrase.
    assert "model llm" not in phrases_of("A model of the LLM for tasks")
    assert "llm model" not in phrases_of("We study the LLM. Model sizes vary")
    assert "context protocol" in phrases_of("The Model Context Protocol (MCP) links tools")


def test_an_ordinary_word_that_rose_with_a_wave_is_not_a_topic(settings):
    """From 2025 papers write "scaffolds" (an ordinary word, lower case inside sentences) and
    "GRPO" (an acronym), each in titles and from zero: only the name is a topic."""
    steady = [("A study of general methods for data", "Results on the data.")] * 500
    new = [("Reading scaffolds for learners", "We design scaffolds that help learners read.")] * 8
    new += [("GRPO training for reasoning", "We train with GRPO on math.")] * 8
    phrases = {p for group in _phrase_topics(settings, steady, new) for p in group}
    assert "grpo" in phrases
    assert "scaffold" not in phrases, phrases


def test_a_word_is_a_name_when_its_papers_write_it_as_one():
    assert name_share(["We use GRPO and GRPO-based methods."], "grpo") == 1.0
    assert name_share(["Layers of Mamba and a Mamba block."], "mamba") == 1.0
    assert name_share(["OpenAI o1 reasons."], "o1") == 1.0
    assert name_share(["Reading scaffolds help. Scaffolds are cheap."], "scaffold") == 0.0
    # A capital at a sentence's start, or in a title, tells nothing.
    assert name_share(["Strongest results."], "strongest", ["The Strongest Model"]) is None


def test_a_cluster_of_similar_titles_is_context_never_hype(settings):
    # The same counts that make a phrase young leave a cluster as context: no onset, no HYPE.
    totals = np.full((1, 19), 3000.0)
    counts = np.concatenate([_series([0] * 14 + [60] * 5)] * 2)
    grid = grid_of(month_index("2024-01"), month_index("2025-07"), ["a"], totals, settings.hype)
    phrase, cluster = verdicts(counts, grid, date(2025, 7, 15), settings.hype, ["phrase", "cluster"])
    assert phrase["hype"] is True
    assert cluster["hype"] is False and cluster["onset"] is None and "No young topic" in cluster["why"]


def test_an_established_topic_in_more_than_a_twentieth_of_recent_papers_labels_no_paper(settings):
    # Risen in 2024-04, 8% of papers since: too broad to label a paper. The same curve risen in
    # 2025-04 is a young topic at its peak, and stays young.
    totals = np.full((1, 19), 1000.0)
    old = _series([0] * 3 + [80] * 16)
    young = _series([0] * 15 + [80] * 4)
    grid = grid_of(month_index("2024-01"), month_index("2025-07"), ["a"], totals, settings.hype)
    v_old, v_young = verdicts(np.concatenate([old, young]), grid, date(2025, 7, 15), settings.hype)
    assert v_old["hype"] is False and v_old["broad"] and "too broad" in v_old["why"]
    assert v_young["hype"] is True and not v_young["broad"]
    rows = [{"id": 1, "onset": None, "hype": False}, {**v_old, "id": 2}]
    papers = [Paper(id="p", title="t", abstract="a", published="2025-07-01")]
    assert assign_papers(papers, np.array([0]), sparse.csr_matrix(np.array([[1, 1]])), rows, 1) == {"p": 1}


def test_no_cluster_holds_more_than_a_twentieth_of_a_months_papers(settings):
    # 200 papers a month; a catch-all cluster holds 60 of each month's: split until no cluster holds
    # over 5% of a month (10 papers), or fewer papers than a topic needs (8).
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(800, 8)).astype(np.float32)
    month = np.arange(800) % 4
    papers = [
        Paper(id=str(i), title="t", abstract="a", published=f"2025-0{1 + m}-01") for i, m in enumerate(month)
    ]
    cluster_of = np.where(np.arange(800) % 10 < 3, 0, 1 + np.arange(800) % 97)
    split = split_broad_clusters(vectors, cluster_of, papers, settings.hype)
    assert len(np.unique(split)) > len(np.unique(cluster_of))
    for c in np.unique(split):
        assert max(((split == c) & (month == m)).sum() for m in range(4)) <= 10


def test_one_age_for_the_badge_the_why_and_the_radar():
    # Onset 2026-01, as of 2026-03-31 (89 days): 2 calendar months, whatever the day count rounds to.
    assert topic_age("2026-01", 89).months == 2
    assert age_text("2026-01", 89) == "2 months"
    assert age_text("2026-03", 30) == "under a month"
    assert age_text("2013-07", 4656) == "12 years"
    assert age_text(None, None) == "unknown"


def test_a_label_names_a_phrase_once_not_its_fragments():
    assert label_of(["super resolution", "image super", "video super"], 3) == "image super resolution"
    assert label_of(["agent skill", "agent", "memory bank"], 3) == "agent skill / memory bank"
    assert (
        label_of(["trained transformer", "pre trained", "transformer better"], 3) == "pre trained transformer"
    )
    assert label_of(["remote sensing", "imagery", "satellite"], 2) == "remote sensing / imagery"


def test_a_name_and_its_version_are_one_word():
    """ "GPT-5" is one word, as "Qwen3" is: otherwise a young model line reads as its old family."""
    words = words_of("We compare GPT-5, Gemini 2.5 Pro and GPT-4o-mini with Qwen2.5-VL-7B on Table 2.")
    assert {"gpt5", "gemini2.5", "gpt4o", "qwen2.5"} <= set(words)
    assert "table" in words and "vl" in words  # a table number and a model size are not versions
    numbers = words_of("Accuracy rises by 2.5 points to 93.2% on average.")
    assert {"by", "accuracy"} <= set(numbers) and not any(c.isdigit() for w in numbers for c in w)
    assert name_share(["we use gpt-5 here"], "gpt5") == 1.0
