"""Short forms the papers define themselves: "diffusion large language models (dLLMs)".

A young idea is written both ways ("agentic RL", "agentic reinforcement learning"), and each
spelling is a phrase of its own with its own few papers a month; topics join them through the
definitions found in the papers' text (Schwartz & Hearst's rule, simplified: the short form's
letters, in order, start words of the words right before the parenthesis).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_DEFINED = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,9})\)")
_WORD = re.compile(r"[A-Za-z0-9]+")
# A short form names one long form when at least this share of its definitions agree
# ("TTS" is text to speech and test-time scaling: neither).
DOMINANT = 2 / 3
# A short form defined this many times with different long forms is a name collision.
COLLIDING = 3


def long_form(before: str, short: str) -> str | None:
    """The words ending `before` that `short` abbreviates, or None: each of its letters, right
    to left, found in those words, the first one starting a word; at most min(len + 5, 2 len)
    words, at least two."""
    letters = short.lower().replace("-", "")
    if letters.endswith("s") and short[-1] == "s" and any(c.isupper() for c in short[:-1]):
        letters = letters[:-1]  # "dLLMs", "VLAs": a plural
    if len(letters) < 2 or not any(c.isupper() for c in short):
        return None
    words = _WORD.findall(before)[-(len(letters) + 5) :]
    text = " ".join(words).lower()
    j = len(text) - 1
    for i in range(len(letters) - 1, -1, -1):
        while j >= 0 and (text[j] != letters[i] or (i == 0 and j > 0 and text[j - 1] != " ")):
            j -= 1
        if j < 0:
            return None
        j -= 1
    found = text[j + 1 :]
    n = len(found.split())
    return found if 2 <= n <= min(len(letters) + 5, 2 * len(letters)) else None


@dataclass
class Definitions:
    """What the papers say their short forms stand for."""

    long_forms: dict[str, list[str]]  # short form -> the words of its one dominant long form
    collisions: set[str]  # short forms papers define as different things


def definitions(texts: Iterable[str], fold: Callable[[str], list[str]], min_count: int) -> Definitions:
    """Folded short forms and their folded long forms. `long_forms` keeps those defined at least
    min_count times with one dominant long form. `collisions` are names several papers gave to
    different things: defined at least COLLIDING times, and no first word of their long forms
    holds more than half of the definitions ("SAGE": Shapley additive global importance,
    sentient agent as a judge, skill augmented GRPO...). Such a name is no one topic. `fold` turns
    text into the phrase tokens (lower case, plurals folded), so both sides read as phrases do."""
    seen: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        for m in _DEFINED.finditer(text):
            found = long_form(text[: m.start()], m.group(1))
            short = fold(m.group(1))
            if found and len(short) == 1:
                seen[short[0]][tuple(fold(found))] += 1
    long_forms, collisions = {}, set()
    for short, forms in seen.items():
        (words, n), total = forms.most_common(1)[0], sum(forms.values())
        if n >= min_count and n >= DOMINANT * total and len(words) >= 2:
            long_forms[short] = list(words)
        starts = Counter(w[0] for w in forms.elements() if w)
        if total >= COLLIDING and starts.most_common(1)[0][1] <= total / 2:
            collisions.add(short)
    return Definitions(long_forms, collisions)
