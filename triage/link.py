"""Link each paper to the few decades-old fundamentals it materially rests on.

Cosine similarity to the catalogue alone links every deep-learning paper to gradient descent and
every LLM paper to language modelling, because all such abstracts sound alike to a sentence encoder.
So a link needs three things to agree:

1. semantics: the paper's best cosine to the fundamental's texts (its summary and several prototypes
   of how a paper resting on it reads) clears a floor;
2. margin: that cosine beats the paper's cosine to "generic ML paper" backgrounds (benchmarks, agent
   systems, applications), so an idea is linked only when it is closer than the generic story;
3. evidence: one of the fundamental's key terms appears in the title or abstract. Without a term a
   link needs a much stronger, clearly-above-background match.

Scores are in [0, 1], best first; a paper gets none when nothing fits.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from triage.fundamentals import CATALOGUE_FILE, Fundamental, background, catalogue

# Thresholds are stated in cosine units of normalised sentence embeddings. They were set by looking
# at wrong links on the dev split (bench/labels), never on the held-out split.
SIM_FLOOR = 0.30  # below this a fundamental is unrelated whatever the terms say
SIM_FULL = 0.65  # at or above this the semantic part of the score is 1
MIN_SIM_WITH_TERMS = 0.36
MIN_MARGIN_WITH_TERMS = -0.02
# A specific term (a phrase or an acronym: "rejection sampling", "A*", "DPO") is strong evidence on its
# own, so it may link a paper whose overall story is generic (an LLM paper that runs A* search).
MIN_SIM_WITH_SPECIFIC = 0.30
MIN_MARGIN_WITH_SPECIFIC = -0.12
MIN_SIM_WITHOUT_TERMS = 0.55
MIN_MARGIN_WITHOUT_TERMS = 0.12


@functools.cache
def fingerprint() -> str:
    """Changes when the catalogue or a threshold changes, so analyze knows to relink."""
    text = resources.files("triage").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    knobs = {k: v for k, v in globals().items() if k.startswith(("SIM_", "MIN_"))}
    return hashlib.sha1(f"{text}{sorted(knobs.items())}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Evidence:
    """Why a fundamental was (or was not) linked: the numbers behind the score."""

    sim: float
    margin: float
    terms: tuple[str, ...]
    in_title: bool


def _term_pattern(term: str) -> re.Pattern:
    """Whole-word match; ALL-CAPS acronyms (SVD, PPO, CNN) must appear in capitals."""
    body = re.escape(term)
    acronym = term.upper() == term and any(c.isalpha() for c in term)
    tail = "" if term.endswith("(") else r"(?![A-Za-z0-9])"
    return re.compile(rf"(?<![A-Za-z0-9]){body}{tail}", 0 if acronym else re.IGNORECASE)


@functools.cache
def _patterns() -> dict[str, tuple[tuple[str, re.Pattern], ...]]:
    return {f.id: tuple((t, _term_pattern(t)) for t in f.terms) for f in catalogue()}


def find_terms(fundamental: Fundamental, text: str) -> tuple[str, ...]:
    return tuple(t for t, p in _patterns()[fundamental.id] if p.search(text))


def is_specific(term: str) -> bool:
    """A phrase or an acronym names the idea; a single common word ("clustering") only hints at it."""
    return not (term.isalpha() and term.islower())


# The catalogue's vectors per (model, catalogue fingerprint), computed once per process.
_CATALOGUE_VECTORS: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}


class Linker:
    """Scores papers against the catalogue. Build once per analyze run: it embeds the catalogue."""

    def __init__(self, embedder, max_links: int = 3):
        self.max_links = max_links
        self.fundamentals = catalogue()
        self._owner = np.array([i for i, f in enumerate(self.fundamentals) for _ in f.texts()])
        key = (embedder.model_name, fingerprint())
        if key not in _CATALOGUE_VECTORS:
            texts = [t for f in self.fundamentals for t in f.texts()]
            _CATALOGUE_VECTORS[key] = (embedder.embed(texts), embedder.embed(list(background())))
        self._proto, self._background = _CATALOGUE_VECTORS[key]

    def similarities(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(papers x fundamentals best-prototype cosine, papers' best background cosine)."""
        sims = vectors @ self._proto.T
        best = np.full((len(vectors), len(self.fundamentals)), -1.0, dtype=np.float32)
        for i in range(len(self.fundamentals)):
            best[:, i] = sims[:, self._owner == i].max(axis=1)
        bg = (vectors @ self._background.T).max(axis=1) if len(vectors) else np.zeros(0)
        return best, bg

    def link(
        self, titles: Sequence[str], abstracts: Sequence[str], vectors: np.ndarray
    ) -> list[list[tuple[str, float]]]:
        """For each paper, [(fundamental_id, score), ...] best first, at most max_links, maybe empty."""
        best, bg = self.similarities(vectors)
        out = []
        for k in range(len(vectors)):
            scored = []
            for i, f in enumerate(self.fundamentals):
                sim = float(best[k, i])
                if sim < SIM_FLOOR:
                    continue
                ev = Evidence(
                    sim=sim,
                    margin=sim - float(bg[k]),
                    terms=find_terms(f, f"{titles[k]}. {abstracts[k]}"),
                    in_title=bool(find_terms(f, titles[k])),
                )
                s = score(ev)
                if s > 0:
                    scored.append((f.id, s))
            scored.sort(key=lambda x: -x[1])
            out.append(scored[: self.max_links])
        return out


def score(ev: Evidence) -> float:
    """0 when the evidence does not support a link; otherwise semantic and term strength in (0, 1]."""
    if any(is_specific(t) for t in ev.terms):
        if ev.sim < MIN_SIM_WITH_SPECIFIC or ev.margin < MIN_MARGIN_WITH_SPECIFIC:
            return 0.0
    elif ev.terms:
        if ev.sim < MIN_SIM_WITH_TERMS or ev.margin < MIN_MARGIN_WITH_TERMS:
            return 0.0
    elif ev.sim < MIN_SIM_WITHOUT_TERMS or ev.margin < MIN_MARGIN_WITHOUT_TERMS:
        return 0.0
    semantic = min(1.0, (ev.sim - SIM_FLOOR) / (SIM_FULL - SIM_FLOOR))
    terms = min(1.0, 0.4 * len(ev.terms) + (0.4 if ev.in_title else 0.0))
    return round(0.6 * semantic + 0.4 * terms, 4)
