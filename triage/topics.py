"""Topics, their onset and age, and the hype verdict with the evidence behind it.

Hype is a property of a topic over time, not of one paper. Two kinds of topic:

* phrase topics: word n-grams of title+abstract (plurals folded) whose monthly share rose
  sharply from about zero (the vocabulary of a young idea: "grpo", "model context protocol"),
  merged when their papers overlap or they spell one idea two ways ("agentic rl", "agentic
  reinforcement": a short form the papers define), dropped when they are a facet of an older
  topic (most of their papers carry an older, specific phrase: "libero" in vision-language-action
  papers), a collocation of old words ("experiment mathematical") or a pairing that rose only
  because one of its words spread ("agentic framework"); they are what separates a young topic
  from its older neighbours;
* cluster topics: fine-grained k-means clusters of title embeddings (many small clusters), so
  every paper has a topic and a readable c-TF-IDF label even when no phrase of it is rising.

A paper belongs to one of its cluster and the rising phrases it contains: a young active one
if any, else the youngest.

Onset rule (one rule for both kinds), applied per source so that a source joining or leaving
the mix cannot fake a rise: the first month whose share of that source's papers, and the pooled
share of it and the following months up to `sustain_months`, is at least `rise_ratio` times a
baseline that was about zero (see `onsets`); a source needs `baseline_months` of its own history
before it can show an onset. The topic rose at the earliest such month over sources; its onset,
from which its age counts, is when it became popular (`popular_since`: a share of its peak so far,
each source read against itself, the sources' median month weighted by their size).
hype = age (as-of month - onset month) < max_topic_age_months and active now; null when there is
less than min_history_months of history before as-of.

The first run (or a stale model) rebuilds everything; afterwards new papers are assigned to the
existing topics and the monthly counts updated, so a day's papers never recluster the history.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.stats import poisson
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from triage.abbreviations import definitions
from triage.config import HypeConfig
from triage.embed import paper_text
from triage.papers import Paper

EARLIEST = 5
SMALL = "(small sources)"
LABEL_TERMS = 3
_HYPHEN = re.compile(r"[-_/]")
_TOKEN = re.compile(r"(?u)\b[a-z][a-z0-9]+\b")
_VERSION = re.compile(r"^([a-z]{2,}?)\d+$")  # "qwen3": the name "qwen", version 3
# A plural "s" (not -ss, -us, -is, -ias): "VLAs" and "VLA", "agents" and "agent" are one phrase.
_PLURAL = re.compile(r"^([a-z][a-z0-9]+?)(?<!s)(?<!u)(?<!i)(?<!ia)s$")


def month_index(iso: str) -> int:
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


def month_name(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def _preprocess(text: str) -> str:
    return _HYPHEN.sub(" ", text.lower())


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
    """Words starting with a letter (years and numbers are not topics), plurals folded."""
    return [_fold(t) for t in _TOKEN.findall(text)]


def phrase_vectorizer(min_df: int = 1) -> CountVectorizer:
    """Unigrams and bigrams of title and abstract words."""
    return CountVectorizer(
        preprocessor=_preprocess,
        tokenizer=_tokens,
        token_pattern=None,
        stop_words="english",
        ngram_range=(1, 2),
        min_df=min_df,
        binary=True,
        dtype=np.int32,
    )


_LISTING_PREFIX = re.compile(r"^arXiv:\S+\s+Announce Type:\s*\S+\s+Abstract:\s*", re.I)


def embed_texts(papers: list[Paper], cfg: HypeConfig) -> list[str]:
    """What topics embed: the text analyze already embedded (title and abstract: cache hits, no
    model time) or titles only (~20x faster to encode when nothing is cached yet)."""
    if cfg.embed_abstracts:
        return [paper_text(p.title, p.abstract) for p in papers]
    return [p.title for p in papers]


def full_text(p: Paper) -> str:
    """Title and abstract without the RSS listing boilerplate ("arXiv:... Announce Type: new Abstract:")."""
    return f"{p.title}. {_LISTING_PREFIX.sub('', p.abstract)}"


def coherence(vectors: np.ndarray) -> float:
    """Mean pairwise cosine of unit vectors: a real topic's papers resemble each other."""
    n = len(vectors)
    if n < 2:
        return 0.0
    r2 = float(np.square(vectors.sum(axis=0)).sum())
    return (r2 - n) / (n * (n - 1))


@dataclass
class Grid:
    """The month x source cells the shares live in: months first..last, the sources seen
    (sources too small to fill any month pooled as SMALL, through `alias`)."""

    first: int
    last: int
    sources: list[str]
    totals: np.ndarray  # (S, M) papers per source and month
    valid: np.ndarray  # (S, M) months well filled enough to read a share from
    alias: dict[str, str] = field(default_factory=dict)

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    def cell(self, source: str, month: int) -> tuple[int, int] | None:
        source = self.alias.get(source, source)
        if month < self.first or month > self.last or source not in self.sources:
            return None
        return self.sources.index(source), month - self.first


