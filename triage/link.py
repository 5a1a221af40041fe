"""Link each paper to the few decades-old fundamentals it materially rests on.

Cosine similarity alone links every deep-learning paper to gradient descent and every LLM paper to
language modelling, because all such abstracts sound alike to a sentence encoder. So each
(paper, fundamental) pair is described by a few features anyone can read:

- z_gap: how unusual the paper's cosine to the idea's closest catalogue text (its summary or a
  prototype) is for this idea (z: standard deviations over ordinary corpus papers; some ideas sit
  close to every paper, others to none), minus the best z among the other ideas (positive when this
  idea is the paper's most unusual closeness);
- margin: that cosine minus the paper's cosine to "generic ML paper" backgrounds;
- usage: the paper's cosine to the closest of the idea's usage texts (how 2024-26 abstracts that
  rest on it read: "we fine-tune the model with GRPO ..."). The catalogue's summary and prototypes
  say what the idea is; the usage texts say how papers use it now;
- term_rate: how often readers listed the idea when a paper used the same term, key, broad or
  related (key terms are specific: "policy gradient", "GRPO"; broad terms are words many papers use
  in passing: "reinforcement learning", "retrieval"; related terms, in
  triage/data/fundamentals_related.toml, are further method names and phrasings written blind from
  the catalogue, each worth what the labels say: "verifiable rewards" much, "diffusion models" for
  energy-based models little); the log-odds of the best such rate among the terms the paper uses
  (triage/term_rates.py).

A logistic model over these features, fitted on two readers' labels by bench/fit_linker.py and
checked by cross-validation by paper, turns them into the probability that a reader would list the
link. The model, the term rates, the thresholds and the corpus statistics ship as data
(triage/data/), so analyze needs no training. A paper is linked when its best fundamental is more
likely than not to be listed (the threshold); then further fundamentals clear a lower one, best
first. None when nothing fits.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from triage.embed import paper_text
from triage.fundamentals import (
    CATALOGUE_FILE,
    RELATED_FILE,
    USAGE_FILE,
    Fundamental,
    background,
    catalogue,
)
from triage.term_rates import TermRates, logit, pair_keys, term_of

MODEL_FILE = "data/fundamentals_model.json"
FEATURES = ("z_gap", "margin", "usage", "term_rate")


def _read(name: str) -> str:
    return resources.files("triage").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def fitted() -> dict:
    """The fitted model: feature scaling, coefficients, threshold, corpus statistics (bench/fit_linker.py)."""
    return json.loads(_read(MODEL_FILE))


@functools.cache
def fingerprint() -> str:
    """Changes when the catalogue, the fitted model or this code changes, so analyze knows to relink."""
    names = (CATALOGUE_FILE, USAGE_FILE, RELATED_FILE, MODEL_FILE, "link.py", "term_rates.py")
    text = "".join(_read(name) for name in names)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Evidence:
    """Why a fundamental was (or was not) linked: the numbers behind the score."""

    sim: float
    z: float
    usage: float
    terms: tuple[str, ...]
    broad: tuple[str, ...]
    related: tuple[str, ...]
    rated: tuple[str, float] | None = None  # the labelled term with the best link rate, and that rate

    def why(self) -> str:
        said = f"; says {', '.join(self.terms[:3])}" if self.terms else "; no key term"
        broadly = f"; broadly {', '.join(self.broad[:3])}" if self.broad else ""
        related = f"; also {', '.join(self.related[:3])}" if self.related else ""
        closeness = f"closeness {self.sim:.2f} ({self.z:+.1f} sd vs a typical paper)"
        rated = self.rated
        rate = f"; readers listed it for about {rated[1]:.0%} of papers saying {rated[0]}" if rated else ""
        return f"{closeness}, to its uses {self.usage:.2f}{said}{broadly}{related}{rate}"


def _term_pattern(term: str) -> re.Pattern:
    """Whole-word match; ALL-CAPS acronyms (SVD, PPO, CNN) must appear in capitals."""
    body = re.escape(term)
    acronym = term.upper() == term and any(c.isalpha() for c in term)
    tail = "" if term.endswith("(") else r"(?![A-Za-z0-9])"
    return re.compile(rf"(?<![A-Za-z0-9]){body}{tail}", 0 if acronym else re.IGNORECASE)


_WORD = re.compile(r"[A-Za-z0-9]+")
# The only characters beyond ASCII that a case-insensitive [A-Za-z0-9] matches (re's own case rules),
# so a case-insensitive term can match across them ("ſparse" is "sparse" to re.IGNORECASE).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _first_word(term: str) -> str | None:
    """The lower-cased word a term's match must begin with, or None when it begins with a symbol."""
    found = _WORD.match(term)
    return found.group().lower() if found else None


