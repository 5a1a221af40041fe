"""Topic labels a reader can name: word families once, a cluster's names from the same titles,
names completed as the titles write them (triage/topics/labels.py)."""

from hypothesis import given
from hypothesis import strategies as st

from triage.topics.labels import MAX_WORDS, label_of


def test_words_of_one_family_are_one_name():
    assert label_of(["routing", "router", "vehicle"], 2) == "routing / vehicle"
    assert label_of(["simulation", "simulator", "physics"], 2) == "simulation / physics"
    assert label_of(["transformer", "translation"], 2) == "transformer / translation"


def test_a_clusters_second_name_must_share_its_titles():
    apart = [
        "Grokking in shallow networks",
        "When does grokking happen",
        "Grokking as compression",
        "Annotator disagreement in NLI",
        "Modelling disagreement among raters",
    ]
    assert label_of(["grokking", "disagreement"], 2, apart, cluster=True) == "grokking"
    together = [*apart, "Grokking and disagreement between seeds"]
    assert label_of(["grokking", "disagreement"], 2, together, cluster=True) == "grokking / disagreement"
    # A phrase topic's names are spellings of one idea, which need not share a title.
    assert label_of(["grokking", "disagreement"], 2, apart) == "grokking / disagreement"


def test_a_name_the_titles_always_continue_is_completed():
    titles = [
        "Efficient large language models on the edge",
        "Towards efficient large language model serving",
        "Efficient large language models via pruning",
    ]
    assert label_of(["efficient large language"], 3, titles) == "efficient large language model"
    # completed names that now overlap are one name, the longer
    quantum = ["Quantum computing for chemistry", "Noise in quantum computing", "Quantum computing at scale"]
    assert label_of(["quantum", "computing"], 2, quantum, cluster=True) == "quantum computing"


@given(
    st.lists(
        st.sampled_from(["graph", "neural", "network", "learning", "model", "of", "the", "deep"]), max_size=12
    ),
    st.lists(st.text(alphabet="abcdefgh -", max_size=40), max_size=8),
)
def test_a_label_is_short_names_whatever_the_titles(words, titles):
    terms = [" ".join(words[i : i + 2]) for i in range(0, len(words), 2)]
    label = label_of(terms, 3, titles, cluster=True)
    names = label.split(" / ")
    assert len(names) <= 3
    assert all(len(n.split()) <= MAX_WORDS for n in names) or label == "(no distinctive terms)"


def test_a_name_neither_begins_nor_ends_on_a_connector():
    assert label_of(["based image", "image editing"], 3) == "image editing"
    titles = [
        "Heart disease prediction using trees",
        "Heart disease prediction using CNNs",
        "Heart disease prediction using LLMs",
    ]
    assert label_of(["heart disease", "disease prediction"], 3, titles) == "heart disease prediction"