def build_grid(rows: list[tuple[str, str, int]], as_of_month: int, cfg: HypeConfig) -> Grid:
    """Grid from (month, source, n) totals, starting at the first month any source fills well.
    Sources that never fill a month (min_month_papers) are pooled into one: a file whose records
    name many small lists still has a history, instead of papers that count nowhere."""
    rows = [(m, s, n) for m, s, n in rows if month_index(m) <= as_of_month]
    full = {s for _, s, n in rows if n >= cfg.min_month_papers}
    alias = {s: SMALL for _, s, _ in rows if s not in full}
    merged: Counter = Counter()
    for m, s, n in rows:
        merged[(month_index(m), alias.get(s, s))] += n
    good = [m for (m, _), n in merged.items() if n >= cfg.min_month_papers]
    first = min(good) if good else as_of_month
    sources = sorted({s for _, s in merged})
    totals = np.zeros((len(sources), as_of_month - first + 1), dtype=np.float64)
    for (m, s), n in merged.items():
        if m >= first:
            totals[sources.index(s), m - first] += n
    return grid_of(first, as_of_month, sources, totals, cfg, alias)


def grid_of(
    first: int, last: int, sources: list[str], totals: np.ndarray, cfg: HypeConfig, alias=None
) -> Grid:
    """The grid, with its well-filled months: min_month_papers papers, and either at least
    partial_month_ratio of the median of the source's well-filled neighbours (3 months either
    side; neighbours, so a source that grows over the years keeps its early months) or enough
    papers that one paper is at most min_share of them. A thin month (the source began
    mid-month or half missed it, the as-of month's first days) gives shares from a few papers,
    where one paper reads as a fashion's level: "o1" at 1.5% of HF's 67-paper first month, then
    in none of the next 907 papers."""
    full = totals >= cfg.min_month_papers
    valid = full & (totals * cfg.min_share >= 1)
    for s, m in zip(*np.nonzero(full & ~valid), strict=True):
        near = [
            totals[s, j] for j in range(max(0, m - 3), min(totals.shape[1], m + 4)) if j != m and full[s, j]
        ]
        valid[s, m] = not near or totals[s, m] >= cfg.partial_month_ratio * np.median(near)
    return Grid(first, last, sources, totals, valid, alias or {})


def history_months(grid: Grid) -> int:
    """Months before the as-of month in which at least one source is well filled."""
    valid = grid.valid.any(axis=0)
    return int(valid[:-1].sum())


def _prior_peak(counts: np.ndarray, grid: Grid) -> np.ndarray:
    """(T, M): the highest 3-month mean share any source showed before each month."""
    t, _, m = counts.shape
    peak = np.zeros((t, m + 1))
    for s in range(len(grid.sources)):
        idx = np.flatnonzero(grid.valid[s])
        if len(idx) < 3:
            continue
        share = counts[:, s, idx] / grid.totals[s, idx]
        rolling = (share[:, 2:] + share[:, 1:-1] + share[:, :-2]) / 3
        peak[:, idx[2:] + 1] = np.maximum(peak[:, idx[2:] + 1], rolling)
    return np.maximum.accumulate(peak, axis=1)[:, :m]


def onsets(counts: np.ndarray, grid: Grid, cfg: HypeConfig) -> np.ndarray:
    """Onset month index (absolute) per topic, -1 when its share never rose; counts is (T, S, M).

    A source shows an onset at month j when
    * the share in j, and the pooled share of j and the following months up to sustain_months
      (at least two months of evidence), are >= rise_ratio x its baseline and >= min_share;
    * the baseline (mean share over the 12 months before j, less the last ramp_months) is below
      min_share: a young topic rose from about zero; a phrase that was already a topic and grew
      ("long horizon" at 1.3% for a year, then 6%) is not new;
    * those months hold >= min_topic_papers papers of the topic in all sources together (a
      young topic has a few papers a month, spread over the sources: counting evidence);
    * no source held the topic at >= prior_ratio of that level (3-month mean) before the ramp:
      a topic common elsewhere earlier is not new, whatever one source's mix says.
    The ramp (the ramp_months before j) is left out of the baseline and of that last check: a
    young topic's own build-up before its clear rise is not evidence that it is old.
    """
    t = counts.shape[0]
    never = np.iinfo(np.int64).max
    out = np.full(t, never, dtype=np.int64)
    prior = _prior_peak(counts, grid)
    every = counts.sum(axis=1)
    for s in range(len(grid.sources)):
        idx = np.flatnonzero(grid.valid[s])
        if len(idx) <= cfg.baseline_months:
            continue
        share = counts[:, s, idx] / grid.totals[s, idx]
        csum = np.concatenate([np.zeros((t, 1)), np.cumsum(share, axis=1)], axis=1)
        found = np.zeros(t, dtype=bool)
        for j in range(cfg.baseline_months, len(idx) - 1):
            lo, hi = max(0, j - 12), min(j + cfg.sustain_months, len(idx))
            b = max(lo + 1, j - cfg.ramp_months)
            base = (csum[:, b] - csum[:, lo]) / (b - lo)
            thr = np.maximum(cfg.min_share, cfg.rise_ratio * base)
            level = counts[:, s, idx[j:hi]].sum(axis=1) / grid.totals[s, idx[j:hi]].sum()
            n = every[:, idx[j:hi]].sum(axis=1)
            ok = (
                (share[:, j] >= thr)
                & (level >= thr)
                & (base < cfg.min_share)
                & (n >= cfg.min_topic_papers)
                & (prior[:, max(0, idx[j] - cfg.ramp_months)] < cfg.prior_ratio * level)
                & ~found
            )
            out[ok] = np.minimum(out[ok], grid.first + idx[j])
            found |= ok
    out[out == never] = -1
    return out


