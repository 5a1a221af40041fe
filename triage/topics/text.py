"""Text into phrases: the words and two-word phrases a paper writes (plurals folded), and how it
writes a word (as a name or as an ordinary word)."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from triage.config import HypeConfig
from triage.embed import paper_text
from triage.papers import Paper

LABEL_TERMS = 3


_HYPHEN = re.compile(r"[-_/]")


# A word starts with a letter; a dot between digits stays inside it ("qwen2.5"). Words across a
# clause break are no phrase: one scan finds both, the break as an empty word.
_WORD_OR_BREAK = re.compile(
    r"(?u)\b([a-z][a-z0-9]+(?:(?<=[0-9])\.[0-9][a-z0-9]*)*)\b|[,;:!?()\[\]{}\"]|\.(?:\s|$)"
)


# A name and its version are one word, as "Qwen3" is: "GPT-5", "GPT-4o", "SAM-2" (a hyphen and a
# number) and "Gemini 2.5", "Llama 3.1" (a capitalised word, a space and a dotted number; not
# "accuracy 93.2" or "by 2.5"). A model size ("VL-7B") is no version.
_VERSION_SEP = re.compile(r"[-\s](?=[0-9])")
_VERSION = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2})?o?\b")
_WORD_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9]*$")
_DOTTED = re.compile(r"[0-9]{1,2}\.[0-9]")


# A plural "s" (not -ss, -us, -is, -ias): "VLAs" and "VLA", "agents" and "agent" are one phrase.
_PLURAL = re.compile(r"^([a-z][a-z0-9]+?)(?<!s)(?<!u)(?<!i)(?<!ia)s$")


_LISTING_PREFIX = re.compile(r"^arXiv:\S+\s+Announce Type:\s*\S+\s+Abstract:\s*", re.I)


_SENTENCE_END = re.compile(r"(^|[.!?:]\s*)$")


def _join_versions(text: str) -> str:
    """The text with each versioned name written as one word ("GPT-5" as "GPT5")."""
    parts, last = [], 0
    for m in _VERSION_SEP.finditer(text):
        i = m.start()
        if not i or not text[i - 1].isalnum() or not _VERSION.match(text, m.end()):
            continue
        word = _WORD_BEFORE.search(text, max(0, i - 40), i)
        if word is None or (
            m.group() != "-" and not (word.group()[0].isupper() and _DOTTED.match(text, m.end()))
        ):
            continue
        parts.append(text[last:i])
        last = m.end()
    return "".join(parts) + text[last:]


def _preprocess(text: str) -> str:
    return _HYPHEN.sub(" ", _join_versions(text).lower())


@lru_cache(maxsize=1 << 18)
def _fold(token: str) -> str:
    """Plural folded ("queries" is "query"); stop words left as they are so the vectorizer
    still drops them."""
    if token in ENGLISH_STOP_WORDS:
        return token
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    return _PLURAL.sub(r"\1", token)


def _tokens(text: str) -> list[str]:
    """Words starting with a letter (years and numbers are not topics), plurals folded; a clause
    break is an empty word."""
    return [_fold(t) if t else t for t in _WORD_OR_BREAK.findall(text)]


def phrases_of(text: str) -> list[str]:
    """Words (stop words out) and two-word phrases of adjacent words, neither a stop word nor across
    a clause break: a phrase is what the text writes ("model of the llm" holds no "model llm");
    hyphens join words."""
    tokens = _tokens(_preprocess(text))
    kept = [bool(t) and t not in ENGLISH_STOP_WORDS for t in tokens]
    words = [t for t, k in zip(tokens, kept, strict=True) if k]
    pairs = [f"{tokens[i]} {tokens[i + 1]}" for i in range(len(tokens) - 1) if kept[i] and kept[i + 1]]
    return words + pairs


def phrase_vectorizer(min_df: int = 1) -> CountVectorizer:
    """Papers x phrases (`phrases_of`) of title and abstract."""
    return CountVectorizer(analyzer=phrases_of, min_df=min_df, binary=True, dtype=np.int32)


def embed_texts(papers: list[Paper], cfg: HypeConfig) -> list[str]:
    """What topics embed: the text analyze already embedded (title and abstract: cache hits, no
    model time) or titles only (~20x faster to encode when nothing is cached yet)."""
    if cfg.embed_abstracts:
        return [paper_text(p.title, p.abstract) for p in papers]
    return [p.title for p in papers]


def full_text(p: Paper) -> str:
    """Title and abstract without the RSS listing boilerplate ("arXiv:... Announce Type: new Abstract:")."""
    return f"{p.title}. {_LISTING_PREFIX.sub('', p.abstract)}"


def name_share(texts: list[str], word: str, titles: list[str] = ()) -> float | None:
    """Of the times the texts write the (folded) word where its case can tell, the share written
    as a name: with a digit ("o1", "Qwen3"), a capital after the first letter ("GRPO", "dLLMs",
    "LLaDA") or a leading capital inside a sentence ("Mamba"); None when no occurrence tells. A
    capital at a sentence's start says nothing, nor does one in a title (titles capitalise words).
    A word with a digit is a name however it is written ("gpt5" is "GPT-5" in the text)."""
    if any(c.isdigit() for c in word):
        return 1.0
    stem = re.escape(word[:-1]) + "(?:y|ies)" if word.endswith("y") else re.escape(word) + "(?:s|es)?"
    rx = re.compile(rf"(?<![A-Za-z0-9]){stem}(?![A-Za-z0-9])", re.IGNORECASE)
    named = plain = 0
    for text, title in [(t, False) for t in texts] + [(t, True) for t in titles]:
        for m in rx.finditer(text):
            tok = m.group(0)
            if any(c.isdigit() for c in tok) or any(c.isupper() for c in tok[1:]):
                named += 1
            elif not tok[0].isupper():
                plain += 1
            elif not title and not _SENTENCE_END.search(text[max(0, m.start() - 3) : m.start()]):
                named += 1
    return named / (named + plain) if named + plain else None


def words_of(text: str) -> list[str]:
    """The folded words of a text, stop words included: what short forms and their long forms
    are compared in."""
    return [t for t in _tokens(_preprocess(text)) if t]
