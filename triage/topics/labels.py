"""A topic's label: the names a reader would write for it, from its terms and its papers' titles.

Three general rules, each measured by a blind reader against the labels without it
(bench/label_variants.py, docs/decisions/hype.md "Labels"): words of one family count once
("routing / router" is "routing"); a cluster's further name joins its first only when the same
titles write both (a k-means cluster can hold two unrelated groups: "grokking / disagreement");
and a name the titles almost always continue is completed ("efficient large language" is
"efficient large language model"). A name never begins or ends on a connector ("based image
editing" is "image editing").
"""

from __future__ import annotations

import os
from collections import Counter

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from triage.topics.text import phrases_of, words_of

MIN_SEEN = 2  # a name written fewer times than this is not completed
MAX_WORDS = 4  # a name longer than this is a sentence, not a name
CONTINUED = 0.6  # share of a name's occurrences followed (or preceded) by one word that completes it
TOGETHER = 0.2  # share of the rarer name's titles that must also hold the first name
# Words that join a name to the rest of a title, never begin or end one: "(instruction) based image
# editing", "heart disease prediction using (...)".
CONNECTORS = frozenset({"using", "based"})


def same_family(a: str, b: str) -> bool:
    """Words of one family: a shared start of four letters or more, and most of the shorter word
    ("routing", "router"; "simulation", "simulator"; not "transformer", "translation")."""
    shared = len(os.path.commonprefix([a, b]))
    return shared >= 4 and shared >= 0.6 * min(len(a), len(b))


def _shares_word(words: list[str], kept: list[str]) -> bool:
    return any(same_family(w, k) for w in words for k in kept)


def together(first: str, other: str, grams: list[set[str]]) -> bool:
    """Whether the titles that hold the rarer of two names also hold the other, often enough."""
    a = sum(first in g for g in grams)
    b = sum(other in g for g in grams)
    both = sum(first in g and other in g for g in grams)
    return both >= max(1.0, TOGETHER * min(a, b))


def complete(name: str, sequences: list[list[str]]) -> str:
    """The name extended by the word its titles almost always write after (or before) it."""
    words = name.split()
    while len(words) < MAX_WORDS:
        after, before, seen = Counter(), Counter(), 0
        n = len(words)
        for seq in sequences:
            for i in range(len(seq) - n + 1):
                if seq[i : i + n] == words:
                    seen += 1
                    if i + n < len(seq):
                        after[seq[i + n]] += 1
                    if i > 0:
                        before[seq[i - 1]] += 1
        grown = False
        for counter, place in ((after, len(words)), (before, 0)):
            if not counter:
                continue
            word, count = counter.most_common(1)[0]
            if (
                seen >= MIN_SEEN
                and count >= CONTINUED * seen
                and word not in ENGLISH_STOP_WORDS | CONNECTORS
                and word not in words
            ):
                words.insert(place, word)
                grown = True
                break
        if not grown:
            break
    return " ".join(words)


def label_of(terms: list[str], n: int, titles: list[str] = (), cluster: bool = False) -> str:
    """The first n names of a topic's terms (best first), as a reader would write them: a pair that
    continues a kept one joins it ("super resolution", then "image super": "image super
    resolution"), a term sharing a word (or a word's family) with a kept one is left out ("video
    super" after it); with the topic's titles, a cluster's further names must share its titles and
    each name is completed as the titles write it."""
    grams = [set(phrases_of(t)) for t in titles] if cluster else []
    kept: list[str] = []
    for t in terms:
        words = t.split()
        for i, k in enumerate(kept):
            have = k.split()
            if len(words) == len(have) == 2 and words[1] not in have and have[-1] == words[0]:
                kept[i] = f"{k} {words[1]}"
                break
            if len(words) == len(have) == 2 and words[0] not in have and have[0] == words[1]:
                kept[i] = f"{words[0]} {k}"
                break
        else:
            if _shares_word(words, [w for k in kept for w in k.split()]):
                continue
            if cluster and kept and grams and not together(terms[0], t, grams):
                continue
            kept.append(t)
    if titles:
        sequences = [words_of(t) for t in titles]
        kept = _merge([complete(k, sequences) for k in kept])
    kept = [t for t in (_trim(k) for k in kept) if t]
    return " / ".join(kept[:n]) or "(no distinctive terms)"


def _trim(name: str) -> str:
    """The name without a connector at either end ("based image editing" is "image editing")."""
    words = name.split()
    while words and words[0] in CONNECTORS:
        words.pop(0)
    while words and words[-1] in CONNECTORS:
        words.pop()
    return " ".join(words)


def _merge(names: list[str]) -> list[str]:
    """Completed names that now share words ("quantum", "quantum computing") kept once, the longer
    in the earlier place."""
    out: list[str] = []
    for name in names:
        for i, k in enumerate(out):
            if set(name.split()) & set(k.split()):
                out[i] = max(k, name, key=lambda x: len(x.split()))
                break
        else:
            out.append(name)
    return out
