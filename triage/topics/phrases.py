"""Phrase topics: the words and phrases whose share rose from about zero, grouped, and kept
only when a researcher could name them (a name, or a phrase of its own, not a facet of an older
topic nor a pairing that rose because one of its words spread)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from triage.abbreviations import definitions
from triage.config import HypeConfig
from triage.papers import Paper
from triage.topics.clusters import coherence, dedupe_terms
from triage.topics.grid import Grid, cell_counts, cells, month_index
from triage.topics.text import (
    _LISTING_PREFIX,
    LABEL_TERMS,
    full_text,
    name_share,
    phrase_vectorizer,
    words_of,
)
from triage.topics.verdict import onsets


@dataclass(frozen=True)
class Vocabulary:
    """What every phrase rule reads: papers x phrases (CSC), the phrases' names, each phrase's
    rise month (-1 if it never rose), each paper's month index, and the settings."""

    x: sparse.csc_matrix
    names: np.ndarray
    on: np.ndarray
    months: np.ndarray
    cfg: HypeConfig

    def months_of(self, cols) -> np.ndarray:
        """Publication months of the papers holding any of the phrases `cols`. One phrase's papers
        are unique already: no sort, as `_facets` asks this of common words thousands of times."""
        held = [self.x.indices[self.x.indptr[i] : self.x.indptr[i + 1]] for i in cols]
        return self.months[held[0] if len(held) == 1 else np.unique(np.concatenate(held))]


def phrase_rises(papers: list[Paper], texts: list[str], grid: Grid, cfg: HypeConfig):
    """The phrase vocabulary (unigrams and bigrams in at least min_topic_papers papers), papers x
    phrases (CSC) and each phrase's rise month (`onsets`, -1 if it never rose); None when no
    phrase is that common."""
    vec = phrase_vectorizer(min_df=cfg.min_topic_papers)
    try:
        x = vec.fit_transform(texts).tocsc()
    except ValueError:
        return None
    return vec, x, onsets(cell_counts(x, cells(papers, grid), grid), grid, cfg)


def rising_phrases(
    papers: list[Paper], vectors: np.ndarray, grid: Grid, cfg: HypeConfig
) -> tuple[list[list[str]], sparse.csc_matrix]:
    """Phrase topics: groups of n-grams whose share rose, are not collocations and whose papers'
    titles cohere (a rising filler word like "interestingly" spans unrelated papers), and
    papers x groups. A collocation is made of old words, or words of an older fashion, and
    papers rarely name it in their titles ("experiment mathematical", "agentic framework"); a
    topic either is named in titles ("deep research") or carries a new word (under
    min_topic_papers papers before its ramp: not "reframe", a paper a month for years) that rose
    within max_topic_age_months before it ("o1", "mcp", a model line's new release "qwen3").
    Either way some title must name it: what no title names is an attribute of papers, not what
    they are about ("aime25", a benchmark; "a3b", a model size). A two-word phrase must also be a new
    pairing (`_new_pairings`), not one that rose only because a word of it spread. A name the
    papers define as different things ("SAGE", six papers, six long forms) is no one topic."""
    texts = [full_text(p) for p in papers]
    found = phrase_rises(papers, texts, grid, cfg)
    if found is None:
        return [], sparse.csc_matrix((len(papers), 0))
    vec, x, on = found
    names = vec.get_feature_names_out()
    defined = definitions(texts, words_of, cfg.min_topic_papers)
    rising = [i for i in np.flatnonzero(on >= 0) if not defined.collisions.issuperset(str(names[i]).split())]
    rising = np.array(
        [i for i in rising if " " in names[i] or written_as_name(papers, x, i, str(names[i]), cfg)], dtype=int
    )
    if not len(rising):
        return [], sparse.csc_matrix((len(papers), 0))
    xr = x[:, rising]
    df = np.asarray(xr.sum(axis=0)).ravel()
    groups = _near_duplicates(xr, df, cfg.phrase_overlap)
    groups = join_spellings(groups, [str(names[i]) for i in rising], defined.long_forms, vec.build_analyzer())
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
    v = Vocabulary(x, names, on, np.array([month_index(p.published) for p in papers]), cfg)
    older = _facets(member, words, first, v)
    in_titles = np.asarray(
        ((vec.transform([p.title for p in papers])[:, rising] @ pick) > 0).sum(axis=0)
    ).ravel()
    named = in_titles >= cfg.min_title_share * np.diff(member.indptr)
    # A word vouches for a group only if it is new and rose with it: "agentic" (2024) does not
    # make "agentic framework" (2025-07) a new topic; "o1" does make "o1 like".
    new_words = {
        str(names[i]): int(on[i]) for i in rising if " " not in names[i] and _is_new_word(v, i, int(on[i]))
    }
    fresh = _new_pairings(v, rising)
    keep = [
        g
        for g in range(len(groups))
        if not older[g]
        and fresh[groups[g]].any()
        and in_titles[g] > 0
        and (named[g] or any(new_words.get(w, -1) >= first[g] - cfg.max_topic_age_months for w in words[g]))
        and coherence(vectors[member.indices[member.indptr[g] : member.indptr[g + 1]]]) >= cfg.min_coherence
    ]
    terms = [dedupe_terms([str(names[rising[i]]) for i in groups[g]])[: LABEL_TERMS + 2] for g in keep]
    context = context_pairs(x, names, member[:, keep], terms)
    return [[c] + t if c else t for c, t in zip(context, terms, strict=True)], member[:, keep]


