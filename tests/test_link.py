"""Linking: the obvious fundamental wins, benchmark-only papers get none, scores are ordered in [0, 1]."""

import pytest

from tests.support.fundamentals import BENCHMARK, LORA, REINFORCE
from triage import config
from triage.embed import Embedder, paper_text
from triage.errors import UserError
from triage.fundamentals import by_id
from triage.link import Linker, find_terms


@pytest.fixture
def links(settings):
    emb = Embedder(settings.embeddings)
    papers = [REINFORCE, LORA, BENCHMARK]
    vectors = emb.embed([paper_text(t, a) for t, a in papers])
    return Linker(emb, max_links=3).link([t for t, _ in papers], [a for _, a in papers], vectors)


def test_reinforce_links_to_policy_gradient(links):
    assert links[0][0][0] == "policy_gradient"


def test_lora_links_to_svd_low_rank(links):
    assert links[1][0][0] == "svd_low_rank"


def test_benchmark_only_paper_links_to_nothing(links):
    assert links[2] == []


def test_scores_are_best_first_in_unit_interval(links):
    for paper in links:
        assert len(paper) <= 3
        scores = [s for _, s in paper]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)


def test_terms_match_whole_words_and_acronyms_in_capitals():
    fund = by_id()
    assert find_terms(fund["svd_low_rank"], "We truncate the SVD of each layer.") == ("SVD",)
    assert find_terms(fund["svd_low_rank"], "the svd of it") == ()  # acronyms only in capitals
    assert find_terms(fund["kernel_methods"], "A fused GPU kernel for attention.") == ()
    assert "A*" in find_terms(fund["heuristic_search"], "plans found with A*, then verified")


def test_max_links_is_honoured_and_validated(settings, tmp_path):
    emb = Embedder(settings.embeddings)
    t, a = REINFORCE
    one = Linker(emb, max_links=1).link([t], [a], emb.embed([paper_text(t, a)]))
    assert len(one[0]) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[fundamentals]\nmax_links = -1\n")
    with pytest.raises(UserError, match=r"\[fundamentals\] max_links"):
        config.load(str(bad))
