"""Linking real papers: the fundamental both readers gave wins, benchmarks get none, the why is readable,
and a free-text bottleneck is ranked by the same scorer."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.support.fundamentals import REAL, text
from triage import config
from triage.embed import Embedder, paper_text
from triage.errors import UserError
from triage.fundamentals import by_id, catalogue
from triage.link import Linker, _term_pattern, find_terms

NAMES = ["actor_critic", "convolution", "retrieval", "planning", "benchmark", "benchmark2"]


@pytest.fixture(scope="module")
def embedder():
    return Embedder(config.load(None, None).embeddings)


@pytest.fixture(scope="module")
def links(embedder):
    papers = [text(n) for n in NAMES]
    vectors = embedder.embed([paper_text(t, a) for t, a in papers])
    out = Linker(embedder, max_links=3).link([t for t, _ in papers], [a for _, a in papers], vectors)
    return dict(zip(NAMES, out, strict=True))


@pytest.mark.parametrize("name", ["actor_critic", "convolution", "retrieval", "planning"])
def test_first_link_is_the_one_both_readers_gave_first(links, name):
    assert links[name], name
    assert links[name][0][0] == REAL[name]["reader_A"][0] == REAL[name]["reader_B"][0]


@pytest.mark.parametrize("name", ["benchmark", "benchmark2"])
def test_benchmark_papers_link_to_nothing(links, name):
    assert links[name] == []


def test_scores_are_best_first_in_unit_interval_with_a_why(links):
    for paper in links.values():
        assert len(paper) <= 3
        scores = [s for _, s, _ in paper]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)
        assert all(why.startswith("closeness ") for _, _, why in paper)
    assert "says" in links["retrieval"][0][2] and "retrieval" in links["retrieval"][0][2]
    # the term rate behind the link, in words: how often readers listed the idea for such papers
    assert re.search(r"readers listed it for about \d+% of papers saying \w", links["retrieval"][0][2])


def test_closest_ranks_a_retrieval_bottleneck_to_information_retrieval(embedder):
    bottleneck = (
        "My multi-hop question answering pipeline retrieves the wrong passages at the second hop: "
        "the retriever cannot find documents that relate only to the first hop's answer."
    )
    ranked = Linker(embedder).closest(bottleneck, k=3)
    assert ranked[0][0].id == "information_retrieval"
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    vector = embedder.embed([bottleneck])[0]
    assert [f.id for f, _ in Linker(embedder).closest(bottleneck, k=3, vector=vector)] == [
        f.id for f, _ in ranked
    ]


def test_closest_reads_a_retrieval_bottleneck_through_the_usage_texts(embedder):
    """No catalogue term at all: only the usage texts ("a retriever fetches passages ...") place it."""
    bottleneck = (
        "My model's answers cite passages that do not contain the answer because the search step "
        "returns documents about the wrong entity."
    )
    assert Linker(embedder).closest(bottleneck, k=1)[0][0].id == "information_retrieval"


def test_a_broad_term_counts_for_its_idea(embedder):
    """'reinforcement learning' is a broad term of policy gradients: it counts, less than a key term."""
    bottleneck = (
        "Our quadruped robot trained with reinforcement learning in simulation falls over on rough "
        "terrain after transfer to hardware."
    )
    assert Linker(embedder).closest(bottleneck, k=1)[0][0].id == "policy_gradient"


@hsettings(max_examples=25, deadline=None)
@given(title=st.text(max_size=200), abstract=st.text(max_size=600))
def test_no_text_breaks_the_linker(embedder, title, abstract):
    vector = np.random.default_rng(len(title) + len(abstract)).normal(size=(1, 384)).astype(np.float32)
    vector /= np.linalg.norm(vector)
    (paper,) = Linker(embedder).link([title], [abstract], vector)
    assert len(paper) <= 3 and all(0 < s <= 1 for _, s, _ in paper)


ALL_TERMS = sorted({t for f in catalogue() for t in (*f.terms, *f.broad, *f.related)})
EXOTIC = str.maketrans(
    {"s": "\u017f", "k": "\u212a", "i": "\u0131", "I": "\u0130"}
)  # letters re.IGNORECASE reads as ASCII


@hsettings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(ALL_TERMS)
        | st.sampled_from(ALL_TERMS).map(str.swapcase)
        | st.sampled_from(ALL_TERMS).map(lambda t: t.translate(EXOTIC))
        | st.text(alphabet=st.sampled_from(" -_.,()*/'é\u0130\u0131\u017f\u212aa1Z"), max_size=3)
        | st.text(max_size=6),
        max_size=12,
    ).map("".join)
)
def test_the_word_check_never_hides_a_term_its_pattern_finds(text):
    """find_terms skips a term whose first word the text lacks; that must never drop a match."""
    for f in catalogue():
        found = find_terms(f, text)
        for group, terms in zip(found, (f.terms, f.broad, f.related), strict=True):
            assert group == tuple(t for t in terms if _term_pattern(t).search(text))


def test_terms_match_whole_words_and_acronyms_in_capitals():
    fund = by_id()
    assert find_terms(fund["svd_low_rank"], "We truncate the SVD of each layer.") == (("SVD",), (), ())
    assert find_terms(fund["svd_low_rank"], "the svd of it") == ((), (), ())  # acronyms only in capitals
    assert find_terms(fund["kernel_methods"], "A fused GPU kernel for attention.") == ((), (), ())
    assert "A*" in find_terms(fund["heuristic_search"], "plans found with A*, then verified")[0]
    assert find_terms(fund["information_retrieval"], "BM25 retrieval") == (("BM25",), ("retrieval",), ())
    assert find_terms(fund["policy_gradient"], "RL with verifiable rewards")[2] == ("verifiable rewards",)


def test_max_links_is_honoured_and_validated(embedder, tmp_path):
    t, a = text("actor_critic")
    one = Linker(embedder, max_links=1).link([t], [a], embedder.embed([paper_text(t, a)]))
    assert len(one[0]) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[fundamentals]\nmax_links = -1\n")
    with pytest.raises(UserError, match=r"\[fundamentals\] max_links"):
        config.load(str(bad))
