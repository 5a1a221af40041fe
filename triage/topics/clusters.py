"""Clusters of title embeddings: every paper's nearest established topic, labelled by class TF-IDF."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans

from triage.config import HypeConfig
from triage.papers import Paper
from triage.topics.text import LABEL_TERMS, phrase_vectorizer


def coherence(vectors: np.ndarray) -> float:
    """Mean pairwise cosine of unit vectors: a real topic's papers resemble each other."""
    n = len(vectors)
    if n < 2:
        return 0.0
    r2 = float(np.square(vectors.sum(axis=0)).sum())
    return (r2 - n) / (n * (n - 1))


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
        out.append(dedupe_terms([str(names[i]) for i in top])[: LABEL_TERMS + 2])
    return out


def dedupe_terms(terms: list[str]) -> list[str]:
    """Drop a unigram already inside a kept bigram ('agent' after 'agent skills')."""
    kept: list[str] = []
    for t in terms:
        if any(t in k.split() or k in t.split() for k in kept):
            continue
        kept.append(t)
    return kept


def split_broad_clusters(vectors: np.ndarray, cluster_of: np.ndarray, papers: list[Paper], cfg: HypeConfig):
    """Clusters holding more than max_label_share of a month's papers (and min_topic_papers of
    them) split by k-means within, so no cluster label covers a large share of a day's papers:
    mini-batch k-means with one start leaves a few catch-all clusters."""
    cluster_of = np.asarray(cluster_of, dtype=np.int64).copy()
    _, month = np.unique([p.published[:7] for p in papers], return_inverse=True)
    totals = np.bincount(month).astype(float)
    for _ in range(3):
        k = int(cluster_of.max()) + 1
        counts = np.zeros((k, len(totals)))
        np.add.at(counts, (cluster_of, month), 1)
        over = (counts > cfg.max_label_share * totals) & (counts >= cfg.min_topic_papers)
        if not over.any():
            break
        for c in np.flatnonzero(over.any(axis=1)):
            members = np.flatnonzero(cluster_of == c)
            pieces = min(len(members), int(np.ceil((counts[c] / (cfg.max_label_share * totals)).max())) + 1)
            parts = KMeans(n_clusters=pieces, n_init=1, random_state=0).fit_predict(vectors[members])
            cluster_of[members[parts > 0]] = int(cluster_of.max()) + parts[parts > 0]
    return cluster_of