@functools.cache
def _patterns() -> dict[str, tuple[tuple[tuple[str, str | None, str | None, re.Pattern], ...], ...]]:
    """Per idea and kind of term: (term, its first word, the term lower-cased if ASCII, its pattern)."""
    return {
        f.id: tuple(
            tuple((t, _first_word(t), t.lower() if t.isascii() else None, _term_pattern(t)) for t in group)
            for group in (f.terms, f.broad, f.related)
        )
        for f in catalogue()
    }


def scan(text: str) -> tuple[frozenset[str], str]:
    """What find_terms checks before it runs a term's pattern: the text's lower-cased words (as
    case-sensitive and as case-insensitive patterns delimit them) and the text lower-cased with
    re.IGNORECASE's four non-ASCII letters made ASCII. A term whose first word or (ASCII) whole is
    missing there cannot match, so only a few of the ~3,000 patterns run per paper."""
    folded = text.translate(_FOLD).lower()
    return frozenset(w.lower() for w in _WORD.findall(text)) | frozenset(_WORD.findall(folded)), folded


def find_terms(
    fundamental: Fundamental, text: str, scanned: tuple[frozenset[str], str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(the fundamental's key terms in `text`, its broad terms there, its related terms there);
    `scanned` (scan(text)) lets a caller share the checks that skip most patterns."""
    words, folded = scan(text) if scanned is None else scanned
    return tuple(
        tuple(
            t
            for t, first, low, p in group
            if (first is None or first in words) and (low is None or low in folded) and p.search(text)
        )
        for group in _patterns()[fundamental.id]
    )


def corpus_statistics(linker: Linker, vectors: np.ndarray) -> dict:
    """What z compares a paper with: each idea's cosine mean and spread over ordinary corpus papers."""
    best, _ = linker.similarities(vectors)
    ids = [f.id for f in linker.fundamentals]
    return {
        "papers": len(vectors),
        "sim_mean": {fid: round(float(v), 5) for fid, v in zip(ids, best.mean(axis=0), strict=True)},
        "sim_sd": {fid: round(float(v), 5) for fid, v in zip(ids, best.std(axis=0), strict=True)},
    }


def decide(probs: np.ndarray, first: float, more: float, max_links: int) -> list[int]:
    """Indices linked, best first: the best if it clears `first`, then others that clear `more`."""
    ranked = np.argsort(-probs, kind="stable")[:max_links]
    if not len(ranked) or probs[ranked[0]] < first:
        return []
    return [int(i) for n, i in enumerate(ranked) if n == 0 or probs[i] >= more]


# The catalogue's vectors per (model, catalogue fingerprint), computed once per process.
_CATALOGUE_VECTORS: dict[tuple[str, str], list[np.ndarray]] = {}


class Linker:
    """Scores papers against the catalogue. Build once per analyze run: it embeds the catalogue."""

    def __init__(self, embedder, max_links: int = 3, model: dict | None = None):
        """`model` replaces the shipped fit (bench/fit_linker.py passes the one it is fitting)."""
        self.embedder = embedder
        self.model = fitted() if model is None else model
        self.max_links = min(max_links, self.model.get("max_links", max_links))
        self.fundamentals = catalogue()
        self._owner = np.array([i for i, f in enumerate(self.fundamentals) for _ in f.texts()])
        self._usage_owner = np.array([i for i, f in enumerate(self.fundamentals) for _ in f.usage])
        key = (
            embedder.model_name,
            hashlib.sha1((_read(CATALOGUE_FILE) + _read(USAGE_FILE)).encode()).hexdigest(),
        )
        if key not in _CATALOGUE_VECTORS:
            texts = [t for f in self.fundamentals for t in f.texts()]
            usage = [t for f in self.fundamentals for t in f.usage]
            vectors = embedder.embed(texts + usage + list(background()))
            _CATALOGUE_VECTORS[key] = np.split(vectors, [len(texts), len(texts) + len(usage)])
        self._proto, self._usage, self._background = _CATALOGUE_VECTORS[key]
        stats = self.model.get("corpus", {})
        mean, sd = stats.get("sim_mean", {}), stats.get("sim_sd", {})
        self._mu = np.array([mean.get(f.id, 0.0) for f in self.fundamentals], dtype=np.float32)
        self._sd = np.array([sd.get(f.id, 1.0) for f in self.fundamentals], dtype=np.float32)
        rates = self.model.get("term_rates")
        self._rates = TermRates.from_json(rates) if rates else None

    def _nearest(self, vectors: np.ndarray, texts: np.ndarray, owner: np.ndarray) -> np.ndarray:
        sims = vectors @ texts.T
        best = np.full((len(vectors), len(self.fundamentals)), -1.0, dtype=np.float32)
        for i in range(len(self.fundamentals)):
            best[:, i] = sims[:, owner == i].max(axis=1)
        return best

    def similarities(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(papers x fundamentals best catalogue-text cosine, papers' best background cosine)."""
        bg = (vectors @ self._background.T).max(axis=1) if len(vectors) else np.zeros(0)
        return self._nearest(vectors, self._proto, self._owner), bg

    def usage_similarities(self, vectors: np.ndarray) -> np.ndarray:
        """papers x fundamentals: cosine to the idea's closest usage text (how recent papers use it)."""
        return self._nearest(vectors, self._usage, self._usage_owner)

    def features(
        self, titles: Sequence[str], abstracts: Sequence[str], vectors: np.ndarray
    ) -> tuple[np.ndarray, list[list[Evidence]]]:
        """(papers x fundamentals x FEATURES, the evidence of every pair). Without fitted term rates (while
        bench/fit_linker.py fits them) the term_rate column is left at 0."""
        best, bg = self.similarities(vectors)
        usage = self.usage_similarities(vectors)
        z = (best - self._mu) / self._sd
        order = np.sort(z, axis=1)
        top_z, second = order[:, -1:], order[:, -2:-1]
        others = np.where(z >= top_z, second, top_z)  # the best z among the other ideas
        out = np.zeros((len(vectors), len(self.fundamentals), len(FEATURES)), dtype=np.float32)
        out[..., FEATURES.index("z_gap")] = z - others
        out[..., FEATURES.index("margin")] = best - bg[:, None]
        out[..., FEATURES.index("usage")] = usage
        evidence = []
        for k in range(len(vectors)):
            text = paper_text(titles[k], abstracts[k])
            scanned = scan(text)
            row = []
            for i, f in enumerate(self.fundamentals):
                terms, broad, related = find_terms(f, text, scanned)
                rated = None
                if self._rates is not None:
                    key, rate = self._rates.best(pair_keys(f.id, terms, broad, related))
                    out[k, i, FEATURES.index("term_rate")] = logit(rate)
                    rated = (term_of(key), rate) if key and self._rates.seen(key) else None
                closeness = (float(best[k, i]), float(z[k, i]), float(usage[k, i]))
                row.append(Evidence(*closeness, terms, broad, related, rated))
            evidence.append(row)
        return out, evidence

    def probabilities(self, feats: np.ndarray) -> np.ndarray:
        """The fitted logistic model: P(a reader lists the link) for each pair."""
        m = self.model
        x = (feats - np.array(m["mean"], dtype=np.float32)) / np.array(m["scale"], dtype=np.float32)
        return 1.0 / (1.0 + np.exp(-(x @ np.array(m["coef"], dtype=np.float32) + m["intercept"])))

    def link(
        self, titles: Sequence[str], abstracts: Sequence[str], vectors: np.ndarray
    ) -> list[list[tuple[str, float, str]]]:
        """For each paper, [(fundamental_id, score, why), ...] best first, at most max_links, maybe empty."""
        feats, evidence = self.features(titles, abstracts, vectors)
        probs = self.probabilities(feats)
        out = []
        for k in range(len(vectors)):
            chosen = decide(probs[k], self.model["threshold"], self.model["threshold_more"], self.max_links)
            out.append(
                [
                    (self.fundamentals[i].id, round(float(probs[k, i]), 4), evidence[k][i].why())
                    for i in chosen
                ]
            )
        return out

    def closest(
        self, text: str, k: int = 3, vector: np.ndarray | None = None
    ) -> list[tuple[Fundamental, float]]:
        """The k fundamentals a free text (a bottleneck) rests on most, by the same scorer, best first."""
        vec = self.embedder.embed([text]) if vector is None else np.asarray(vector, dtype=np.float32)[None, :]
        feats, _ = self.features([text], [""], vec)
        probs = self.probabilities(feats)[0]
        return [(self.fundamentals[i], float(probs[i])) for i in np.argsort(-probs, kind="stable")[:k]]