def _sizes(grid: Grid) -> np.ndarray:
    """(S,) each source's usual size: mean papers per well-filled month."""
    valid = grid.valid
    return np.where(valid, grid.totals, 0.0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)


def curves(counts: np.ndarray, grid: Grid, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Monthly share per topic over the well-filled sources (NaN where none is): each source's
    own share, weighted by its usual size (`_sizes`). Own shares, so a source joining the mix cannot fake a
    rise; size weights, so a small curated list (trending papers, early on every fashion) does
    not count as much as a listing ten times its size."""
    valid = grid.valid
    w = np.where(valid, sizes[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts / np.where(valid, grid.totals, 1)[None]
        mean = (share * w[None]).sum(axis=1) / w.sum(axis=0)
    return np.where(valid.any(axis=0)[None], mean, np.nan), valid.any(axis=0)


def _first_popular(share: np.ndarray, cfg: HypeConfig) -> int:
    """Index of the first month whose share, and the mean of it and the next months up to
    sustain_months, are >= popular_ratio x the peak so far (the highest such mean); 0 if none is."""
    w = min(cfg.sustain_months, len(share))
    bar = cfg.popular_ratio * np.convolve(share, np.ones(w) / w, mode="valid").max()
    return next((i for i in range(len(share)) if share[i] >= bar and share[i : i + w].mean() >= bar), 0)


def popular_since(
    counts: np.ndarray, rise: int, grid: Grid, sizes: np.ndarray, cfg: HypeConfig
) -> tuple[int, str]:
    """The month a risen topic became popular, from which its age counts, and a note saying how
    each source read it (the evidence a reader needs when sources disagree; "" with one source);
    counts is (S, M), sizes (S,) the sources' usual sizes (`_sizes`).

    Each source is read against itself (`_first_popular` on its own shares since the rise): a
    trending list carries a fashion at several times a listing's share, so one source's months
    must not be measured against another's peak, least of all across the month a source joined.
    The month is the sources' weighted median, by size: the month read by the sources holding most
    of the papers. A mean of disagreeing months is a month no source read (a trending list's 03
    and a listing's 05 averaged to 04), and moves with one outlying source. Left out: a source
    with fewer than min_topic_papers papers of the topic since the rise (noise), and one that
    began after the rise with the topic already there (min_share of its first month): it cannot
    tell when the topic became popular, only that it was present when it began; its own first
    months would date chain-of-thought (2022) by a listing begun in 2025.
    With no source left, the sources are pooled. A topic that rose from zero to 0.2% of papers
    is present, not yet fashionable; one month's dip is counting noise."""
    valid = grid.valid
    start = rise - grid.first
    months, weights, read = [], [], []
    for s, size in enumerate(sizes):
        idx = np.flatnonzero(valid[s])
        after = idx[idx >= start]
        if not len(after):
            continue
        n = int(counts[s, after].sum())
        if n < cfg.min_topic_papers:
            read.append(f"{grid.sources[s]}: {n} paper{'' if n == 1 else 's'} since, too few to date")
            continue
        i = _first_popular(counts[s, after] / grid.totals[s, after], cfg)
        if idx[0] < start or (i > 0 and counts[s, idx[0]] < cfg.min_share * grid.totals[s, idx[0]]):
            months.append(after[i])
            weights.append(size)
            read.append(f"{grid.sources[s]}: {month_name(grid.first + after[i])}")
        else:
            read.append(f"{grid.sources[s]}: began after the rise, with the topic already there")
    if not months:
        after = np.flatnonzero(valid.any(axis=0))
        after = after[after >= start]
        if not len(after):
            return rise, ""
        n = np.where(valid, counts, 0).sum(axis=0)[after]
        months = [after[_first_popular(n / np.where(valid, grid.totals, 0).sum(axis=0)[after], cfg)]]
        weights = [1.0]
        read.append("sources pooled")
    order = np.argsort(months, kind="stable")
    cum = np.cumsum(np.asarray(weights, dtype=float)[order])
    mid = int(np.asarray(months)[order][np.searchsorted(cum, cum[-1] / 2)])
    sources = f" ({'; '.join(read)})" if len(read) > 1 else ""
    return grid.first + mid, f", the month of most papers{sources}" if len(months) > 1 else sources


def verdicts(counts: np.ndarray, grid: Grid, as_of: date, cfg: HypeConfig) -> list[dict]:
    """Onset, age, activity, hype and the why, per topic row of counts (T, S, M); "rose" is the
    month it rose from about zero (None if it never did), for its first papers."""
    on = onsets(counts, grid, cfg)
    sizes = _sizes(grid)
    share, valid = curves(counts, grid, sizes)
    months = [grid.first + i for i in np.flatnonzero(valid)]
    hist = history_months(grid)
    as_of_month = month_index(as_of.isoformat())
    recent = np.flatnonzero(valid)[-cfg.active_months :]
    # Weighted by the month's papers: the as-of month may hold one day of a big listing.
    weight = np.where(grid.valid, grid.totals, 0).sum(axis=0)[recent]
    out = []
    for k in range(counts.shape[0]):
        curve = [[month_name(m), round(float(share[k, m - grid.first]), 5)] for m in months]
        rise = int(on[k])
        onset, by_source = popular_since(counts[k], rise, grid, sizes, cfg) if rise >= 0 else (-1, "")
        since = [m - grid.first for m in months if onset < 0 or m >= onset]
        level = float(np.mean(share[k, since])) if since else 0.0
        now = float(np.average(share[k, recent], weights=weight)) if len(recent) else 0.0
        active = now > 0 and now >= cfg.active_ratio * level
        v = {"curve": curve, "active": active, "onset": None, "age_days": None, "rose": None}
        if onset >= 0:
            v["onset"], v["rose"] = month_name(onset), month_name(rise)
            v["age_days"] = (as_of - date(onset // 12, onset % 12 + 1, 1)).days
        age = as_of_month - onset
        if hist < cfg.min_history_months:
            v["hype"] = None
            v["why"] = (
                f"Only {hist} months of history before {as_of} (need {cfg.min_history_months}): "
                "too short to tell a new topic from an old one."
            )
        elif onset < 0:
            v["hype"] = False
            v["why"] = (
                f"Its share never rose above its baseline in {hist} months of history: "
                "older than the history."
            )
        else:
            v["hype"] = bool(age < cfg.max_topic_age_months and active)
            state = "active now" if active else "fading now"
            v["why"] = (
                f"Rose from about zero in {month_name(rise)}, popular (>= {cfg.popular_ratio:g} of its "
                f"peak share) since {month_name(onset)}{by_source}: {age} months old at {as_of}, {state}."
            )
        out.append(v)
    return out


def _cells(papers: list[Paper], grid: Grid) -> np.ndarray:
    """Flat cell index (source * months + month) per paper, -1 outside the grid."""
    out = np.full(len(papers), -1, dtype=np.int64)
    for i, p in enumerate(papers):
        c = grid.cell(p.source, month_index(p.published))
        if c is not None:
            out[i] = c[0] * grid.months + c[1]
    return out


def _cell_counts(member: sparse.csr_matrix, cells: np.ndarray, grid: Grid) -> np.ndarray:
    """(T, S, M) counts from a papers x topics membership matrix."""
    keep = np.flatnonzero(cells >= 0)
    ncell = len(grid.sources) * grid.months
    g = sparse.csr_matrix((np.ones(len(keep)), (cells[keep], keep)), shape=(ncell, member.shape[0]))
    dense = (g @ member).toarray().T.astype(np.float32)
    return dense.reshape(member.shape[1], len(grid.sources), grid.months)


def _totals(papers: list[Paper]) -> list[tuple[str, str, int]]:
    c = Counter((p.published[:7], p.source) for p in papers)
    return [(m, s, n) for (m, s), n in sorted(c.items())]


def ctfidf_labels(texts: list[str], labels: np.ndarray, k: int) -> list[list[str]]:
    """Distinctive terms per cluster, BERTopic-style class TF-IDF over the cluster's titles."""
    vec = phrase_vectorizer(min_df=2)
    vec.set_params(binary=False)
    try:
        x = vec.fit_transform(texts)
    except ValueError:
        return [[] for _ in range(k)]
    onehot = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels))
    )
    tf = (onehot @ x).tocsr()  # sparse: k x vocabulary would not fit dense for big corpora
    words = np.asarray(tf.sum(axis=1)).ravel()
    idf = np.log1p(words.mean() / np.maximum(np.asarray(tf.sum(axis=0)).ravel(), 1))
    names = vec.get_feature_names_out()
    out = []
    for c in range(k):
        cols, vals = tf.indices[tf.indptr[c] : tf.indptr[c + 1]], tf.data[tf.indptr[c] : tf.indptr[c + 1]]
        top = cols[np.argsort(-(vals * idf[cols]), kind="stable")[: LABEL_TERMS * 3]]
        out.append(_dedupe_terms([str(names[i]) for i in top])[: LABEL_TERMS + 2])
    return out


def _dedupe_terms(terms: list[str]) -> list[str]:
    """Drop a unigram already inside a kept bigram ('agent' after 'agent skills')."""
    kept: list[str] = []
    for t in terms:
        if any(t in k.split() or k in t.split() for k in kept):
            continue
        kept.append(t)
    return kept


def phrase_rises(papers: list[Paper], texts: list[str], grid: Grid, cfg: HypeConfig):
    """The phrase vocabulary (unigrams and bigrams in at least min_topic_papers papers), papers x
    phrases (CSC) and each phrase's rise month (`onsets`, -1 if it never rose); None when no
    phrase is that common."""
    vec = phrase_vectorizer(min_df=cfg.min_topic_papers)
    try:
        x = vec.fit_transform(texts).tocsc()
    except ValueError:
        return None
    return vec, x, onsets(_cell_counts(x, _cells(papers, grid), grid), grid, cfg)


def rising_phrases(
    papers: list[Paper], vectors: np.ndarray, grid: Grid, cfg: HypeConfig
) -> tuple[list[list[str]], sparse.csc_matrix]:
    """Phrase topics: groups of n-grams whose share rose, are not collocations and whose papers'
    titles cohere (a rising filler word like "interestingly" spans unrelated papers), and
    papers x groups. A collocation is made of old words, or words of an older fashion, and
    papers rarely name it in their titles ("experiment mathematical", "agentic framework"); a
    topic either is named in titles ("deep research") or carries a new word (under
    min_topic_papers papers before its ramp: not "reframe", a paper a month for years) that rose
    within max_topic_age_months before it ("o1", "mcp"; not a new version of an older name,
    "qwen3" after "qwen2": `_new_versions`). Either way some title must name
    it: what no title names is an attribute of papers, not what they are about ("aime25", a
    benchmark; "a3b", a model size), and versioned names are new words every year, so they
    would call an old fashion young again and again. A two-word phrase must also be a new
    pairing (`_new_pairings`), not one that rose only because a word of it spread. A name the
    papers define as different things ("SAGE", six papers, six long forms) is no one topic."""
    texts = [full_text(p) for p in papers]
    found = phrase_rises(papers, texts, grid, cfg)
    if found is None:
        return [], sparse.csc_matrix((len(papers), 0))
    vec, x, on = found
    names = vec.get_feature_names_out()
    defined = definitions(texts, lambda t: _tokens(_preprocess(t)), cfg.min_topic_papers)
    rising = np.array(
        [i for i in np.flatnonzero(on >= 0) if not defined.collisions.issuperset(str(names[i]).split())],
        dtype=int,
    )
    if not len(rising):
        return [], sparse.csc_matrix((len(papers), 0))
    xr = x[:, rising]
    df = np.asarray(xr.sum(axis=0)).ravel()
    groups = _near_duplicates(xr, df, cfg.phrase_overlap)
    groups = _join_spellings(
        groups, [str(names[i]) for i in rising], defined.long_forms, vec.build_analyzer()
    )
    pick = sparse.csr_matrix(
        (
            np.ones(len(rising)),
            ([i for g in groups for i in g], [n for n, g in enumerate(groups) for _ in g]),
        ),
        shape=(len(rising), len(groups)),
    )
    member = ((xr @ pick) > 0).astype(np.int32).tocsc()
    words = [{w for i in g for w in str(names[rising[i]]).split()} for g in groups]
    first = [int(on[rising[g]].min()) for g in groups]
    months = np.array([month_index(p.published) for p in papers])
    older = _facets(member, words, first, x, names, months, cfg)
    in_titles = np.asarray(
        ((vec.transform([p.title for p in papers])[:, rising] @ pick) > 0).sum(axis=0)
    ).ravel()
    named = in_titles >= cfg.min_title_share * np.diff(member.indptr)
    # A word vouches for a group only if it is new and rose with it: "agentic" (2024) does not
    # make "agentic framework" (2025-07) a new topic; "o1" does make "o1 like".
    renamed = _new_versions(x, names, rising, on, months, cfg)
    new_words = {
        str(names[i]): int(on[i])
        for i in rising
        if " " not in names[i] and i not in renamed and _is_new_word(x, i, int(on[i]), months, cfg)
    }
    fresh = _new_pairings(x, names, rising, on, months, cfg)
    keep = [
        g
        for g in range(len(groups))
        if not older[g]
        and fresh[groups[g]].any()
        and in_titles[g] > 0
        and (named[g] or any(new_words.get(w, -1) >= first[g] - cfg.max_topic_age_months for w in words[g]))
        and coherence(vectors[member.indices[member.indptr[g] : member.indptr[g + 1]]]) >= cfg.min_coherence
    ]
    terms = [_dedupe_terms([str(names[rising[i]]) for i in groups[g]])[: LABEL_TERMS + 2] for g in keep]
    context = _context_pairs(x, names, member[:, keep], terms)
    return [[c] + t if c else t for c, t in zip(context, terms, strict=True)], member[:, keep]


def _context_pairs(x, names, member, terms) -> list[str | None]:
    """Per topic named by single words only: the two-word phrase with its first word that at
    least a quarter of its papers write ("reward shaping" for "shaping", "peer review" for
    "peer"), or None. It leads the label so a reader sees what the word is about; it matches no
    paper the word does not. x: papers x phrases (CSC), member: papers x topics (CSC)."""
    pairs: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        for w in str(name).split() if " " in name else ():
            pairs[w].append(i)
    out: list[str | None] = []
    for k, t in enumerate(terms):
        cols = pairs.get(t[0], []) if t and all(" " not in w for w in t) else []
        docs = member.indices[member.indptr[k] : member.indptr[k + 1]]
        if not cols or not len(docs):
            out.append(None)
            continue
        hits = np.asarray(x[:, cols][docs].sum(axis=0)).ravel()
        out.append(str(names[cols[int(hits.argmax())]]) if 4 * hits.max() >= len(docs) else None)
    return out


def _months_of(x, cols, months: np.ndarray) -> np.ndarray:
    """Publication months of the papers holding any of the phrases `cols`; x: papers x phrases
    (CSC), months: month index per paper. One phrase's papers are unique already: no sort, as
    `_facets` asks this of common words thousands of times."""
    held = [x.indices[x.indptr[i] : x.indptr[i + 1]] for i in cols]
    return months[held[0] if len(held) == 1 else np.unique(np.concatenate(held))]


def word_counts(x, q: int, rise: int, months: np.ndarray, cfg: HypeConfig) -> tuple[int, int, int, int]:
    """Papers using word q before its ramp, all papers before it, papers using q from the ramp
    on, and all papers from it on; x: papers x phrases (CSC), months: month index per paper."""
    m = _months_of(x, [q], months)
    ramp = rise - cfg.ramp_months
    return (
        int((m < ramp).sum()),
        int((months < ramp).sum()),
        int((m >= ramp).sum()),
        int((months >= ramp).sum()),
    )


def new_word_odds(before: int, history: int, since: int, recent: int, cfg: HypeConfig) -> float:
    """How likely an ordinary word, at 1/rise_ratio of its rate since the ramp, would have been
    in as few papers before it (Poisson): small when the history could not have missed it."""
    return float(poisson.cdf(before, history * since / recent / cfg.rise_ratio))


def _is_new_word(x, q: int, rise: int, months: np.ndarray, cfg: HypeConfig) -> bool:
    """Is word q new, not an ordinary word the history had not yet shown? New when fewer than
    min_topic_papers papers used it before its ramp ("reframe", a paper a month for years, is
    not) and the history there was big enough to have shown an ordinary word (`new_word_odds`
    at most new_word_chance). On a new user's 17 months of trending papers, "proactively" (1
    paper of 2,145 before, 15 of 3,050 since) could just be unseen; "grpo" (0 of 1,147 before,
    146 of 4,048 since) cannot."""
    before, history, since, recent = word_counts(x, q, rise, months, cfg)
    return (
        before < cfg.min_topic_papers
        and new_word_odds(before, history, since, recent, cfg) <= cfg.new_word_chance
    )


def _new_versions(x, names, rising, on, months, cfg: HypeConfig) -> set[int]:
    """Rising words that are a new version of an older name, "qwen3" where papers had written
    "qwen" or "qwen2" (min_topic_papers of them before its ramp): a family's new release, not by
    itself a new topic. x: papers x phrases (CSC), months: month index per paper."""
    stems: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        m = _VERSION.match(str(name))
        stems[m.group(1) if m else str(name)].append(i)
    out = set()
    for q in rising:
        m = _VERSION.match(str(names[q]))
        family = [i for i in stems.get(m.group(1), []) if i != q] if m else []
        if family and (_months_of(x, family, months) < on[q] - cfg.ramp_months).sum() >= cfg.min_topic_papers:
            out.add(int(q))
    return out


def _new_pairings(x, names, rising, on, months, cfg: HypeConfig) -> np.ndarray:
    """Per rising phrase: is it new as a pairing? A word is new by itself; a two-word phrase
    only if, among the papers of each of its words, its share rose at least rise_ratio times
    from before its ramp to its rise on. Otherwise it rose because one of its words spread:
    "agentic framework" is as common among "agentic" papers in 2025 as in 2024 (a collocation of
    an older fashion), while "diffusion language" became 8x commoner among "diffusion" papers.
    A word with fewer than min_topic_papers papers before is itself new and vouches for the pair.
    x: papers x phrases (CSC), on: rise month per phrase, months: month index per paper."""
    vocab = {str(n): i for i, n in enumerate(names)}

    def split(q: int, r: int) -> tuple[int, int]:
        m = _months_of(x, [q], months)
        return int((m < r - cfg.ramp_months).sum()), int((m >= r).sum())

    out = np.ones(len(rising), dtype=bool)
    for k, q in enumerate(rising):
        pair = str(names[q]).split()
        if len(pair) < 2:
            continue
        r = int(on[q])
        before, after = split(q, r)
        for w in pair:
            w_before, w_after = split(vocab[w], r)
            if w_before >= cfg.min_topic_papers and after * w_before < cfg.rise_ratio * before * w_after:
                out[k] = False
    return out


def _facets(member, words, onset, x, names, months, cfg: HypeConfig) -> list[bool]:
    """Per phrase group: is it a facet of an older topic? True when most of its papers
    (facet_share) also carry one other, specific phrase (facet_lift times likelier among them
    than among all papers) that already had min_topic_papers papers max_topic_age_months before
    the group's onset: "libero" rises with vision-language-action papers, it is not a new topic.
    Phrases sharing a word with the group are its own variants, not parents. x: papers x
    phrases (CSC), months: month index per paper."""
    n = x.shape[0]
    share = np.asarray(x.sum(axis=0)).ravel() / n
    co = (member.T @ x).tocsr()
    out = []
    for g in range(member.shape[1]):
        size = member.indptr[g + 1] - member.indptr[g]
        cols, shared = co.indices[co.indptr[g] : co.indptr[g + 1]], co.data[co.indptr[g] : co.indptr[g + 1]]
        cond = shared / size
        cand = cols[(cond >= cfg.facet_share) & (cond >= cfg.facet_lift * share[cols])]
        cutoff = onset[g] - cfg.max_topic_age_months
        out.append(
            any(
                not words[g].intersection(str(names[q]).split())
                and (_months_of(x, [q], months) < cutoff).sum() >= cfg.min_topic_papers
                for q in cand
            )
        )
    return out


def _join_spellings(
    groups: list[list[int]], phrases: list[str], short_forms: dict[str, list[str]], analyse
) -> list[list[int]]:
    """Groups holding two spellings of one idea merge: a phrase with a defined short form in it
    joins the groups of the rising two-word phrases its long form spells, "dllm" those inside
    "diffusion large language model", "agentic rl" those across its words ("agentic
    reinforcement"; not "reinforcement learning", which is "rl" alone). Only phrases that rose
    are joined, so an old phrase spelled out ("large language") joins nothing."""
    index = {p: k for k, p in enumerate(phrases)}
    parent = list(range(len(groups)))
    group_of = {i: g for g, members in enumerate(groups) for i in members}

    def root(g: int) -> int:
        while parent[g] != g:
            g = parent[g]
        return g

    def pairs(words: list[str]) -> set[str]:
        return {g for g in analyse(" ".join(words)) if " " in g}

    for k, phrase in enumerate(phrases):
        spelled = [short_forms.get(w, [w]) for w in phrase.split()]
        if all(len(words) == 1 for words in spelled):
            continue
        grams = pairs([w for words in spelled for w in words])
        if len(spelled) > 1:
            grams -= set().union(*(pairs(words) for words in spelled))
        for gram in grams & index.keys():
            parent[root(group_of[index[gram]])] = root(group_of[k])
    joined: dict[int, list[int]] = defaultdict(list)
    for g, members in enumerate(groups):
        joined[root(g)] += members
    return list(joined.values())


def _near_duplicates(x: sparse.csc_matrix, df: np.ndarray, overlap: float) -> list[list[int]]:
    """Greedy star grouping, most frequent first: a phrase joins the first seed sharing at least
    `overlap` of the larger of their paper sets ('grpo' with 'group relative'), else seeds its own."""
    co = (x.T @ x).tocsr()
    group_of = np.full(len(df), -1)  # group position, for seeds only
    groups: list[list[int]] = []
    for i in np.argsort(-df, kind="stable"):
        lo, hi = co.indptr[i], co.indptr[i + 1]
        nb, shared = co.indices[lo:hi], co.data[lo:hi]
        hit = nb[(group_of[nb] >= 0) & (shared >= overlap * np.maximum(df[nb], df[i]))]
        if len(hit):
            groups[group_of[hit[0]]].append(i)
        else:
            group_of[i] = len(groups)
            groups.append([i])
    return groups


def _topic_rows(papers, member, terms, kinds, centroids, grid, as_of, cfg):
    cells = _cells(papers, grid)
    counts = _cell_counts(member.tocsr().astype(np.float64), cells, grid)
    vs = verdicts(counts, grid, as_of, cfg)
    member = member.tocsc()
    rows = []
    for k, v in enumerate(vs):
        docs = member.indices[member.indptr[k] : member.indptr[k + 1]]
        docs = sorted(docs, key=lambda i: papers[i].published)
        # A risen topic's first papers are those of its build-up on, not the trickle before it.
        start = month_name(month_index(v["rose"]) - cfg.ramp_months) if v["rose"] else ""
        first = [i for i in docs if papers[i].published >= start]
        rows.append(
            {
                "id": k + 1,
                "label": " / ".join(terms[k][:LABEL_TERMS]) or "(no distinctive terms)",
                "terms": terms[k],
                "earliest": [papers[i].id for i in first[:EARLIEST]],
                "size": len(docs),
                "as_of": as_of.isoformat(),
                "built_as_of": as_of.isoformat(),
                "kind": kinds[k],
                "centroid": centroids[k],
                **v,
            }
        )
    return rows, counts


def _rank(row: dict) -> tuple[bool, str]:
    """Which of a paper's topics speaks for it: a young active one first, then the youngest
    (a young topic already fading must not hide a young active one the paper is also on)."""
    return row["hype"] is True, row["onset"] or ""


def _assign(papers, cluster_of, member, rows, n_clusters) -> dict[str, int]:
    """Each paper to the first by `_rank` of its cluster and the rising phrases it contains."""
    member = member.tocsr()
    out = {}
    for i, p in enumerate(papers):
        mine = [int(cluster_of[i])] + [
            int(j) for j in member.indices[member.indptr[i] : member.indptr[i + 1]] if j >= n_clusters
        ]
        out[p.id] = rows[max(mine, key=lambda j: _rank(rows[j]))]["id"]
    return out


def _count_rows(counts: np.ndarray, grid: Grid) -> list[tuple[int, str, str, int]]:
    t, s, m = np.nonzero(counts)
    return [
        (int(a) + 1, month_name(grid.first + int(c)), grid.sources[b], int(counts[a, b, c]))
        for a, b, c in zip(t, s, m, strict=True)
    ]


def rebuild(store, cfg: HypeConfig, embedder, as_of: date, progress: bool) -> dict:
    """Recompute every topic from the papers published up to as_of."""
    papers = list(store.iter_papers(until=as_of.isoformat()))
    if not papers:
        store.replace_topics([], {})
        return _summary("rebuild", [], {}, as_of)
    totals = _totals(papers)
    grid = build_grid(totals, month_index(as_of.isoformat()), cfg)
    vectors = embedder.embed(embed_texts(papers, cfg), progress="topics" if progress else None)
    k = max(1, min(len(papers), len(papers) // max(1, cfg.cluster_size)))
    if len(papers) > 1:
        km = MiniBatchKMeans(n_clusters=k, batch_size=4096, n_init=1, random_state=0, max_no_improvement=5)
        cluster_of = km.fit_predict(vectors)
        centers = km.cluster_centers_
        centers /= np.maximum(np.linalg.norm(centers, axis=1, keepdims=True), 1e-9)
    else:
        cluster_of = np.zeros(len(papers), dtype=np.int64)
        centers = vectors[:1] if len(papers) else np.zeros((1, 1), dtype=np.float32)
    cluster_terms = ctfidf_labels([p.title for p in papers], cluster_of, k)
    phrase_terms, phrase_member = rising_phrases(papers, vectors, grid, cfg)
    cluster_member = sparse.csc_matrix(
        (np.ones(len(papers), dtype=np.int32), (np.arange(len(papers)), cluster_of)), shape=(len(papers), k)
    )
    member = sparse.hstack([cluster_member, phrase_member]).tocsc()
    kinds = ["cluster"] * k + ["phrase"] * len(phrase_terms)
    cents = [c.astype(np.float32) for c in centers] + [None] * len(phrase_terms)
    rows, counts = _topic_rows(papers, member, cluster_terms + phrase_terms, kinds, cents, grid, as_of, cfg)
    assignments = _assign(papers, cluster_of, member, rows, k)
    store.replace_topics(rows, assignments, _count_rows(counts, grid), totals)
    return _summary("rebuild", rows, assignments, as_of)


def incremental(store, cfg: HypeConfig, embedder, as_of: date, progress: bool) -> dict:
    """Assign papers new since the last rebuild to the existing topics; update counts and verdicts."""
    model = store.topic_model()
    new = store.papers_without_topic(as_of.isoformat())
    clusters = [t for t in model if t["kind"] == "cluster"]
    phrases = [t for t in model if t["kind"] == "phrase"]
    mine: dict[str, list[int]] = {}
    add: Counter = Counter()
    if new:
        vectors = embedder.embed(embed_texts(new, cfg), progress="topics" if progress else None)
        centers = np.stack([t["centroid"] for t in clusters])
        nearest = np.argmax(vectors @ centers.T, axis=1)
        analyse = phrase_vectorizer().build_analyzer()
        for p, c in zip(new, nearest, strict=True):
            grams = set(analyse(full_text(p)))
            mine[p.id] = [clusters[int(c)]["id"]] + [
                t["id"] for t in phrases if grams.intersection(t["terms"])
            ]
            for tid in mine[p.id]:
                add[(tid, p.published[:7], p.source)] += 1
    totals = _totals(new)
    merged_totals = Counter({(m, s): n for m, s, n in store.topic_totals()})
    for m, s, n in totals:
        merged_totals[(m, s)] += n
    grid = build_grid([(m, s, n) for (m, s), n in merged_totals.items()], month_index(as_of.isoformat()), cfg)
    index = {t["id"]: i for i, t in enumerate(model)}
    counts = np.zeros((len(model), len(grid.sources), grid.months), dtype=np.float32)
    sizes = defaultdict(int)
    for source in (store.topic_counts(), [(t, m, s, n) for (t, m, s), n in add.items()]):
        for tid, m, s, n in source:
            c = grid.cell(s, month_index(m))
            if c is not None:
                counts[index[tid], c[0], c[1]] += n
    for (tid, _, _), n in add.items():
        sizes[tid] += n
    rows = []
    for t, v in zip(model, verdicts(counts, grid, as_of, cfg), strict=True):
        rows.append({**t, **v, "size": t["size"] + sizes[t["id"]], "as_of": as_of.isoformat()})
    by_id = {r["id"]: r for r in rows}
    assignments = {pid: max(tids, key=lambda t: _rank(by_id[t])) for pid, tids in mine.items()}
    store.add_topic_papers(assignments, [(t, m, s, n) for (t, m, s), n in add.items()], totals, rows)
    return _summary("incremental", rows, assignments, as_of)


def _summary(mode: str, rows: list[dict], assignments: dict[str, int], as_of: date) -> dict:
    by_id = {r["id"]: r for r in rows}
    verdict = Counter(str(by_id[t]["hype"]).lower() for t in assignments.values())
    return {
        "mode": mode,
        "as_of": as_of.isoformat(),
        "topics": len(rows),
        "papers": len(assignments),
        "hype_true": verdict.get("true", 0),
        "hype_false": verdict.get("false", 0),
        "hype_null": verdict.get("none", 0),
    }


def update_topics(
    store,
    settings,
    embedder,
    as_of: date | str | None = None,
    progress: bool = False,
    rebuild_all: bool = False,
) -> dict:
    """Topics and hype verdicts as of `as_of` (default today); papers published later are ignored.

    Rebuilds from scratch when asked, when there is no model yet, when the model is older than
    [hype] rebuild_days or when as_of goes back before it (a replay); otherwise incremental.
    """
    cfg = settings.hype
    as_of = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of or date.today()
    started = time.perf_counter()
    model = store.topics()
    built = date.fromisoformat(model[0]["built_as_of"]) if model else None
    fresh = built is not None and 0 <= (as_of - built).days < cfg.rebuild_days
    run = incremental if fresh and not rebuild_all else rebuild
    summary = run(store, cfg, embedder, as_of, progress)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary
