from triage.abbreviations import definitions, long_form
from triage.topics import words_of


def fold(text: str) -> list[str]:
    return words_of(text)


def test_long_form_is_the_words_the_short_form_abbreviates():
    assert long_form("We train diffusion large language models", "dLLMs") == "diffusion large language models"
    assert (
        long_form("trained with group relative policy optimization", "GRPO")
        == "group relative policy optimization"
    )
    assert long_form("Reasoning with chain-of-thought", "CoT") == "chain of thought"


def test_a_parenthesis_that_abbreviates_nothing_is_not_a_definition():
    assert long_form("we use a new method", "GRPO") is None
    assert long_form("accuracy on the test set", "see") is None  # no capital: a word, not a short form
    assert long_form("a large model", "L") is None


def test_a_short_form_with_two_meanings_is_not_expanded():
    texts = ["Text to speech (TTS) systems.", "Test-time scaling (TTS) of LLMs."] * 4
    texts += ["Diffusion large language models (dLLMs) decode in parallel."] * 8
    found = definitions(texts, fold, min_count=8)
    assert found.long_forms == {"dllm": ["diffusion", "large", "language", "model"]}


def test_a_name_papers_define_as_different_things_is_a_collision():
    texts = [
        "Shapley additive global importance (SAGE) explains models.",
        "We propose a sentient agent as a judge (SAGE).",
        "Skill augmented GRPO for self evolution (SAGE) trains agents.",
        "Text to speech (TTS) systems.",
        "Test-time scaling (TTS) of LLMs.",
        "Diffusion large language models (dLLMs) decode in parallel.",
        "Diffusion-based large language models (dLLMs) are fast.",
        "We study diffusion LLMs (dLLMs).",
        "Diffusion large language models (dLLMs) again.",
    ]
    assert definitions(texts, fold, min_count=8).collisions == {"sage"}  # "tts": two, too few to tell
