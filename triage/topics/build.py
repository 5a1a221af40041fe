"""Rebuild and incremental update: topics and verdicts into the store.

The first run (or a stale model) rebuilds everything; afterwards new papers are assigned to the
existing topics and the monthly counts updated, so a day's papers never recluster the history.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from sklearn.cluster import MiniBatchKMeans

from triage.config import HypeConfig
from triage.topics.clusters import ctfidf_labels, split_broad_clusters
from triage.topics.grid import Grid, build_grid, cell_counts, cells, month_index, month_name, month_totals
from triage.topics.labels import label_of
from triage.topics.phrases import rising_phrases
from triage.topics.text import LABEL_TERMS, embed_texts, full_text, phrase_vectorizer
from triage.topics.verdict import verdicts

EARLIEST = 5
LABEL_TITLES = 50  # the newest titles a label is read from: enough to see how they write a name


def topic_label(terms: list[str], kind: str, titles: list[str]) -> str:
    """A topic's label from its terms and its newest titles (`labels.label_of`). A cluster's label
    is its two best names: the third is most often noise."""
    return label_of(terms, LABEL_TERMS if kind == "phrase" else 2, titles, cluster=kind == "cluster")


def topic_rows(papers, member, terms, kinds, centroids, grid, as_of, cfg):
    where = cells(papers, grid)
    counts = cell_counts(member.tocsr().astype(np.float64), where, grid)
    vs = verdicts(counts, grid, as_of, cfg, kinds)
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
                "label": topic_label(terms[k], kinds[k], [papers[i].title for i in docs[-LABEL_TITLES:]]),
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
    nameable one not too broad (a young topic already fading must not hide a young active one
    the paper is also on), else its cluster: the nearest established topic, as context."""
    return row["hype"] is True, "" if row.get("broad") else row["onset"] or ""


def assign_papers(papers, cluster_of, member, rows, n_clusters) -> dict[str, int]:
    """Each paper to the first by `_rank` of its cluster and the rising phrases it contains."""
    member = member.tocsr()
    out = {}
    for i, p in enumerate(papers):
        mine = [int(cluster_of[i])] + [
            int(j) for j in member.indices[member.indptr[i] : member.indptr[i + 1]] if j >= n_clusters
        ]
        out[p.id] = rows[max(mine, key=lambda j: _rank(rows[j]))]["id"]
    return out


def count_rows(counts: np.ndarray, grid: Grid) -> list[tuple[int, str, str, int]]:
    t, s, m = np.nonzero(counts)
    return [
        (int(a) + 1, month_name(grid.first + int(c)), grid.sources[b], int(counts[a, b, c]))
        for a, b, c in zip(t, s, m, strict=True)
    ]


@dataclass
class Structure:
    """What a rebuild finds before any verdict: the clusters and the rising phrases, and which
    papers hold each (papers x topics; the first n_clusters columns are the clusters)."""

    cluster_of: np.ndarray
    n_clusters: int
    centroids: list
    terms: list[list[str]]
    kinds: list[str]
    member: sparse.csc_matrix


def structure(papers, vectors: np.ndarray, grid: Grid, cfg: HypeConfig) -> Structure:
    """Cluster the papers' vectors and find the rising phrases (the slow part of a rebuild)."""
    k = max(1, min(len(papers), len(papers) // max(1, cfg.cluster_size)))
    if len(papers) > 1:
        km = MiniBatchKMeans(n_clusters=k, batch_size=4096, n_init=1, random_state=0, max_no_improvement=5)
        # float64: k-means++ over float32 upcasts every distance block, 2x slower at 100k papers
        cluster_of = split_broad_clusters(vectors, km.fit_predict(vectors.astype(np.float64)), papers, cfg)
        k = int(cluster_of.max()) + 1
        centers = np.zeros((k, vectors.shape[1]))
        np.add.at(centers, cluster_of, vectors)
        centers /= np.maximum(np.linalg.norm(centers, axis=1, keepdims=True), 1e-9)
    else:
        cluster_of = np.zeros(len(papers), dtype=np.int64)
        centers = vectors[:1] if len(papers) else np.zeros((1, 1), dtype=np.float32)
    cluster_terms = ctfidf_labels([p.title for p in papers], cluster_of, k)
    phrase_terms, phrase_member = rising_phrases(papers, vectors, grid, cfg)
    cluster_member = sparse.csc_matrix(
        (np.ones(len(papers), dtype=np.int32), (np.arange(len(papers)), cluster_of)), shape=(len(papers), k)
    )
    return Structure(
        cluster_of=cluster_of,
        n_clusters=k,
        centroids=[c.astype(np.float32) for c in centers] + [None] * len(phrase_terms),
        terms=cluster_terms + phrase_terms,
        kinds=["cluster"] * k + ["phrase"] * len(phrase_terms),
        member=sparse.hstack([cluster_member, phrase_member]).tocsc(),
    )


def judge(papers, s: Structure, grid: Grid, as_of: date, cfg: HypeConfig):
    """Verdicts for a structure: the topic rows, their counts, and each paper's topic id."""
    rows, counts = topic_rows(papers, s.member, s.terms, s.kinds, s.centroids, grid, as_of, cfg)
    return rows, counts, assign_papers(papers, s.cluster_of, s.member, rows, s.n_clusters)


def rebuild(store, cfg: HypeConfig, embedder, as_of: date, progress: bool) -> dict:
    """Recompute every topic from the papers published up to as_of."""
    papers = list(store.iter_papers(until=as_of.isoformat()))
    if not papers:
        store.replace_topics([], {})
        return _summary("rebuild", [], {}, as_of)
    totals = month_totals(papers)
    grid = build_grid(totals, month_index(as_of.isoformat()), cfg)
    vectors = embedder.embed(embed_texts(papers, cfg), progress="topics" if progress else None)
    rows, counts, assignments = judge(papers, structure(papers, vectors, grid, cfg), grid, as_of, cfg)
    store.replace_topics(rows, assignments, count_rows(counts, grid), totals)
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
    totals = month_totals(new)
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
    for t, v in zip(model, verdicts(counts, grid, as_of, cfg, [t["kind"] for t in model]), strict=True):
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