def written_as_name(papers: list[Paper], x, q: int, word: str, cfg: HypeConfig) -> bool:
    """Is a single word a name (an acronym, a model, a method family) rather than an ordinary word
    that rose with a wave ("scaffold", "strongest", "silently")? Read in its newest name_sample
    papers: most of the times their case can tell, they write it as a name (`name_share` over
    name_share). x: papers x phrases (CSC)."""
    docs = x.indices[x.indptr[q] : x.indptr[q + 1]]
    docs = docs[np.argsort([papers[i].published for i in docs], kind="stable")][-cfg.name_sample :]
    abstracts = [_LISTING_PREFIX.sub("", papers[i].abstract) for i in docs]
    share = name_share(abstracts, word, [papers[i].title for i in docs])
    return share is not None and share > cfg.name_share


def context_pairs(x, names, member, terms) -> list[str | None]:
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


def _is_new_word(v: Vocabulary, q: int, rise: int) -> bool:
    """Is word q new: fewer than min_topic_papers papers used it before its ramp ("reframe", a
    paper a month for years, is not)?"""
    return int((v.months_of([q]) < rise - v.cfg.ramp_months).sum()) < v.cfg.min_topic_papers


def _new_pairings(v: Vocabulary, rising) -> np.ndarray:
    """Per rising phrase: is it new as a pairing? A word is new by itself; a two-word phrase
    only if, among the papers of each of its words, its share rose at least rise_ratio times
    from before its ramp to its rise on. Otherwise it rose because one of its words spread:
    "agentic framework" is as common among "agentic" papers in 2025 as in 2024 (a collocation of
    an older fashion), while "diffusion language" became 8x commoner among "diffusion" papers.
    A word with fewer than min_topic_papers papers before is itself new and vouches for the pair."""
    names, on, cfg = v.names, v.on, v.cfg
    vocab = {str(n): i for i, n in enumerate(names)}

    def split(q: int, r: int) -> tuple[int, int]:
        m = v.months_of([q])
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


def _facets(member, words, onset, v: Vocabulary) -> list[bool]:
    """Per phrase group: is it a facet of an older topic? True when most of its papers
    (facet_share) also carry one other, specific phrase (facet_lift times likelier among them
    than among all papers) that already had min_topic_papers papers max_topic_age_months before
    the group's onset: "libero" rises with vision-language-action papers, it is not a new topic.
    Phrases sharing a word with the group are its own variants, not parents. member: papers x
    groups (CSC)."""
    x, names, cfg = v.x, v.names, v.cfg
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
                and (v.months_of([q]) < cutoff).sum() >= cfg.min_topic_papers
                for q in cand
            )
        )
    return out


def join_spellings(
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
