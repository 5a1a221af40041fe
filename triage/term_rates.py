"""How often readers list an idea when a paper uses one of its terms, learned from their labels.

One weight per kind of term cannot tell "GRPO" (a paper that writes it nearly always rests on policy
gradients) from "retrieval" in a RAG benchmark (which usually rests on nothing old). So each (idea,
term) gets its own rate: the share of labelled pairs using that term that readers linked, shrunk
towards the rate of its kind (key, broad or related term) by STRENGTH pseudo-pairs, so a term seen in two
papers says little and a term no label has seen says only its kind's rate. A pair using none of the
idea's terms gets the rate of such pairs. The linker's feature is the log-odds of the best rate
among the terms a pair uses. Fitted by bench/fit_linker.py; the rates ship in the model file.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

STRENGTH = 5.0  # pseudo-pairs at the kind's rate that every term's own count is shrunk towards
KINDS = ("key", "broad", "related")
_CLIP = 1e-3


def pair_keys(
    idea: str, terms: Sequence[str], broad: Sequence[str], related: Sequence[str] = ()
) -> tuple[str, ...]:
    """The keys a (paper, idea) pair uses: "idea|kind|term" for each key, broad and related term it says."""
    groups = zip(KINDS, (terms, broad, related), strict=True)
    return tuple(f"{idea}|{kind}|{t}" for kind, group in groups for t in group)


def _kind(key: str) -> str:
    return key.split("|", 2)[1]


def term_of(key: str) -> str:
    """The term a key names ("policy_gradient|key|GRPO" -> "GRPO")."""
    return key.split("|", 2)[2]


def logit(p: float) -> float:
    """The log-odds of a rate, kept finite."""
    p = min(max(p, _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p))


class TermRates:
    """Per-term link rates. Built by `fit` from labelled pairs, or `from_json` from the model file."""

    def __init__(
        self, rates: dict[str, float], prior: dict[str, float], none: float, counts=None, strength=STRENGTH
    ):
        self.rates, self.prior, self.none, self.strength = rates, prior, none, strength
        self._counts = counts  # (links, pairs) per key: only a fitted instance can leave a pair out

    @classmethod
    def fit(
        cls, keys: Sequence[Sequence[Sequence[str]]], y: np.ndarray, strength: float = STRENGTH
    ) -> TermRates:
        """keys[paper][idea]: the pair's keys; y[paper, idea]: the share of readers who gave the link;
        `strength`: the pseudo-pairs each rate is shrunk by (bench/fit_linker.py --strength tries others)."""
        links, pairs = Counter(), Counter()
        kind_links, kind_pairs = Counter(), Counter()
        none_links = none_pairs = 0.0
        for k, row in enumerate(keys):
            for i, cell in enumerate(row):
                if not cell:
                    none_links += y[k, i]
                    none_pairs += 1
                for key in cell:
                    links[key] += y[k, i]
                    pairs[key] += 1
                    kind_links[_kind(key)] += y[k, i]
                    kind_pairs[_kind(key)] += 1
        prior = {kind: kind_links[kind] / kind_pairs[kind] if kind_pairs[kind] else 0.0 for kind in KINDS}
        rates = {key: (links[key] + strength * prior[_kind(key)]) / (pairs[key] + strength) for key in pairs}
        none = none_links / none_pairs if none_pairs else 0.0
        return cls(rates, prior, none, (links, pairs), strength)

    def rate(self, key: str, own: float | None = None) -> float:
        """The key's rate; with `own` (the pair's own label), as if that pair had not been seen."""
        if own is None or self._counts is None:
            return self.rates.get(key, self.prior[_kind(key)])
        links, pairs = self._counts
        prior = self.prior[_kind(key)]
        return (links[key] - own + self.strength * prior) / (pairs[key] - 1 + self.strength)

    def best(self, keys: Sequence[str], own: float | None = None) -> tuple[str | None, float]:
        """The pair's key with the best rate, and that rate (the feature is its `logit`); (None, the
        no-term rate) for a pair without keys."""
        return max(
            ((key, self.rate(key, own)) for key in keys), key=lambda kr: kr[1], default=(None, self.none)
        )

    def seen(self, key: str) -> bool:
        """Whether labelled papers used this key (else its rate is only its kind's)."""
        return key in self.rates

    def column(self, keys: Sequence[Sequence[Sequence[str]]], y: np.ndarray | None = None) -> np.ndarray:
        """papers x ideas: the feature of each pair. Given `y` (the labels of the very pairs it was
        fitted on), each pair's own label is left out of its rates."""
        out = np.empty((len(keys), len(keys[0]) if keys else 0), dtype=np.float32)
        for k, row in enumerate(keys):
            for i, cell in enumerate(row):
                out[k, i] = logit(self.best(cell, None if y is None else float(y[k, i]))[1])
        return out

    def to_json(self) -> dict:
        return {
            "strength": self.strength,
            "prior": {k: round(v, 6) for k, v in self.prior.items()},
            "none": round(self.none, 6),
            "rates": {k: round(v, 6) for k, v in sorted(self.rates.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> TermRates:
        return cls(dict(data["rates"]), dict(data["prior"]), float(data["none"]), strength=data["strength"])
